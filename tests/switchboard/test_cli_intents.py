"""``switchboard intents evaluate`` and ``switchboard intents validate`` as an admin runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.cli import main
from tests.bot.evaluation.conftest import EXAMPLES, write_intents
from tests.conftest import CACHE_DIR, ROOT


@pytest.fixture(autouse=True)
def _cached_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(CACHE_DIR))


def test_evaluate_writes_the_report_files_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_intents(tmp_path / "intents", EXAMPLES)
    out = tmp_path / "results"
    code = main(
        ["intents", "evaluate", "--intents", str(folder), "--folds", "3", "--out", str(out)]
    )
    assert code == 0
    names = {
        "intent_report.json",
        "intent_errors.json",
        "intent_confusion_matrix.png",
        "intent_histogram.png",
    }
    assert names <= {p.name for p in out.iterdir()}
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    assert report["refund_status"]["support"] == 8
    printed = capsys.readouterr().out
    assert "refund_status" in printed and "accuracy" in printed
    assert str(out / "intent_report.json") in printed


def test_validate_exits_1_on_errors_and_0_on_warnings_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = write_intents(tmp_path / "clean", EXAMPLES)
    assert main(["intents", "validate", "--intents", str(clean)]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    shared = {**EXAMPLES, "order_tracking": [*EXAMPLES["order_tracking"], "Hello"]}
    broken = write_intents(tmp_path / "broken", shared)
    assert main(["intents", "validate", "--intents", str(broken)]) == 1
    assert "shared_example" in capsys.readouterr().out


def test_missing_intent_data_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["intents", "validate", "--intents", str(tmp_path / "nowhere")]) == 2
    assert main(["intents", "evaluate", "--intents", str(tmp_path / "nowhere")]) == 2
    assert "No intent data" in capsys.readouterr().err


def test_validate_counts_a_rasa_projects_domain_answers(capsys: pytest.CaptureFixture[str]) -> None:
    project = ROOT / "tests" / "bot" / "fixtures" / "rasa_project"
    assert main(["intents", "validate", "--intents", str(project)]) == 1
    printed = capsys.readouterr().out
    # Only the intent the domain does not answer lacks an answer.
    no_answer = [line for line in printed.splitlines() if "no_answer" in line]
    assert len(no_answer) == 1 and "opening_hours" in no_answer[0]
