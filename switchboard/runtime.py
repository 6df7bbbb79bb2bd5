"""Assembles the running parts from settings: the pipeline, the senders, the connectors' parts.

The engine's stages come from bot/pipeline (``standard_pipeline``); the people's side is
plugged in through the hand-over port (handoff's ``TicketDesk``); the platforms come from
``connectors.registry``.
"""

from __future__ import annotations

from fastapi import APIRouter
from redis.asyncio import Redis

from bot.brain import Brain
from bot.outbox import DeliveryLoop, ReplySender
from bot.pipeline import Pipeline
from bot.pipeline.standard import standard_pipeline
from bot.streams import consumer_name
from bot.transcript import Transcripts
from bot.worker import Worker
from connectors.base import ConnectorLoop, Plug
from connectors.registry import CONNECTORS
from handoff.desk import TicketDesk
from handoff.tickets import TicketStore
from switchboard.settings import Settings, connector_sections


def build_pipeline(brain: Brain, settings: Settings, redis: Redis) -> Pipeline:
    """The engine's standard pipeline, with the people's side plugged in."""
    return standard_pipeline(
        brain, redis, ticket_desk(redis, settings), settings, settings.handoff.tiers
    )


def build_worker(redis: Redis, settings: Settings, brain: Brain) -> tuple[Worker, DeliveryLoop]:
    """A worker (the pipeline on the inbox) and a delivery loop (the outbox to the senders)."""
    worker = Worker(
        redis, build_pipeline(brain, settings, redis), settings.inbox, consumer_name("worker")
    )
    delivery = DeliveryLoop(
        redis,
        build_senders(redis, settings),
        consumer_name("sender"),
        reclaim_idle_ms=settings.inbox.reclaim_idle_ms,
        max_attempts=settings.inbox.max_deliveries,
        block_ms=settings.inbox.block_ms,
    )
    return worker, delivery


def ticket_desk(redis: Redis, settings: Settings) -> TicketDesk:
    """The people's side of the hand-over port."""
    return TicketDesk(TicketStore(redis, settings.handoff))


def build_transcripts(redis: Redis, settings: Settings) -> Transcripts:
    return Transcripts(
        redis, settings.inbox.transcript_max, reply_ttl_seconds=settings.inbox.dedupe_ttl_seconds
    )


def plug(redis: Redis, settings: Settings) -> Plug:
    return Plug(
        redis,
        settings,
        connector_sections(settings),
        on_unreachable=ticket_desk(redis, settings).mark_unreachable,
    )


def build_senders(redis: Redis, settings: Settings) -> dict[str, ReplySender]:
    """One sender per platform of the enabled connectors."""
    parts = plug(redis, settings)
    senders = [sender for connector in CONNECTORS for sender in connector.senders(parts)]
    return {sender.platform: sender for sender in senders}


def build_routers(settings: Settings) -> list[APIRouter]:
    """The receiving halves (webhooks, pages) of the enabled connectors."""
    sections = connector_sections(settings)
    return [router for connector in CONNECTORS for router in connector.routers(sections)]


def build_connector_loops(redis: Redis, settings: Settings) -> list[ConnectorLoop]:
    """Long-running jobs of the enabled connectors (none for the web chat)."""
    parts = plug(redis, settings)
    return [loop for connector in CONNECTORS for loop in connector.loops(parts)]
