"""Cross-validation through the real training path, on the tiny set and the built-in model."""

from __future__ import annotations

from collections import Counter

from bot.evaluation.crossval import Prediction
from bot.intents import IntentSet
from tests.bot.evaluation.conftest import EXAMPLES, MISFILED


def test_every_example_is_predicted_once_by_a_head_that_never_saw_it(
    tiny_set: IntentSet, predictions: list[Prediction]
) -> None:
    texts, _ = tiny_set.training_pairs()
    assert Counter(p.text for p in predictions) == Counter(texts)
    assert {p.fold for p in predictions} == {0, 1, 2, 3}
    assert Counter(p.intent for p in predictions) == {k: len(v) for k, v in EXAMPLES.items()}


def test_predictions_carry_confidence_and_the_misfiled_example_is_caught(
    predictions: list[Prediction],
) -> None:
    assert all(0.0 < p.confidence <= 1.0 for p in predictions)
    misfiled = next(p for p in predictions if p.text == MISFILED)
    assert misfiled.intent == "greet"
    assert misfiled.predicted == "order_tracking"
    assert not misfiled.correct
    assert sum(p.correct for p in predictions) >= 20  # the rest is easy
