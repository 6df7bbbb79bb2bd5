"""Evaluate a draft against the live version: what gets better, what gets worse.

Both sets are cross-validated the same way (per-intent F1 before and after), and both trained
classifiers answer a regression set (the live examples and the recent misses): every message
whose outcome would change is listed, and a known example that stops being recognized counts
as a regression.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.evaluation.crossval import cross_validate
from bot.evaluation.report import intent_report
from bot.evaluation.validate import validate
from bot.intents import IntentSet
from bot.understanding.assessment import Assessor
from bot.understanding.classifier import IntentClassifier, Thresholds
from bot.understanding.encoder import Encoder
from bot.understanding.head import DEFAULT_SURFACE_WEIGHT
from intent_admin.diff import triage_diff

FALLBACK = "(fallback)"
# Cross-validation noise: on an intent with n held-out examples one example moves F1 by about
# 1/n, so a drop counts as "worse" only beyond both this floor and 1.5 examples' worth.
F1_TOLERANCE = 0.02


@dataclass
class Comparison:
    accuracy_before: float
    accuracy_after: float
    intents: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    worse: list[str]
    findings: list[dict[str, Any]]
    report: dict[str, Any] = field(default_factory=dict)  # the draft's cross-validated report
    live_report: dict[str, Any] = field(default_factory=dict)
    # The brand's triage examples changed, per class (see ``triage_changes``).
    triage: list[dict[str, Any]] = field(default_factory=list)

    @property
    def makes_things_worse(self) -> bool:
        return bool(self.worse)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "makes_things_worse": self.makes_things_worse}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def compare(
    encoder: Encoder,
    live: IntentSet,
    draft: IntentSet,
    thresholds: Thresholds,
    *,
    regression_texts: list[str],
    folds: int = 5,
    surface_weight: float = DEFAULT_SURFACE_WEIGHT,
) -> Comparison:
    before = intent_report(
        cross_validate(encoder, live, thresholds, folds=folds, surface_weight=surface_weight)
    )
    after = intent_report(
        cross_validate(encoder, draft, thresholds, folds=folds, surface_weight=surface_weight)
    )
    intents = _per_intent(before, after, live, draft)
    changed, regressions = _changed_outcomes(
        encoder, live, draft, thresholds, regression_texts, surface_weight
    )
    worse = [
        f"{row['intent']}: F1 {row['f1_before']:.2f} -> {row['f1_after']:.2f}"
        for row in intents
        if row["delta"] is not None
        and row["delta"] < -max(F1_TOLERANCE, 1.5 / max(row["support"], 1))
    ]
    if after["accuracy"] < before["accuracy"] - F1_TOLERANCE:
        worse.insert(0, f"accuracy {before['accuracy']:.1%} -> {after['accuracy']:.1%}")
    worse += [f'"{r["text"]}" was {r["before"]}, would be {r["after"]}' for r in regressions]
    findings = [asdict(f) for f in validate(draft)]
    worse += [f"validation: {f['message']}" for f in findings if f["severity"] == "error"]
    return Comparison(
        before["accuracy"], after["accuracy"], intents, changed, worse, findings, after, before
    )


def _per_intent(
    before: dict[str, Any], after: dict[str, Any], live: IntentSet, draft: IntentSet
) -> list[dict[str, Any]]:
    rows = []
    for name in sorted(set(live.intents) | set(draft.intents)):
        f1_before = before.get(name, {}).get("f1-score") if name in live.intents else None
        f1_after = after.get(name, {}).get("f1-score") if name in draft.intents else None
        delta = f1_after - f1_before if f1_before is not None and f1_after is not None else None
        rows.append(
            {
                "intent": name,
                "f1_before": f1_before,
                "f1_after": f1_after,
                "delta": delta,
                "support": after.get(name, {}).get("support", 0),
                "examples": len(draft.intents[name].examples) if name in draft.intents else 0,
            }
        )
    return rows


def _changed_outcomes(
    encoder: Encoder,
    live: IntentSet,
    draft: IntentSet,
    thresholds: Thresholds,
    extra_texts: list[str],
    surface_weight: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    texts, labels = live.training_pairs()
    known = dict(zip(texts, labels, strict=True))
    regression = list(dict.fromkeys([*texts, *extra_texts]))
    vectors = encoder.encode_cached(regression)
    outcomes = []
    for intent_set in (live, draft):
        classifier = IntentClassifier.train(
            encoder, intent_set, thresholds, surface_weight=surface_weight
        )
        outcomes.append(
            [r.intent or FALLBACK for r in classifier.predict_vectors(regression, vectors)]
        )
    still_taught = set(draft.training_pairs()[0])
    changed, regressions = [], []
    for text, before, after in zip(regression, *outcomes, strict=True):
        if before == after:
            continue
        row = {"text": text, "before": before, "after": after, "expected": known.get(text)}
        changed.append(row)
        if known.get(text) == before and text in still_taught:
            regressions.append(row)
    return changed, regressions


def triage_changes(
    live: IntentSet, draft: IntentSet, assessor: Assessor | None
) -> list[dict[str, Any]]:
    """Per triage class whose brand examples change: how many are added and removed, and how
    many of the draft's examples of that class the live triage head sends to a person today
    (for ``neutral`` that is the number of hand-overs the draft means to stop)."""
    rows = []
    for change in triage_diff(live, draft):
        texts = list(draft.triage_examples.get(change["class"], ()))
        row: dict[str, Any] = {
            "class": change["class"],
            "added": len(change["added"]),
            "removed": len(change["removed"]),
            "examples": len(texts),
            "to_person_now": None,
        }
        if assessor is not None and texts:
            scores = assessor.triage.score_many(texts)
            row["to_person_now"] = sum(s.person >= assessor.thresholds.person for s in scores)
        rows.append(row)
    return rows
