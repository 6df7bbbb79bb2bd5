"""Switchboard itself: the product's encoder and ``IntentClassifier``, as the bot runs them."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.datasets import IntentSplit
from bench.systems import Scored
from bot.brain_factory import calibration_recall
from bot.intents import Intent, IntentSet
from bot.understanding.classifier import IntentClassifier, Thresholds
from bot.understanding.encoder import Encoder
from bot.understanding.result import Understanding
from switchboard.settings import Settings


def split_intent_set(split: IntentSplit) -> IntentSet:
    examples: dict[str, list[str]] = {}
    for text, label in split.train:
        examples.setdefault(label, []).append(text)
    return IntentSet(
        {name: Intent(name, tuple(dict.fromkeys(lines))) for name, lines in examples.items()}
    )


def fresh_cache_root(settings: Settings) -> Path:
    """An empty cache folder (honest training times) whose ``models`` is the configured
    data dir's, so the built model is shared and nothing is rebuilt."""
    root = Path(tempfile.mkdtemp(prefix="sb-bench-"))
    atexit.register(shutil.rmtree, root, True)
    models = (settings.data_dir / "models").resolve()
    models.mkdir(parents=True, exist_ok=True)
    (root / "models").symlink_to(models, target_is_directory=True)
    return root


def fresh_encoder(
    settings: Settings, threads: int | None = None, root: Path | None = None
) -> Encoder:
    """The configured encoder with an empty embedding cache."""
    understanding = settings.understanding
    return Encoder(
        understanding.model,
        root or fresh_cache_root(settings),
        threads=threads or understanding.threads,
        backend=understanding.backend,
    )


class Ours:
    name = "switchboard"

    def __init__(
        self, settings: Settings, threads: int | None = None, cache_root: Path | None = None
    ) -> None:
        """``cache_root``: share an embedding cache between fits (speed runs); by default each
        fit starts empty, so training times include embedding."""
        self._cache_root = cache_root
        understanding = settings.understanding
        self._settings = settings
        self._threads = threads
        self.thresholds = Thresholds.from_settings(understanding)
        self._calibrate = understanding.calibrate
        self.settings = {
            "model": understanding.model,
            "backend": understanding.backend,
            "thresholds": {
                "confidence": self.thresholds.confidence,
                "ambiguity": self.thresholds.ambiguity,
                "similarity": self.thresholds.similarity,
            },
            "calibrated": self._calibrate,
            "surface_weight": understanding.surface_weight,
        }
        self.classifier: IntentClassifier | None = None

    def fit(self, split: IntentSplit) -> float:
        # Loading the model is not training: the clock starts after it.
        encoder = fresh_encoder(self._settings, self._threads, root=self._cache_root)
        started = time.perf_counter()
        intent_set = split_intent_set(split)
        self.classifier = IntentClassifier.train(
            encoder,
            intent_set,
            self.thresholds,
            calibration_recall=calibration_recall(self._settings, intent_set),
            surface_weight=self._settings.understanding.surface_weight,
        )
        return time.perf_counter() - started

    def predict(self, texts: Sequence[str]) -> Scored:
        assert self.classifier is not None, "fit() first"
        started = time.perf_counter()
        results = self.classifier.predict_many(list(texts))
        seconds = time.perf_counter() - started
        return Scored(
            [r.top_intent for r in results],
            [r.confidence for r in results],
            [self._margin(r) for r in results],
            [r.out_of_scope for r in results],
            seconds,
        )

    def _margin(self, result: Understanding) -> float:
        """How far a result is from each fallback test, as a ratio: < 1 means it fell back.
        One continuous score whose cut at 1 is exactly the configured decision."""
        limits = self.classifier.thresholds if self.classifier else self.thresholds
        ranking = result.ranking
        gap = ranking[0].confidence - (ranking[1].confidence if len(ranking) > 1 else 0.0)
        return min(
            result.confidence / max(limits.confidence, 1e-6),
            gap / max(limits.ambiguity, 1e-6),
            result.similarity / max(limits.similarity, 1e-6),
        )

    def close(self) -> None:
        self.classifier = None
