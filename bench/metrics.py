"""Scores of one system on one split: accuracy, out-of-scope figures, AUROC."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import roc_auc_score

from bench.systems import Scored


def accuracy(predicted: Sequence[str], truth: Sequence[str]) -> float:
    return float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)])) if truth else 0.0


def rejected(scored: Scored, threshold: float | None) -> np.ndarray:
    """The system's own out-of-scope decision, or ``in_scope < threshold``."""
    if scored.out_of_scope is not None:
        return np.asarray(scored.out_of_scope, dtype=bool)
    return np.asarray(scored.in_scope) < (threshold if threshold is not None else -np.inf)


def oos_metrics(
    in_scope: Scored, truth: Sequence[str], oos: Scored, threshold: float | None
) -> dict[str, float]:
    """Larson et al.'s figures: in-scope accuracy counts a rejected in-scope query as wrong."""
    kept = ~rejected(in_scope, threshold)
    right = np.asarray([p == t for p, t in zip(in_scope.predicted, truth, strict=True)])
    caught = rejected(oos, threshold)
    flagged = int(caught.sum() + (~kept).sum())
    scores = np.concatenate([np.asarray(in_scope.in_scope), np.asarray(oos.in_scope)])
    is_oos = np.concatenate([np.zeros(len(truth)), np.ones(len(oos.predicted))])
    return {
        "in_scope_accuracy": float((right & kept).mean()),
        "oos_recall": float(caught.mean()),
        "oos_precision": float(caught.sum() / flagged) if flagged else 0.0,
        "oos_auroc": float(roc_auc_score(is_oos, -scores)),
    }


def tune_threshold(in_scope: Scored, truth: Sequence[str], oos: Scored) -> float:
    """For a peer without its own fallback: the cut on validation data that maximizes the mean
    of in-scope accuracy and out-of-scope recall (the peer's best case)."""
    right = np.asarray([p == t for p, t in zip(in_scope.predicted, truth, strict=True)])
    inside, outside = np.asarray(in_scope.in_scope), np.asarray(oos.in_scope)
    best, best_value = 0.0, -1.0
    for cut in np.unique(np.concatenate([inside, outside])):
        value = (right & (inside >= cut)).mean() + (outside < cut).mean()
        if value > best_value:
            best, best_value = float(cut), float(value)
    return best


def auroc(labels: Sequence[int], scores: Sequence[float]) -> float:
    return float(roc_auc_score(labels, scores))
