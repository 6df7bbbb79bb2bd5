"""Stage 2: intent, confidence, out-of-scope and language."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.brain import Brain
from bot.pipeline.turn import Turn
from bot.understanding.language import detect_language


class UnderstandStage:
    name = "understand"

    def __init__(self, brain: Brain) -> None:
        self.brain = brain

    async def __call__(self, turn: Turn) -> None:
        # The encoder is CPU-bound; a thread keeps the event loop (and the API) responsive.
        understanding = await asyncio.to_thread(self.brain.classifier.predict, turn.message.text)
        if turn.state.language and not detect_language(turn.message.text, default=""):
            # "👍" or "12345" says nothing about language: keep answering in the last one.
            understanding = replace(understanding, language=turn.state.language)
        turn.understanding = understanding
        turn.state.language = understanding.language
