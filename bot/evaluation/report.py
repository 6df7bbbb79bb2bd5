"""Rasa-compatible evaluation files: ``intent_report.json`` and ``intent_errors.json``.

The shapes follow what ``rasa test nlu`` writes, so dashboards and scripts made for Rasa read
them: per intent precision / recall / f1-score / support / confused_with, then ``accuracy``,
``macro avg`` and ``weighted avg``; errors as ``{text, intent, intent_prediction: {name,
confidence}}``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.metrics import classification_report

from bot.evaluation.crossval import Prediction

CONFUSED_WITH_TOP = 3  # Rasa lists the few intents an intent is most often mistaken for


@dataclass(frozen=True)
class ReportFiles:
    report: Path
    errors: Path


def intent_report(predictions: Sequence[Prediction]) -> dict[str, Any]:
    truth = [p.intent for p in predictions]
    guessed = [p.predicted for p in predictions]
    labels = sorted(set(truth) | set(guessed))
    report: dict[str, Any] = classification_report(
        truth, guessed, labels=labels, output_dict=True, zero_division=0
    )
    confusions: dict[str, Counter[str]] = {label: Counter() for label in labels}
    for p in predictions:
        if not p.correct:
            confusions[p.intent][p.predicted] += 1
    for key in (*labels, "macro avg", "weighted avg"):
        report[key]["support"] = int(report[key]["support"])  # sklearn gives floats; Rasa ints
    for label in labels:
        report[label]["confused_with"] = dict(confusions[label].most_common(CONFUSED_WITH_TOP))
    # sklearn drops "accuracy" when labels is a strict subset of what occurs; it never is here,
    # but compute it ourselves so the key is always present and exact.
    correct = sum(p.correct for p in predictions)
    report["accuracy"] = correct / len(predictions) if predictions else 0.0
    return report


def intent_errors(predictions: Sequence[Prediction]) -> list[dict[str, Any]]:
    return [
        {
            "text": p.text,
            "intent": p.intent,
            "intent_prediction": {"name": p.predicted, "confidence": p.confidence},
        }
        for p in sorted(predictions, key=lambda p: (p.intent, -p.confidence))
        if not p.correct
    ]


def write_reports(predictions: Sequence[Prediction], out_dir: Path) -> ReportFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(out_dir / "intent_report.json", out_dir / "intent_errors.json")
    _write_json(files.report, intent_report(predictions))
    _write_json(files.errors, intent_errors(predictions))
    return files


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
