"""Learning from the bot's misses (as intent examples or triage examples, or dismissed), and
the admins' audit log. Admin token required (agents get 403)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, status

from auth.deps import AdminUser
from bot.deps import RedisDep
from bot.misses import MissLog
from intent_admin.deps import AuditLogDep, BrainDep, DraftsDep
from intent_admin.drafts import DraftConflict, DraftError
from intent_admin.listing import conflict
from intent_admin.misses import group_misses
from intent_admin.schemas import (
    AuditEntryOut,
    MissesAssignedOut,
    MissesDismissedOut,
    MissesIn,
    MissesTaughtOut,
    MissesToTriageIn,
    MissGroupOut,
)

router = APIRouter(prefix="/api", tags=["intents (admin)"])


@router.get("/misses", response_model=list[MissGroupOut])
async def misses(admin: AdminUser, redis: RedisDep, brain: BrainDep) -> list[dict[str, Any]]:
    """Messages the bot could not answer, grouped by meaning, biggest groups first."""
    encoder = brain.classifier.encoder
    items = await MissLog(redis).all()
    return await asyncio.to_thread(group_misses, items, encoder)


@router.post("/misses/assign")
async def assign_misses(
    body: MissesIn, admin: AdminUser, redis: RedisDep, drafts: DraftsDep, audit_log: AuditLogDep
) -> MissesAssignedOut:
    """Add these messages to an intent (in the draft) as examples, and take them off the list."""
    if not body.intent:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "which intent?")
    log = MissLog(redis)
    texts = [m.text for m in await log.all() if m.id in set(body.ids)]
    if not texts:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "none of these misses exist")
    try:
        await drafts.add_examples(body.intent, texts, admin.username)
    except DraftError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    await log.remove(body.ids)
    await audit_log.record(
        admin.username, "misses.assign", {"intent": body.intent, "examples": texts}
    )
    return MissesAssignedOut(added=len(texts), intent=body.intent)


@router.post("/misses/triage")
async def teach_triage(
    body: MissesToTriageIn,
    admin: AdminUser,
    redis: RedisDep,
    drafts: DraftsDep,
    audit_log: AuditLogDep,
) -> MissesTaughtOut:
    """Add these messages to the draft's triage examples (``neutral`` by default: no person
    needed), and take them off the list. Published like any intent edit."""
    log = MissLog(redis)
    texts = [m.text for m in await log.all() if m.id in set(body.ids)]
    if not texts:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "none of these misses exist")
    try:
        draft = await drafts.add_triage_examples(
            body.label, texts, admin.username, revision=body.revision
        )
    except DraftError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    except DraftConflict as exc:
        raise await conflict(exc, redis) from None
    await log.remove(body.ids)
    await audit_log.record(
        admin.username, "misses.triage", {"label": body.label, "examples": texts}
    )
    return MissesTaughtOut(added=len(texts), label=body.label, revision=draft.revision)


@router.post("/misses/dismiss")
async def dismiss_misses(
    body: MissesIn, admin: AdminUser, redis: RedisDep, audit_log: AuditLogDep
) -> MissesDismissedOut:
    """Take messages off the list without learning from them."""
    removed = await MissLog(redis).remove(body.ids)
    await audit_log.record(admin.username, "misses.dismiss", {"count": removed})
    return MissesDismissedOut(dismissed=removed)


@router.get("/audit", response_model=list[AuditEntryOut])
async def audit(admin: AdminUser, audit_log: AuditLogDep) -> list[dict[str, Any]]:
    """Recent admin actions: who, what, when."""
    return await audit_log.recent()
