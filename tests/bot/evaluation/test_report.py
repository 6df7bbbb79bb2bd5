"""Rasa-compatible intent_report.json and intent_errors.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation.crossval import Prediction
from bot.evaluation.report import write_reports
from tests.bot.evaluation.conftest import EXAMPLES, MISFILED


def test_report_has_rasas_shape_and_the_right_numbers(
    predictions: list[Prediction], tmp_path: Path
) -> None:
    files = write_reports(predictions, tmp_path / "out")
    report = json.loads(files.report.read_text(encoding="utf-8"))
    for name, examples in EXAMPLES.items():
        row = report[name]
        assert set(row) == {"precision", "recall", "f1-score", "support", "confused_with"}
        assert row["support"] == len(examples)
    assert report["greet"]["confused_with"]["order_tracking"] >= 1
    assert report["greet"]["recall"] <= 7 / 8
    correct = sum(p.correct for p in predictions)
    assert report["accuracy"] == pytest.approx(correct / len(predictions))
    assert report["macro avg"]["support"] == report["weighted avg"]["support"] == 24
    assert {"precision", "recall", "f1-score"} <= set(report["macro avg"])


def test_errors_list_each_wrong_prediction_like_rasa(
    predictions: list[Prediction], tmp_path: Path
) -> None:
    files = write_reports(predictions, tmp_path / "out")
    errors = json.loads(files.errors.read_text(encoding="utf-8"))
    assert len(errors) == sum(not p.correct for p in predictions)
    misfiled = next(e for e in errors if e["text"] == MISFILED)
    assert misfiled["intent"] == "greet"
    assert misfiled["intent_prediction"]["name"] == "order_tracking"
    assert 0 < misfiled["intent_prediction"]["confidence"] <= 1
