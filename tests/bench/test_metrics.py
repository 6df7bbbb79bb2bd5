"""Out-of-scope figures as Larson et al. define them, on hand-made scores."""

from __future__ import annotations

import pytest

from bench.metrics import oos_metrics, tune_threshold
from bench.systems import Scored


def _scored(labels: list[str], scores: list[float], decided: list[bool] | None = None) -> Scored:
    return Scored(labels, scores, scores, decided, 1.0)


def test_rejected_in_scope_queries_count_as_wrong() -> None:
    in_scope = _scored(["a", "b", "a", "b"], [0.9, 0.8, 0.3, 0.9])
    oos = _scored(["a", "b"], [0.2, 0.6])
    result = oos_metrics(in_scope, ["a", "b", "a", "a"], oos, threshold=0.5)
    assert result["in_scope_accuracy"] == pytest.approx(0.5)  # one rejected, one wrong
    assert result["oos_recall"] == pytest.approx(0.5)
    assert result["oos_precision"] == pytest.approx(0.5)  # flagged: 1 OOS + 1 in-scope
    assert result["oos_auroc"] == pytest.approx(7 / 8)  # 7 of 8 (in, out) pairs ranked right


def test_a_systems_own_decision_wins_over_the_threshold() -> None:
    in_scope = _scored(["a"], [0.9], [True])
    oos = _scored(["a"], [0.9], [True])
    result = oos_metrics(in_scope, ["a"], oos, threshold=None)
    assert result["in_scope_accuracy"] == 0.0 and result["oos_recall"] == 1.0


def test_tuned_threshold_separates_validation_data() -> None:
    val = _scored(["a", "b", "a"], [0.9, 0.7, 0.8])
    oos = _scored(["a", "a"], [0.3, 0.5])
    assert 0.5 < tune_threshold(val, ["a", "b", "a"], oos) <= 0.7
