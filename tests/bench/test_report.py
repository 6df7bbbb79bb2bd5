"""The benchmark's table, and merging the results of separate runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report


def _row(task: str, system: str, **values: object) -> dict[str, object]:
    return {"task": task, "system": system, **values}


def test_merge_keeps_measured_rows_and_the_latest_speed() -> None:
    ours = {
        "started": "a",
        "rows": [
            _row("clinc", "switchboard", accuracy=0.95),
            _row("clinc", "setfit", error="ImportError: datasets"),
        ],
        "speed": {"latency": []},
    }
    peers = {
        "started": "b",
        "rows": [
            _row("clinc", "setfit", accuracy=0.84),
            _row("clinc", "rasa-diet", accuracy=0.73),
            _row("bitext", "rasa-diet", error="timeout"),
        ],
    }
    retry = {"started": "c", "rows": [_row("clinc", "rasa-diet", error="crashed")]}
    merged = report.merge([ours, peers, retry])
    rows = {(r["task"], r["system"]): r for r in merged["rows"]}
    assert rows[("clinc", "setfit")]["accuracy"] == 0.84  # measured replaces failed
    assert rows[("clinc", "rasa-diet")]["accuracy"] == 0.73  # failed never replaces measured
    assert rows[("bitext", "rasa-diet")]["error"] == "timeout"
    assert [r["system"] for r in merged["rows"]][:1] == ["switchboard"]
    assert merged["speed"] == {"latency": []}
    assert merged["merged_from"] == ["a", "b", "c"]


def test_the_command_prints_one_table_for_several_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    first.write_text(json.dumps({"rows": [_row("clinc", "switchboard", accuracy=0.956)]}))
    second.write_text(json.dumps({"rows": [_row("clinc", "rasa-diet", accuracy=0.868)]}))
    assert report.main([str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert "95.6%" in out and "86.8%" in out
    assert out.index("switchboard") < out.index("rasa-diet")
