"""``switchboard classify`` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.cli import main
from tests.conftest import CACHE_DIR, ROOT


@pytest.fixture(autouse=True)
def _cached_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(CACHE_DIR))


def test_classify_json(capsys: pytest.CaptureFixture[str], brain: object) -> None:
    assert main(["classify", "--json", "退货政策是什么?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["intent"] == "return_policy"
    assert result["decision"] == "auto_answer"
    assert result["language"] == "zh"
    assert "7天" in result["reply"]
    assert {"confidence", "ranking", "out_of_scope", "reasons"} <= set(result)


def test_classify_a_file_gives_one_line_per_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, brain: object
) -> None:
    batch = tmp_path / "messages.txt"
    batch.write_text("what is your return policy?\n\nasdf qwer\n", encoding="utf-8")
    assert main(["classify", "--json", "--file", str(batch)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["intent"], r["decision"]) for r in lines] == [
        ("return_policy", "auto_answer"),
        (None, "clarify"),
    ]


def test_classify_human_output(capsys: pytest.CaptureFixture[str], brain: object) -> None:
    assert main(["classify", "asdf qwer"]) == 0
    out = capsys.readouterr().out
    assert "out of scope" in out
    assert "decision:   clarify" in out


def test_classify_without_input_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify"]) == 2
    assert "give a message" in capsys.readouterr().err


def test_bad_configuration_is_reported_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_MODE", "production")
    assert main(["classify", "hi"]) == 2
    assert "placeholder" in capsys.readouterr().err


@pytest.mark.parametrize("content", [None, b"\xff\xfe not utf-8 \xff"])
def test_classify_an_unreadable_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "missing.txt"
    if content is not None:
        path.write_bytes(content)
    assert main(["classify", "--file", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"switchboard classify: cannot read {path}: ")
    assert "Traceback" not in captured.err
