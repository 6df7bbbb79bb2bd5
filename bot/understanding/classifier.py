"""Intent classification: a head over sentence embeddings and character n-grams, with fallback.

The head (``head.IntentHead``) combines a logistic regression on the embedding with one on
character 1-4-gram TF-IDF; ``surface_weight`` sets the share of the second.

A message is out of scope (the bot should not answer it from an FAQ) when any of these holds,
after Rasa's FallbackClassifier but with a third, embedding-space test that catches gibberish
a softmax is happy to be sure about:
- the top probability is under ``confidence_threshold``;
- the gap between the top two probabilities is under ``ambiguity_threshold``;
- the cosine similarity to the nearest example of the top intent is under
  ``similarity_threshold``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bot.intents import IntentSet
from bot.settings import UnderstandingSettings
from bot.understanding import head_cache
from bot.understanding.encoder import Encoder
from bot.understanding.head import DEFAULT_SURFACE_WEIGHT, IntentHead
from bot.understanding.language import detect_language
from bot.understanding.result import IntentScore, Understanding

logger = logging.getLogger(__name__)

RANKING_SIZE = 5


@dataclass(frozen=True)
class Thresholds:
    confidence: float
    ambiguity: float
    similarity: float

    @classmethod
    def from_settings(cls, settings: UnderstandingSettings) -> Thresholds:
        return cls(
            confidence=settings.confidence_threshold,
            ambiguity=settings.ambiguity_threshold,
            similarity=settings.similarity_threshold,
        )


class IntentClassifier:
    def __init__(
        self,
        encoder: Encoder,
        intent_set: IntentSet,
        head: IntentHead,
        example_vectors: np.ndarray,
        example_labels: np.ndarray,
        thresholds: Thresholds,
    ) -> None:
        self.encoder = encoder
        self.intent_set = intent_set
        self.thresholds = thresholds
        self.from_cache = False  # the head was loaded (head_cache), not fitted
        self._head = head
        self._labels: list[str] = [str(label) for label in head.classes]
        self._example_vectors = example_vectors
        self._example_labels = example_labels
        # Each intent's example vectors, gathered once: comparing every label per message cost
        # more than the head itself on a 15,000-example set.
        self._vectors_by_intent = {
            label: example_vectors[example_labels == label] for label in self._labels
        }

    @classmethod
    def train(
        cls,
        encoder: Encoder,
        intent_set: IntentSet,
        thresholds: Thresholds,
        *,
        progress: bool = False,
        calibration_recall: float | None = None,
        surface_weight: float = DEFAULT_SURFACE_WEIGHT,
        cache_dir: Path | None = None,
    ) -> IntentClassifier:
        """Fit the head on the intent set's examples (only new examples are embedded).

        With ``calibration_recall``, the thresholds are chosen by cross-validation (see
        ``calibration``) and replace the given ones. With ``cache_dir``, a head trained before
        on the same examples, encoder and settings is loaded from there (``head_cache``), and a
        new one is kept there."""
        started = time.perf_counter()
        texts, labels = intent_set.training_pairs()
        if len(set(labels)) < 2:
            raise ValueError("An intent set needs at least two intents with examples to train")
        vectors = encoder.encode_cached(texts, progress=progress)
        digest = ""
        if cache_dir is not None:
            settings = {
                "thresholds": asdict(thresholds),
                "calibration_recall": calibration_recall,
                "surface_weight": surface_weight,
            }
            digest = head_cache.key(texts, labels, encoder.model_id, settings)
            cached = head_cache.load(cache_dir, digest)
            if cached is not None:
                logger.info("Intent head for these %d examples loaded from its cache", len(texts))
                head, limits = cached
                loaded = cls(
                    encoder, intent_set, head, vectors, np.asarray(labels), Thresholds(**limits)
                )
                loaded.from_cache = True
                return loaded
        head = IntentHead.fit(texts, vectors, labels, surface_weight)
        logger.info(
            "Trained intent head on %d examples of %d intents in %.2f s",
            len(texts),
            len(set(labels)),
            time.perf_counter() - started,
        )
        if calibration_recall is not None:
            thresholds = _calibrated(
                encoder, texts, vectors, labels, thresholds, calibration_recall, surface_weight
            )
        if cache_dir is not None:
            head_cache.save(cache_dir, digest, head, asdict(thresholds))
        return cls(encoder, intent_set, head, vectors, np.asarray(labels), thresholds)

    @property
    def surface_weight(self) -> float:
        return self._head.surface_weight

    def with_thresholds(self, thresholds: Thresholds) -> IntentClassifier:
        """The same trained head with other fallback thresholds (no re-training)."""
        return IntentClassifier(
            self.encoder,
            self.intent_set,
            self._head,
            self._example_vectors,
            self._example_labels,
            thresholds,
        )

    def predict(self, text: str) -> Understanding:
        return self.predict_vectors([text], self.encoder.encode_one(text)[None, :])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Understanding]:
        return self.predict_vectors(texts, self.encoder.encode(texts))

    def predict_messages(self, texts: Sequence[str]) -> list[Understanding]:
        """``predict_many`` for incoming messages: one encoder call for the batch, each vector
        remembered as ``predict`` does (the assessment embeds nothing twice)."""
        return self.predict_vectors(texts, self.encoder.encode_recent(texts))

    def predict_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> list[Understanding]:
        """Like ``predict_many`` for texts already embedded (evaluation on cached vectors)."""
        if not len(texts):
            return []
        probabilities = self._head.probabilities(texts, vectors)
        return [
            self._understand(t, v, p) for t, v, p in zip(texts, vectors, probabilities, strict=True)
        ]

    def _understand(
        self, text: str, vector: np.ndarray, probabilities: np.ndarray
    ) -> Understanding:
        order = np.argsort(probabilities)[::-1]
        ranking = tuple(
            IntentScore(self._labels[i], round(float(probabilities[i]), 4))
            for i in order[:RANKING_SIZE]
        )
        top, second = ranking[0], (ranking[1] if len(ranking) > 1 else IntentScore("", 0.0))
        similarity = self._nearest_similarity(vector, top.intent)
        reasons = self._fallback_reasons(
            top.confidence, top.confidence - second.confidence, similarity
        )
        if reasons:
            logger.debug("Fallback for top intent %s: %s", top.intent, ", ".join(reasons))
        return Understanding(
            intent=None if reasons else top.intent,
            confidence=top.confidence,
            ranking=ranking,
            out_of_scope=bool(reasons),
            language=detect_language(text),
            similarity=round(similarity, 4),
            reasons=tuple(reasons),
        )

    def _nearest_similarity(self, vector: np.ndarray, intent: str) -> float:
        return float(np.max(self._vectors_by_intent[intent] @ vector))

    def _fallback_reasons(self, confidence: float, gap: float, similarity: float) -> list[str]:
        limits = self.thresholds
        reasons = []
        if confidence < limits.confidence:
            reasons.append(f"confidence {confidence:.2f} < {limits.confidence:.2f}")
        if gap < limits.ambiguity:
            reasons.append(f"top-two gap {gap:.2f} < {limits.ambiguity:.2f}")
        if similarity < limits.similarity:
            reasons.append(f"nearest example similarity {similarity:.2f} < {limits.similarity:.2f}")
        return reasons


def _calibrated(
    encoder: Encoder,
    texts: list[str],
    vectors: np.ndarray,
    labels: list[str],
    configured: Thresholds,
    target_recall: float,
    surface_weight: float,
) -> Thresholds:
    from bot.understanding.calibration import Examples, calibrate
    from bot.understanding.oos_examples import OUT_OF_SCOPE_EXAMPLES

    off_topic = list(OUT_OF_SCOPE_EXAMPLES)
    result = calibrate(
        Examples(texts, vectors, labels),
        Examples(off_topic, encoder.encode_cached(off_topic)),
        target_recall=target_recall,
        surface_weight=surface_weight,
    )
    logger.info(
        "Fallback thresholds calibrated: confidence %.2f -> %.2f, ambiguity %.2f -> %.2f, "
        "similarity %.2f -> %.2f",
        configured.confidence,
        result.confidence,
        configured.ambiguity,
        result.ambiguity,
        configured.similarity,
        result.similarity,
    )
    return Thresholds(result.confidence, result.ambiguity, result.similarity)
