"""Stage 2: intent, confidence, out-of-scope and language."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from bot.brain import Brain
from bot.messages import InboundMessage
from bot.pipeline.turn import Turn
from bot.understanding.language import detect_language
from bot.understanding.result import Understanding
from bot.vocabulary import MessageKind

# What reaches the classifier as it is (a photo's caption is cut out first, by the special stage).
_CLASSIFIED = (MessageKind.TEXT, MessageKind.VOICE_TEXT)


class UnderstandStage:
    name = "understand"

    def __init__(self, brain: Brain) -> None:
        self.brain = brain
        # Understood ahead for the worker's current batch: (classifier, text) -> result. Keyed
        # by the classifier too, so that a live reload in between is never served stale.
        self._prepared: dict[tuple[int, str], Understanding] = {}

    async def prepare(self, messages: Sequence[InboundMessage]) -> None:
        """Understand a batch's texts in one encoder call (``Pipeline.prepare``)."""
        classifier = self.brain.classifier
        texts = list(dict.fromkeys(m.text for m in messages if m.kind in _CLASSIFIED))
        self._prepared = {}
        if len(texts) < 2:
            return  # nothing to share: the turn predicts on its own
        results = await asyncio.to_thread(classifier.predict_messages, texts)
        self._prepared = {(id(classifier), t): r for t, r in zip(texts, results, strict=True)}

    async def __call__(self, turn: Turn) -> None:
        classifier = self.brain.classifier
        understanding = self._prepared.get((id(classifier), turn.message.text))
        if understanding is None:
            # The encoder is CPU-bound; a thread keeps the event loop (and the API) responsive.
            understanding = await asyncio.to_thread(classifier.predict, turn.message.text)
        if turn.state.language and not detect_language(turn.message.text, default=""):
            # "👍" or "12345" says nothing about language: keep answering in the last one.
            understanding = replace(understanding, language=turn.state.language)
        turn.understanding = understanding
        turn.state.language = understanding.language
