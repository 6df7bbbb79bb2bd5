"""``calibrate: auto``: few-shot intent sets get calibrated thresholds, others keep the config."""

from __future__ import annotations

import pytest

from bot.brain_factory import calibration_recall
from bot.intents import Intent, IntentSet
from bot.understanding.calibration import should_calibrate
from switchboard.settings import Settings


def _set(examples_per_intent: int, intents: int = 20) -> IntentSet:
    return IntentSet(
        {
            f"i{n}": Intent(f"i{n}", tuple(f"q{n}-{k}" for k in range(examples_per_intent)))
            for n in range(intents)
        }
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([10] * 150, True),
        ([15, 14, 16], True),
        ([50] * 150, False),
        ([36] * 18, False),
        ([], False),
    ],
)
def test_auto_follows_the_examples_per_intent(counts: list[int], expected: bool) -> None:
    assert should_calibrate("auto", counts) is expected


def test_true_and_false_are_obeyed() -> None:
    assert should_calibrate(True, [100] * 5)
    assert not should_calibrate(False, [3] * 5)


def test_the_runtime_asks_for_the_configured_recall_only_when_calibrating() -> None:
    settings = Settings(understanding={"calibration_recall": 0.9})
    assert calibration_recall(settings, _set(10)) == 0.9
    assert calibration_recall(settings, _set(40)) is None
    off = Settings(understanding={"calibrate": False})
    assert calibration_recall(off, _set(10)) is None
