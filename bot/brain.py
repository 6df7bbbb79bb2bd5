"""The intent set and trained classifier a process is answering with right now.

Stages read ``brain.classifier`` on every turn instead of holding their own reference, so a
newly published intent set is swapped in (one attribute assignment) without a restart.
``BrainReloader`` keeps a process on the live version: it listens for publications and, as a
safety net for a missed message, checks the live version every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from bot import keys
from bot.intent_versions import IntentVersions
from bot.intents import IntentSet
from bot.understanding.assessment import Assessor
from bot.understanding.classifier import IntentClassifier

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.5


@dataclass
class Brain:
    classifier: IntentClassifier
    version: int = 0
    # Negativity, requests for a person, severity (None: every message counts as normal).
    assessor: Assessor | None = None

    @property
    def intent_set(self) -> IntentSet:
        return self.classifier.intent_set


class BrainReloader:
    def __init__(
        self,
        redis: Redis,
        brain: Brain,
        retrain: Callable[[IntentSet], IntentClassifier],
        check_every_seconds: float = 10.0,
        reassess: Callable[[IntentSet], Assessor] | None = None,
    ) -> None:
        self.redis = redis
        self.brain = brain
        self.retrain = retrain
        self.reassess = reassess
        self.versions = IntentVersions(redis)
        self.check_every_seconds = check_every_seconds

    async def sync(self) -> bool:
        """Load the live version if this process is not on it; True when it changed."""
        live = await self.versions.live()
        if live is None or live.number == self.brain.version:
            return False
        if live.intent_set == self.brain.intent_set:
            self.brain.version = live.number  # same content (e.g. the seed): nothing to train
            return True
        # Training embeds only new examples (the rest are cached) and fits a small head: it
        # takes well under a second, in a thread so the process keeps answering meanwhile.
        classifier = await asyncio.to_thread(self.retrain, live.intent_set)
        if (
            self.reassess is not None
            and self.brain.assessor is not None
            and live.intent_set.triage_examples != self.brain.intent_set.triage_examples
        ):
            # The brand's own triage examples changed: the triage head learns them too.
            self.brain.assessor = await asyncio.to_thread(self.reassess, live.intent_set)
        self.brain.classifier, self.brain.version = classifier, live.number
        logger.info("Now answering with intent-set version %d", live.number)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(keys.INTENTS_CHANNEL)
                await self.sync()  # anything published before we subscribed
                await self._follow(pubsub, stop)
            except (RedisError, OSError) as exc:
                logger.warning("Intent reloader lost Redis (%r); retrying in 1 s", exc)
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _follow(self, pubsub: PubSub, stop: asyncio.Event) -> None:
        # Short waits so that a stopping process is not held up; a full check now and then
        # catches an announcement missed while reconnecting.
        last_check = time.monotonic()
        while not stop.is_set():
            message = await pubsub.get_message(timeout=_POLL_SECONDS)
            overdue = time.monotonic() - last_check >= self.check_every_seconds
            if message is not None:
                logger.info(
                    "Intent-set version %s announced", json.loads(message["data"]).get("version")
                )
            if message is not None or overdue:
                await self.sync()
                last_check = time.monotonic()
