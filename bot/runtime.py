"""Assembles the running parts from settings: the brain, the pipeline, the senders."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter
from redis.asyncio import Redis

from bot.brain import Brain
from bot.intents import load_intent_set
from bot.outbox import ReplySender
from bot.pipeline import Pipeline
from bot.pipeline.conversation import ConversationStage
from bot.pipeline.decide import DecideStage
from bot.pipeline.respond import RespondStage
from bot.pipeline.understand import UnderstandStage
from bot.settings import Settings
from bot.transcript import Transcripts
from bot.understanding.classifier import IntentClassifier, Thresholds
from bot.understanding.encoder import Encoder
from connectors.webchat.routes import router as webchat_router
from connectors.webchat.sender import WebchatSender

logger = logging.getLogger(__name__)


def build_brain(settings: Settings, *, progress: bool = False) -> Brain:
    """Load the encoder and the intent set, and train the intent head (seconds)."""
    understanding = settings.understanding
    intent_set = load_intent_set(understanding.intents_dir)
    encoder = Encoder(understanding.model, settings.data_dir, threads=understanding.threads)
    classifier = IntentClassifier.train(
        encoder, intent_set, Thresholds.from_settings(understanding), progress=progress
    )
    return Brain(classifier=classifier)


def build_pipeline(brain: Brain, settings: Settings) -> Pipeline:
    return Pipeline([
        ConversationStage(),
        UnderstandStage(brain),
        DecideStage(brain, max_misunderstood=settings.policy.max_misunderstood),
        RespondStage(brain),
    ])


def build_transcripts(redis: Redis, settings: Settings) -> Transcripts:
    return Transcripts(
        redis, settings.inbox.transcript_max, reply_ttl_seconds=settings.inbox.dedupe_ttl_seconds
    )


def build_senders(redis: Redis, settings: Settings) -> dict[str, ReplySender]:
    senders: list[ReplySender] = []
    if settings.webchat.enabled:
        senders.append(WebchatSender(build_transcripts(redis, settings)))
    return {sender.platform: sender for sender in senders}


@dataclass(frozen=True)
class ConnectorLoop:
    """A connector's own long-running job (a poller, a webhook registration...), run by the
    API process until ``stop`` is set."""

    name: str
    run: Callable[[asyncio.Event], Awaitable[None]]


def build_routers(settings: Settings) -> list[APIRouter]:
    """The receiving halves (webhooks, pages) of the enabled connectors."""
    routers: list[APIRouter] = []
    if settings.webchat.enabled:
        routers.append(webchat_router)
    return routers


def build_connector_loops(redis: Redis, settings: Settings) -> list[ConnectorLoop]:
    """Long-running jobs of the enabled connectors (none for the web chat)."""
    return []
