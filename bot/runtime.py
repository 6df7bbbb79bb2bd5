"""Assembles the running parts from settings: the brain, the pipeline, the senders."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter
from redis.asyncio import Redis

from bot.brain import Brain, BrainReloader
from bot.brain_build import build_brain, calibration_recall, train_classifier
from bot.intent_versions import IntentVersions
from bot.intents import load_intent_set
from bot.messages import OutboundReply
from bot.misses import MissLog
from bot.outbox import ReplySender
from bot.pipeline import Pipeline, Stage
from bot.pipeline.assess import AssessStage
from bot.pipeline.conversation import ConversationStage
from bot.pipeline.decide import DecideStage
from bot.pipeline.handoff import HandoffStage
from bot.pipeline.respond import RespondStage
from bot.pipeline.satisfaction import SatisfactionStage
from bot.pipeline.special import SpecialMessageStage
from bot.pipeline.understand import UnderstandStage
from bot.settings import Settings
from bot.transcript import Transcripts
from bot.understanding.assessment import Assessor
from bot.understanding.severity import BurstRule
from connectors.telegram.polling import Poller as TelegramPoller
from connectors.telegram.sender import TelegramSender
from connectors.telegram.webhook import WebhookRegistration
from connectors.telegram.webhook import build_router as build_telegram_router
from connectors.webchat.routes import router as webchat_router
from connectors.webchat.sender import WebchatSender
from connectors.wechat.wiring import wechat_loops, wechat_routers, wechat_senders
from handoff.customers import CustomerStore
from handoff.tickets import TicketStore

logger = logging.getLogger(__name__)

# Building the brain lives in bot.brain_build (no web framework or connectors to import, which
# `switchboard classify` pays for on every call); re-exported for the callers of this module.
__all__ = ["build_brain", "calibration_recall", "train_classifier"]


async def seed_intents(redis: Redis, settings: Settings) -> None:
    """Make the intent files version 1 when Redis holds no intent set yet."""
    await IntentVersions(redis).seed(load_intent_set(settings.understanding.intents_dir))


def reloader(redis: Redis, brain: Brain, settings: Settings) -> BrainReloader:
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


def build_pipeline(brain: Brain, settings: Settings, redis: Redis) -> Pipeline:
    tickets = TicketStore(redis, settings.handoff)
    customers = CustomerStore(redis, settings.handoff.tiers)
    burst = settings.assessment.burst
    assess: list[Stage] = (
        []
        if brain.assessor is None
        else [AssessStage(brain, redis, BurstRule(burst.count, burst.window_seconds, burst.topic))]
    )
    return Pipeline(
        [
            ConversationStage(tickets, customers),
            SatisfactionStage(brain, tickets, grace_seconds=settings.handoff.grace_minutes * 60),
            SpecialMessageStage(brain, customers),
            UnderstandStage(brain),
            *assess,
            DecideStage(
                brain, max_misunderstood=settings.policy.max_misunderstood, misses=MissLog(redis)
            ),
            HandoffStage(tickets, customers, brain),
            RespondStage(brain, tickets, customers),
        ]
    )


def build_transcripts(redis: Redis, settings: Settings) -> Transcripts:
    return Transcripts(
        redis, settings.inbox.transcript_max, reply_ttl_seconds=settings.inbox.dedupe_ttl_seconds
    )


def build_senders(redis: Redis, settings: Settings) -> dict[str, ReplySender]:
    senders: list[ReplySender] = []
    if settings.webchat.enabled:
        senders.append(WebchatSender(build_transcripts(redis, settings)))
    if settings.telegram.enabled:
        senders.append(
            TelegramSender(
                redis,
                build_transcripts(redis, settings),
                settings.telegram,
                claim_ttl_seconds=settings.inbox.dedupe_ttl_seconds,
            )
        )
    senders += wechat_senders(redis, settings, on_unreachable=_ticket_marker(redis, settings))
    return {sender.platform: sender for sender in senders}


def _ticket_marker(redis: Redis, settings: Settings) -> Callable[..., Awaitable[None]]:
    """Show the agent that the customer cannot be reached until they write again."""
    tickets = TicketStore(redis, settings.handoff)

    async def mark(reply: OutboundReply, error: Exception) -> None:
        ticket = await tickets.current_for(reply.conversation_key)
        if ticket is not None and ticket.is_open:
            await tickets.mark_unreachable(
                ticket.id, f"cannot reach the customer until they write again ({error})"
            )

    return mark


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
    routers += wechat_routers(settings)
    if settings.telegram.enabled and settings.telegram.mode == "webhook":
        routers.append(build_telegram_router(settings.telegram))
    return routers


def build_connector_loops(redis: Redis, settings: Settings) -> list[ConnectorLoop]:
    """Long-running jobs of the enabled connectors (none for the web chat)."""
    loops: list[ConnectorLoop] = []
    if settings.telegram.enabled:
        if settings.telegram.mode == "webhook":
            registration = WebhookRegistration(redis, settings.telegram)
            loops.append(ConnectorLoop("telegram-webhook", registration.run))
        else:
            loops.append(ConnectorLoop("telegram-poller", TelegramPoller(redis, settings).run))
    loops += [ConnectorLoop(name, run) for name, run in wechat_loops(redis, settings)]
    return loops
