"""``switchboard doctor``: the CPU, the backend that runs, and every backend's figures."""

from __future__ import annotations

import json

import pytest

from bot.understanding.cpu import cpu_identity
from switchboard.cli import main
from switchboard.doctor import TEXT, language, report
from tests.conftest import CACHE_DIR, ROOT


@pytest.fixture(autouse=True)
def _cached_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(CACHE_DIR))


def test_doctor_names_the_cpu_and_marks_the_backend_that_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_UNDERSTANDING__BACKEND", "auto")
    assert main(["doctor", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"CPU:     {cpu_identity()['name']}" in out
    rows = [line for line in out.splitlines() if line.startswith(("onnx-", "torch "))]
    assert {row.split()[0] for row in rows} == {"onnx-int8", "onnx-fp32", "torch"}
    assert sum("<- runs" in row for row in rows) == 1
    assert "fastest within tolerance" in out

    assert main(["doctor", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["cpu"]["key"] == cpu_identity()["key"]
    runs = next(row for row in rows if "<- runs" in row).split()[0]
    assert runs == record["fastest_within_tolerance"]["backend"]


def test_doctor_in_chinese_says_when_config_forces_a_backend(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_UNDERSTANDING__BACKEND", "torch")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "编码器: torch x1 (由 config.yml 指定" in out
    assert "<- 使用中；基准" in out


def test_the_language_follows_the_locale_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert (language(), language("en")) == ("zh", "en")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert (language(), language("zh")) == ("en", "zh")
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")  # LC_ALL wins over LANG
    assert language() == "zh"


RECORD = {
    "cpu": {"name": "Some CPU", "cpus": 2, "notable_flags": ["avx2"], "key": "k"},
    "tolerance": 0.99,
    "measured_at": "2026-12-02T10:00:00+0000",
    "load_average": [0.5, 0.4, 0.3],
    "measurements": [
        {"backend": "onnx-int8", "threads": 1, "ms_p50": 2.0, "ms_mean": 2.1, "min_cosine": 0.98},
        {"backend": "onnx-fp32", "threads": 1, "ms_p50": 9.0, "ms_mean": 9.5, "min_cosine": 1.0},
        {"backend": "torch", "threads": 1, "ms_p50": 20.0, "ms_mean": 21.0, "min_cosine": 1.0},
        {
            "backend": "torch",
            "threads": 2,
            "ms_p50": 90.0,
            "ms_mean": 95.0,
            "min_cosine": 1.0,
            "texts": 6,
        },
    ],
}


def test_the_report_explains_each_backend_that_does_not_run() -> None:
    out = report(RECORD, TEXT["en"], 1, None, "/models/record.json")
    lines = {line.split()[0] + line.split()[1]: line for line in out.splitlines()[5:9]}
    assert "drifts beyond 0.99" in lines["onnx-int81"]  # fastest, but not picked
    assert "<- runs" in lines["onnx-fp321"]
    assert "reference" in lines["torch1"]
    assert "over the threads budget" in lines["torch2"]
    assert "stopped after 6 texts" in lines["torch2"]
    assert "Encoder: onnx-fp32 x1 (fastest within tolerance" in out


def test_an_unavailable_backend_shows_why() -> None:
    record = dict(RECORD)
    record["measurements"] = [
        {"backend": "onnx-int8", "threads": 1, "error": "no onnxruntime"},
        *RECORD["measurements"][1:3],  # type: ignore[index]
    ]
    out = report(record, TEXT["en"], 1, None, "/models/record.json")
    assert "unavailable: no onnxruntime" in out
