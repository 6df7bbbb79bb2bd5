"""The routers the routing benchmark compares, each trained on one intent set.

- ``switchboard``: the product's own path for the first message of a conversation: the brain
  ``bot.brain_factory.build_brain`` builds, ``classifier.predict``, ``assessor.assess``, then
  ``bot.policy.decide`` with a fresh ``ConversationState``.
- ``tfidf-lr`` and ``rasa-diet``: an intent and its confidence, routed as Rasa's
  FallbackClassifier would (``routing_metrics.threshold_route``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np

from bench.datasets import IntentSplit
from bench.routing_metrics import BOT, PERSON, REPHRASE, Outcome, threshold_route
from bench.systems.ours import fresh_cache_root
from bench.systems.rasa_peer import RasaPeer
from bench.systems.tfidf import TfidfPeer
from bot.brain_factory import build_brain
from bot.conversations import ConversationState
from bot.intents import IntentSet
from bot.policy import AutoAnswer, Clarify, Decision, decide
from bot.understanding.result import Understanding
from switchboard.settings import Settings

logger = logging.getLogger(__name__)

FALLBACK_THRESHOLD = 0.3  # Rasa FallbackClassifier's defaults
AMBIGUITY_THRESHOLD = 0.1
MAX_MISUNDERSTOOD = 2


def bench_settings(settings: Settings) -> Settings:
    """The configured settings with an empty data folder of their own, sharing the built model
    and the cached example embeddings (the triage head is fitted afresh, from cached vectors)."""
    root = fresh_cache_root(settings)
    embeddings = (settings.data_dir / "embeddings").resolve()
    embeddings.mkdir(parents=True, exist_ok=True)
    (root / "embeddings").symlink_to(embeddings, target_is_directory=True)
    return settings.model_copy(update={"data_dir": root})


def split_of(intent_set: IntentSet, language: str) -> IntentSplit:
    texts, labels = intent_set.training_pairs()
    return IntentSplit("routing", language, list(zip(texts, labels, strict=True)), [])


def handoff_intents(intent_set: IntentSet) -> set[str]:
    return {name for name, intent in intent_set.intents.items() if intent.handoff}


class SwitchboardRouter:
    name = "switchboard"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._brain: Any = None
        self._intent_set: IntentSet | None = None
        understanding, assessment = settings.understanding, settings.assessment
        self.settings = {
            "model": understanding.model,
            "backend": understanding.backend,
            "thresholds": {
                "confidence": understanding.confidence_threshold,
                "ambiguity": understanding.ambiguity_threshold,
                "similarity": understanding.similarity_threshold,
            },
            "triage": {
                "person": assessment.person_threshold,
                "crisis": assessment.crisis_threshold,
                "chitchat": assessment.chitchat_threshold,
            },
            "max_misunderstood": MAX_MISUNDERSTOOD,
        }

    def fit(self, intent_set: IntentSet, language: str) -> float:
        started = time.perf_counter()
        self._brain = build_brain(self._settings, intent_set)
        self._intent_set = intent_set
        return time.perf_counter() - started

    def understand(self, text: str) -> Understanding:
        understanding = self._brain.classifier.predict(text)
        return self._brain.assessor.assess(text, understanding)

    def route(self, texts: Sequence[str]) -> list[Outcome]:
        assert self._intent_set is not None, "fit() first"
        outcomes = []
        for text in texts:
            understanding = self.understand(text)
            decision = decide(
                understanding,
                ConversationState(),
                self._intent_set,
                max_misunderstood=MAX_MISUNDERSTOOD,
            )
            outcomes.append(outcome(understanding, decision))
        return outcomes

    def time_triage(self, texts: Sequence[str]) -> tuple[list[float], list[float]]:
        """Per message: ``classifier.predict`` alone (it embeds the text), then
        ``assessor.assess`` after it (it reuses that embedding)."""
        predict, assess = [], []
        for text in texts:
            started = time.perf_counter()
            understanding = self._brain.classifier.predict(text)
            middle = time.perf_counter()
            self._brain.assessor.assess(text, understanding)
            predict.append(middle - started)
            assess.append(time.perf_counter() - middle)
        return predict, assess

    def close(self) -> None:
        self._brain = None


def outcome(understanding: Understanding, decision: Decision) -> Outcome:
    top = understanding.top_intent
    if isinstance(decision, AutoAnswer):
        return Outcome(BOT, decision.intent, understanding.confidence)
    if isinstance(decision, Clarify):
        return Outcome(
            REPHRASE,
            top,
            understanding.confidence,
            small_talk=decision.prompt == "chitchat",
            reason=decision.reason,
        )
    return Outcome(PERSON, top, understanding.confidence, reason=decision.reason.code)


class TfidfRouter:
    name = "tfidf-lr"

    def __init__(self) -> None:
        self._peer = TfidfPeer()
        self._handoff: set[str] = set()
        self.settings = {
            **self._peer.settings,
            "fallback": FALLBACK_THRESHOLD,
            "ambiguity": AMBIGUITY_THRESHOLD,
        }

    def fit(self, intent_set: IntentSet, language: str) -> float:
        self._handoff = handoff_intents(intent_set)
        texts, labels = intent_set.training_pairs()
        return self._peer.fit_pairs(texts, labels)

    def route(self, texts: Sequence[str]) -> list[Outcome]:
        if not texts:
            return []
        probabilities = np.sort(self._peer.probabilities(texts), axis=1)
        top = self._peer.predict(texts).predicted
        return [
            threshold_route(
                intent,
                float(row[-1]),
                float(row[-2]),
                self._handoff,
                FALLBACK_THRESHOLD,
                AMBIGUITY_THRESHOLD,
            )
            for intent, row in zip(top, probabilities, strict=True)
        ]

    def close(self) -> None:
        self._peer.close()


class RasaRouter(RasaPeer):
    """Rasa DIET over HTTP; the ranking's top two give the FallbackClassifier's gap."""

    name = "rasa-diet"

    def __init__(self) -> None:
        super().__init__()
        self._handoff: set[str] = set()
        self.settings = {
            **self.settings,
            "fallback": FALLBACK_THRESHOLD,
            "ambiguity": AMBIGUITY_THRESHOLD,
        }

    def fit(self, intent_set: IntentSet, language: str) -> float:  # type: ignore[override]
        self._handoff = handoff_intents(intent_set)
        return super().fit(split_of(intent_set, language))

    def route(self, texts: Sequence[str]) -> list[Outcome]:
        outcomes = []
        with httpx.Client(base_url=self._url, timeout=60) as client:
            for text in texts:
                parsed = client.post("/model/parse", json={"text": text}).json()
                ranking = parsed.get("intent_ranking") or [parsed["intent"]]
                first = ranking[0]
                second = float(ranking[1].get("confidence") or 0.0) if len(ranking) > 1 else 0.0
                outcomes.append(
                    threshold_route(
                        str(first.get("name") or ""),
                        float(first.get("confidence") or 0.0),
                        second,
                        self._handoff,
                        FALLBACK_THRESHOLD,
                        AMBIGUITY_THRESHOLD,
                    )
                )
        return outcomes
