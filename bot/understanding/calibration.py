"""Choosing the fallback thresholds for one intent set, instead of guessing them.

k-fold cross-validation on the intent examples gives, for each example, the head's top
probability, the gap to the second and the nearest-example similarity as an unseen message would
get them; the same fold heads score a packaged list of out-of-scope texts (``oos_examples``).
We then pick the confidence, ambiguity and similarity thresholds that reject the most
out-of-scope texts while still accepting ``target_recall`` of the held-out in-scope examples.
Cross-validated probabilities are lower than those of the head trained on every example, so the
pick errs on the side of answering. It all runs on cached embeddings: a fraction of a second per
fold for a few hundred examples.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.understanding.head import DEFAULT_SURFACE_WEIGHT, IntentHead

logger = logging.getLogger(__name__)

# With ``calibrate: auto``, sets whose median intent has at most this many examples are
# calibrated. Measured (docs/benchmark.md): on CLINC150 10-shot the configured thresholds answer
# 54.9 % of in-scope questions and calibrated ones 86.6 % (out-of-scope recall 98.9 -> 84.4 %);
# on CLINC150 small (50 per intent), full (100+) and the shop intents (~36) the configured
# thresholds are as good or better, so those keep them.
AUTO_CALIBRATE_MAX_EXAMPLES = 15


def should_calibrate(setting: bool | str, examples_per_intent: Sequence[int]) -> bool:
    """Whether to calibrate the fallback thresholds for a set with these example counts."""
    if setting != "auto":
        return bool(setting)
    if not examples_per_intent:
        return False
    return float(np.median(examples_per_intent)) <= AUTO_CALIBRATE_MAX_EXAMPLES


CONFIDENCE_GRID = np.round(np.arange(0.0, 0.96, 0.01), 2)
AMBIGUITY_GRID = np.round(np.arange(0.0, 0.51, 0.01), 2)
SIMILARITY_GRID = np.round(np.arange(0.70, 0.96, 0.01), 2)


@dataclass(frozen=True)
class Examples:
    """Texts with their embeddings (and, for intent examples, their intents)."""

    texts: Sequence[str]
    vectors: np.ndarray
    labels: Sequence[str] = ()


@dataclass(frozen=True)
class Calibration:
    confidence: float
    ambiguity: float
    similarity: float
    in_scope_recall: float  # share of held-out in-scope examples accepted
    oos_rejection: float  # share of out-of-scope texts rejected


@dataclass(frozen=True)
class _Scores:
    top: np.ndarray
    gap: np.ndarray
    similarity: np.ndarray


@dataclass(frozen=True)
class CrossValidation:
    """What held-out in-scope examples and out-of-scope texts score, fold by fold."""

    in_scope: _Scores
    out_of_scope: _Scores


def calibrate(
    examples: Examples,
    off_topic: Examples,
    *,
    target_recall: float = 0.97,
    folds: int = 5,
    seed: int = 0,
    surface_weight: float = DEFAULT_SURFACE_WEIGHT,
) -> Calibration:
    """Thresholds for a head trained on ``examples``, as ``IntentClassifier`` does."""
    started = time.perf_counter()
    result = choose(cross_validate(examples, off_topic, folds, seed, surface_weight), target_recall)
    logger.info(
        "Calibrated on %d examples and %d out-of-scope texts in %.2f s: confidence %.2f, "
        "ambiguity %.2f, similarity %.2f (held-out in-scope accepted %.1f%%, out-of-scope "
        "rejected %.1f%%)",
        len(examples.labels),
        len(off_topic.texts),
        time.perf_counter() - started,
        result.confidence,
        result.ambiguity,
        result.similarity,
        100 * result.in_scope_recall,
        100 * result.oos_rejection,
    )
    return result


def cross_validate(
    examples: Examples,
    off_topic: Examples,
    folds: int = 5,
    seed: int = 0,
    surface_weight: float = DEFAULT_SURFACE_WEIGHT,
) -> CrossValidation:
    from sklearn.model_selection import StratifiedKFold  # here: a cached head never needs it

    texts, vectors, labels = list(examples.texts), examples.vectors, np.asarray(examples.labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    in_parts: list[_Scores] = []
    oos_parts: list[_Scores] = []
    with warnings.catch_warnings():
        # An intent with fewer examples than folds is fine: it is simply missing from some folds.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(vectors, labels))
    for train, test in splits:
        head = IntentHead.fit(
            [texts[i] for i in train], vectors[train], labels[train], surface_weight
        )  # as IntentClassifier.train
        held_out = Examples([texts[i] for i in test], vectors[test])
        in_parts.append(_score(head, vectors[train], labels[train], held_out))
        oos_parts.append(_score(head, vectors[train], labels[train], off_topic))
    return CrossValidation(_concat(in_parts), _concat(oos_parts))


def _score(
    head: IntentHead, train_vectors: np.ndarray, train_labels: np.ndarray, scored: Examples
) -> _Scores:
    vectors = scored.vectors
    probabilities = head.probabilities(scored.texts, vectors)
    ordered = np.sort(probabilities, axis=1)[:, ::-1]
    gap = ordered[:, 0] - (ordered[:, 1] if ordered.shape[1] > 1 else 0.0)
    top_labels = head.classes[np.argmax(probabilities, axis=1)]
    cosines = vectors @ train_vectors.T
    similarity = np.array(
        [np.max(cosines[i, train_labels == label]) for i, label in enumerate(top_labels)]
    )
    return _Scores(ordered[:, 0], gap, similarity)


def _concat(parts: list[_Scores]) -> _Scores:
    return _Scores(
        *(
            np.concatenate([getattr(p, name) for p in parts])
            for name in ("top", "gap", "similarity")
        )
    )


def choose(scores: CrossValidation, target_recall: float) -> Calibration:
    """Grid search over (similarity, confidence, ambiguity); most rejection first, then most
    recall, then the lowest thresholds."""
    in_scope, oos = scores.in_scope, scores.out_of_scope
    best: tuple[float, Calibration] | None = None
    for similarity in SIMILARITY_GRID:
        recall = _accepted(in_scope, similarity).mean(axis=2)
        rejection = (
            1.0 - _accepted(oos, similarity).mean(axis=2) if len(oos.top) else np.zeros_like(recall)
        )
        score = np.where(recall >= target_recall, rejection * 1e3 + recall, -np.inf)
        i, j = np.unravel_index(int(np.argmax(score)), score.shape)
        if np.isfinite(score[i, j]) and (best is None or score[i, j] > best[0]):
            best = (
                float(score[i, j]),
                Calibration(
                    float(CONFIDENCE_GRID[i]),
                    float(AMBIGUITY_GRID[j]),
                    float(similarity),
                    float(recall[i, j]),
                    float(rejection[i, j]),
                ),
            )
    if best is None:  # nothing reaches the target: accept everything the head says
        return Calibration(0.0, 0.0, 0.0, 1.0, 0.0)
    return best[1]


def _accepted(scores: _Scores, similarity: float) -> np.ndarray:
    """Accepted or not, shape (confidence grid, ambiguity grid, messages)."""
    return (
        (scores.top[None, None, :] >= CONFIDENCE_GRID[:, None, None])
        & (scores.gap[None, None, :] >= AMBIGUITY_GRID[None, :, None])
        & (scores.similarity >= similarity)[None, None, :]
    )
