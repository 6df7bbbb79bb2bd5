"""FastAPI dependencies as ``Annotated`` aliases, all read from the app's state.

All ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread, and that hop
cost more than the rest of a web chat POST (docs/benchmark.md, "Load").
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from bot.inbox import Inbox
from bot.ports import HandoffPort
from bot.settings import EngineSettings
from bot.transcript import Transcripts


async def _settings(request: Request) -> EngineSettings:
    return request.app.state.settings


async def _redis(request: Request) -> Redis:
    return request.app.state.redis


async def _inbox(request: Request) -> Inbox:
    return request.app.state.inbox


async def _transcripts(request: Request) -> Transcripts:
    return request.app.state.transcripts


async def _handoff_port(request: Request) -> HandoffPort | None:
    # None when no people are plugged into this app (a bot-only deployment).
    return getattr(request.app.state, "handoff_port", None)


SettingsDep = Annotated[EngineSettings, Depends(_settings)]
RedisDep = Annotated[Redis, Depends(_redis)]
InboxDep = Annotated[Inbox, Depends(_inbox)]
TranscriptsDep = Annotated[Transcripts, Depends(_transcripts)]
HandoffPortDep = Annotated[HandoffPort | None, Depends(_handoff_port)]
