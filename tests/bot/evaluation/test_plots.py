"""The PNG plots are written and are real PNG images."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation.crossval import Prediction
from bot.evaluation.plots import confidence_histogram_png, confusion_matrix_png

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_confusion_matrix_and_histogram_are_pngs(
    predictions: list[Prediction], tmp_path: Path
) -> None:
    matrix = confusion_matrix_png(predictions, tmp_path / "cm.png")
    histogram = confidence_histogram_png(predictions, tmp_path / "hist.png", threshold=0.45)
    for path in (matrix, histogram):
        assert path.read_bytes()[:8] == PNG_MAGIC
        assert path.stat().st_size > 5000
