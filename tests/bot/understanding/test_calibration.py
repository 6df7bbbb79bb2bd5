"""Fallback thresholds chosen by cross-validation for an intent set."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from bot.brain import Brain
from bot.understanding.calibration import (
    Calibration,
    CrossValidation,
    Examples,
    choose,
    cross_validate,
)
from bot.understanding.classifier import IntentClassifier, Thresholds
from bot.understanding.oos_examples import OUT_OF_SCOPE_EXAMPLES


@pytest.fixture(scope="module")
def scores(brain: Brain) -> CrossValidation:
    encoder = brain.classifier.encoder
    texts, labels = brain.intent_set.training_pairs()
    off_topic = list(OUT_OF_SCOPE_EXAMPLES)
    return cross_validate(
        Examples(texts, encoder.encode_cached(texts), labels),
        Examples(off_topic, encoder.encode_cached(off_topic)),
    )


@pytest.fixture(scope="module")
def calibration(scores: CrossValidation) -> Calibration:
    return choose(scores, target_recall=0.97)


def test_keeps_in_scope_recall_and_rejects_most_off_topic_texts(
    calibration: Calibration,
) -> None:
    assert calibration.in_scope_recall >= 0.97
    assert calibration.oos_rejection >= 0.4
    assert 0.0 <= calibration.confidence < 1.0
    assert 0.0 <= calibration.ambiguity <= 0.5
    assert 0.7 <= calibration.similarity < 1.0


def test_calibrated_thresholds_keep_the_readme_examples_right(
    brain: Brain, calibration: Calibration
) -> None:
    classifier = brain.classifier.with_thresholds(
        Thresholds(calibration.confidence, calibration.ambiguity, calibration.similarity)
    )
    assert classifier.predict("退货政策是什么?").intent == "return_policy"
    assert classifier.predict("what is your return policy?").intent == "return_policy"
    assert classifier.predict("asdf qwer").out_of_scope


def test_a_stricter_recall_target_never_rejects_more(scores: CrossValidation) -> None:
    loose = choose(scores, target_recall=0.9)
    strict = choose(scores, target_recall=0.99)
    assert strict.in_scope_recall >= 0.99
    assert strict.oos_rejection <= loose.oos_rejection
    assert choose(scores, target_recall=1.0).in_scope_recall == 1.0


def test_training_with_calibration_replaces_and_logs_the_thresholds(
    brain: Brain, caplog: pytest.LogCaptureFixture
) -> None:
    configured = Thresholds(confidence=0.45, ambiguity=0.08, similarity=0.8)
    with caplog.at_level(logging.INFO, logger="bot.understanding.classifier"):
        classifier = IntentClassifier.train(
            brain.classifier.encoder, brain.intent_set, configured, calibration_recall=0.97
        )
    assert classifier.thresholds != configured
    assert "calibrated" in caplog.text
    assert "0.45 ->" in caplog.text
    assert np.isfinite(classifier.thresholds.confidence)
    assert classifier.predict("what is your return policy?").intent == "return_policy"
