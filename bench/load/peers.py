"""The peers that run no Switchboard process: the classifier alone, and Rasa's /model/parse."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.brain import Brain
from switchboard.settings import Settings


@dataclass(frozen=True)
class ClassifierSpeed:
    messages: int
    predict_per_s: float  # IntentClassifier.predict alone: what the issue calls the classifier
    cpu_ms: float  # CPU time per message, predict + assess (this process's, all threads)
    with_triage_per_s: float | None  # predict + the assessor, the model work a worker does


def build_brain(settings: Settings) -> Brain:
    """The brain a worker builds (same settings, same encoder threads)."""
    from bot.brain_factory import build_brain as build

    return build(settings)


def classifier_alone(
    brain: Brain, warmup: Sequence[str], texts: Sequence[str], seconds: float
) -> ClassifierSpeed:
    """One message at a time, in this process, on distinct texts, for up to ``seconds``."""
    classifier, assessor = brain.classifier, brain.assessor
    for text in warmup:
        understood = classifier.predict(text)
        if assessor is not None:
            assessor.assess(text, understood)
    predicting = assessing = 0.0
    count = 0
    cpu = time.process_time()
    for text in texts:
        began = time.perf_counter()
        understood = classifier.predict(text)
        predicted = time.perf_counter()
        if assessor is not None:
            assessor.assess(text, understood)
        predicting += predicted - began
        assessing += time.perf_counter() - predicted
        count += 1
        if predicting + assessing >= seconds:
            break
    return ClassifierSpeed(
        messages=count,
        predict_per_s=count / predicting,
        cpu_ms=(time.process_time() - cpu) / count * 1e3,
        with_triage_per_s=count / (predicting + assessing) if assessor is not None else None,
    )


def rasa_available() -> bool:
    from bench.systems.rasa_peer import VENV

    return (VENV / "bin" / "rasa").is_file()


def rasa_parse(intents_dir: object, texts: Sequence[str], epochs: int) -> tuple[float, float]:
    """Train Rasa 3.6 DIET on our intents, then POST each text to /model/parse in turn.
    Returns (messages/s, training seconds)."""
    from pathlib import Path

    from bench.datasets import load_intent_folder
    from bench.systems.rasa_peer import RasaPeer

    peer = RasaPeer(epochs=epochs)
    try:
        trained = peer.fit(load_intent_folder(Path(str(intents_dir))))
        peer.predict(list(texts[:10]))  # the first parses load the model's graph
        scored = peer.predict(list(texts[10:]))
        return (len(texts) - 10) / scored.seconds, trained
    finally:
        peer.close()
