"""What the intent admin routes work with: the draft store, the audit log and the brain."""

from __future__ import annotations

import asyncio

from fastapi import Request

from bot.brain import Brain
from bot.intent_admin.audit import AuditLog
from bot.intent_admin.drafts import Drafts


def drafts(request: Request) -> Drafts:
    return Drafts(request.app.state.redis)


def audit_log(request: Request) -> AuditLog:
    return AuditLog(request.app.state.redis)


async def brain(request: Request) -> Brain:
    """The process's brain; an API process without a worker builds one on first use."""
    state = request.app.state
    if getattr(state, "brain", None) is None:
        from bot.brain_factory import build_brain

        async with state.brain_lock:
            if getattr(state, "brain", None) is None:
                state.brain = await asyncio.to_thread(build_brain, state.settings)
    return state.brain
