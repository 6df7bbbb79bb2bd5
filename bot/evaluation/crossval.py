"""Stratified k-fold cross-validation of an intent set through the real training path.

Each fold trains an ``IntentClassifier`` exactly as the running bot does (same head, same
fallback thresholds) on the other folds' examples and predicts the held-out ones. Every example is
embedded once, through the encoder's on-disk cache, so all folds together take seconds.
"""

from __future__ import annotations

import logging
import sys
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold
from tqdm import tqdm

from bot.intents import Intent, IntentSet
from bot.understanding.classifier import IntentClassifier, Thresholds
from bot.understanding.encoder import Encoder
from bot.understanding.head import DEFAULT_SURFACE_WEIGHT

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prediction:
    """One held-out example and what the classifier trained without it made of it."""

    text: str
    intent: str
    predicted: str  # the top intent, even when the fallback fired
    confidence: float
    out_of_scope: bool  # the fallback thresholds rejected it
    fold: int

    @property
    def correct(self) -> bool:
        return self.predicted == self.intent


def cross_validate(
    encoder: Encoder,
    intent_set: IntentSet,
    thresholds: Thresholds,
    *,
    folds: int = 5,
    seed: int = 0,
    calibration_recall: float | None = None,
    surface_weight: float = DEFAULT_SURFACE_WEIGHT,
    progress: bool = False,
) -> list[Prediction]:
    """Predictions for every example of ``intent_set``, each by a head that never saw it."""
    texts, labels = intent_set.training_pairs()
    folds = _usable_folds(labels, folds)
    vectors = encoder.encode_cached(texts, progress=progress)
    label_array = np.asarray(labels)
    with warnings.catch_warnings():
        # An intent with fewer examples than folds is simply missing from some test folds.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(
            StratifiedKFold(folds, shuffle=True, random_state=seed).split(vectors, label_array)
        )
    predictions: list[Prediction] = []
    for fold, (train, test) in enumerate(
        tqdm(
            splits,
            desc="Cross-validation",
            unit="fold",
            file=sys.stderr,
            disable=not progress,
        )
    ):
        subset = _subset(intent_set, [texts[i] for i in train], label_array[train])
        classifier = IntentClassifier.train(
            encoder,
            subset,
            thresholds,
            calibration_recall=calibration_recall,
            surface_weight=surface_weight,
        )
        held_out = [texts[i] for i in test]
        for index, result in zip(
            test, classifier.predict_vectors(held_out, vectors[test]), strict=True
        ):
            predictions.append(
                Prediction(
                    text=texts[index],
                    intent=labels[index],
                    predicted=result.top_intent,
                    confidence=result.confidence,
                    out_of_scope=result.out_of_scope,
                    fold=fold,
                )
            )
    logger.info(
        "Cross-validated %d examples of %d intents in %d folds",
        len(predictions),
        len(set(labels)),
        folds,
    )
    return predictions


def _usable_folds(labels: list[str], folds: int) -> int:
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    counts = np.unique(labels, return_counts=True)[1]
    if len(counts) < 2:
        raise ValueError("cross-validation needs at least two intents with examples")
    if counts.max() < folds:  # StratifiedKFold refuses more folds than the largest class
        logger.warning(
            "Only %d examples in the largest intent: using %d folds", counts.max(), counts.max()
        )
        return int(max(2, counts.max()))
    return folds


def _subset(intent_set: IntentSet, texts: list[str], labels: np.ndarray) -> IntentSet:
    examples: dict[str, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        examples.setdefault(str(label), []).append(text)
    intents = {
        name: Intent(
            name=name,
            examples=tuple(lines),
            answers=intent_set.intents[name].answers,
            handoff=intent_set.intents[name].handoff,
        )
        for name, lines in examples.items()
    }
    return IntentSet(intents=intents, system=intent_set.system)
