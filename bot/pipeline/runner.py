"""The ordered stage loop, after python-telegram-bot's dispatch: explicit stop, one error hook."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.messages import InboundMessage
from bot.pipeline.turn import StopPipeline, Turn

logger = logging.getLogger(__name__)


class Stage(Protocol):
    name: str

    async def __call__(self, turn: Turn) -> None: ...


class Pipeline:
    def __init__(self, stages: list[Stage]) -> None:
        self.stages = stages

    async def prepare(self, messages: Sequence[InboundMessage]) -> None:
        """Let stages do, once for a batch of messages a worker has read, what they would do
        for each alone (the encoder embeds a batch in one call). Only a speed-up: a stage
        must decide exactly as it would without it."""
        for stage in self.stages:
            prepare = getattr(stage, "prepare", None)
            if prepare is not None:
                await prepare(messages)

    async def run(self, turn: Turn) -> Turn:
        """Run the stages in order until one stops the turn. Errors propagate to the caller,
        which leaves the message unacknowledged so that it is retried."""
        for stage in self.stages:
            try:
                await stage(turn)
            except StopPipeline as stop:
                turn.stopped_by = f"{stage.name}: {stop.reason}"
                logger.debug("Turn %s stopped by %s", turn.message.log_ref, turn.stopped_by)
                break
        return turn
