"""What the intent admin routes work with: the draft store, the audit log and the brain.

The brain is here rather than in ``bot.deps`` because loading it pulls in the classifier's
libraries, which the connectors' routes (importing ``bot.deps``) have no use for."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request

from bot.brain import Brain
from bot.deps import RedisDep
from intent_admin.audit import AuditLog
from intent_admin.drafts import Drafts


async def _drafts(redis: RedisDep) -> Drafts:
    return Drafts(redis)


async def _audit_log(redis: RedisDep) -> AuditLog:
    return AuditLog(redis)


async def _brain(request: Request) -> Brain:
    """The process's brain; an API process without a worker builds one on first use."""
    state = request.app.state
    if getattr(state, "brain", None) is None:
        from bot.brain_factory import build_brain  # heavy: only when no worker built one

        async with state.brain_lock:
            if getattr(state, "brain", None) is None:
                state.brain = await asyncio.to_thread(build_brain, state.settings)
    return state.brain


DraftsDep = Annotated[Drafts, Depends(_drafts)]
AuditLogDep = Annotated[AuditLog, Depends(_audit_log)]
BrainDep = Annotated[Brain, Depends(_brain)]
