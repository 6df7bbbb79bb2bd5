"""Building the brain from settings: the encoder, the intent head, the triage assessor.

Apart from ``bot.runtime`` (which re-exports these) so that `switchboard classify` imports no web
framework or connector: half a second of its start.
"""

from __future__ import annotations

from bot.brain import Brain
from bot.intents import IntentSet, load_intent_set
from bot.settings import Settings
from bot.understanding.assessment import Assessor
from bot.understanding.classifier import IntentClassifier, Thresholds
from bot.understanding.encoder import Encoder


def build_brain(
    settings: Settings,
    intent_set: IntentSet | None = None,
    *,
    progress: bool = False,
    version: int = 0,
) -> Brain:
    """Load the encoder and train the intent head (seconds) on ``intent_set``, by default the
    files in ``understanding.intents_dir``."""
    understanding = settings.understanding
    intent_set = intent_set or load_intent_set(understanding.intents_dir)
    encoder = Encoder(
        understanding.model,
        settings.data_dir,
        threads=understanding.threads,
        backend=understanding.backend,
    )
    classifier = train_classifier(encoder, intent_set, settings, progress=progress)
    assessor = Assessor.build(
        encoder, settings.assessment, settings.data_dir, intent_set.triage_examples
    )
    return Brain(classifier=classifier, version=version, assessor=assessor)


def train_classifier(
    encoder: Encoder, intent_set: IntentSet, settings: Settings, *, progress: bool = False
) -> IntentClassifier:
    understanding = settings.understanding
    return IntentClassifier.train(
        encoder,
        intent_set,
        Thresholds.from_settings(understanding),
        progress=progress,
        calibration_recall=calibration_recall(settings, intent_set),
        surface_weight=understanding.surface_weight,
        cache_dir=settings.data_dir / "heads",
    )


def calibration_recall(settings: Settings, intent_set: IntentSet) -> float | None:
    """The recall to calibrate the fallback thresholds for, or None to keep the configured."""
    from bot.understanding.calibration import should_calibrate

    understanding = settings.understanding
    counts = [len(intent.examples) for intent in intent_set.intents.values()]
    if should_calibrate(understanding.calibrate, counts):
        return understanding.calibration_recall
    return None
