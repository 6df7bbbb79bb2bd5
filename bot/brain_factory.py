"""Builds the brain from settings: the encoder, the trained intent head and the assessor.

Used by every process that understands messages (the worker, the API's in-process worker, the
CLI's ``classify`` and ``evaluate``, the intent admin's evaluation, the benchmarks).
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.brain import Brain, BrainReloader
from bot.intent_versions import IntentVersions
from bot.intents import IntentSet, load_intent_set
from bot.settings import EngineSettings
from bot.understanding.assessment import Assessor
from bot.understanding.classifier import IntentClassifier, Thresholds
from bot.understanding.encoder import Encoder


def build_brain(
    settings: EngineSettings,
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
    encoder: Encoder, intent_set: IntentSet, settings: EngineSettings, *, progress: bool = False
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


def calibration_recall(settings: EngineSettings, intent_set: IntentSet) -> float | None:
    """The recall to calibrate the fallback thresholds for, or None to keep the configured."""
    from bot.understanding.calibration import should_calibrate

    understanding = settings.understanding
    counts = [len(intent.examples) for intent in intent_set.intents.values()]
    if should_calibrate(understanding.calibrate, counts):
        return understanding.calibration_recall
    return None


async def seed_intents(redis: Redis, settings: EngineSettings) -> None:
    """Make the intent files version 1 when Redis holds no intent set yet."""
    await IntentVersions(redis).seed(load_intent_set(settings.understanding.intents_dir))


def reloader(redis: Redis, brain: Brain, settings: EngineSettings) -> BrainReloader:
    """Keeps ``brain`` on the live intent-set version, re-using its encoder (and its cache)."""
    encoder = brain.classifier.encoder
    return BrainReloader(
        redis,
        brain,
        lambda intent_set: train_classifier(encoder, intent_set, settings),
        reassess=lambda intent_set: Assessor.build(
            encoder, settings.assessment, settings.data_dir, intent_set.triage_examples
        ),
    )
