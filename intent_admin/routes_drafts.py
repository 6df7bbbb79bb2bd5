"""Editing the draft: list, create, change, rename and delete intents, the triage examples,
the answer preview, and throwing the draft away. Admin token required (agents get 403), except
for the intent names agents pick from when they flag a message.

Edits carry the draft revision the editor loaded; a stale one gets 409 with the current draft,
so two admins never silently overwrite each other."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, status

from auth.deps import AdminUser, CurrentUser
from bot.deps import RedisDep
from bot.intent_versions import IntentVersions
from bot.policy import AutoAnswer
from bot.responder import render
from intent_admin.deps import AuditLogDep, DraftsDep
from intent_admin.drafts import DraftConflict, DraftError
from intent_admin.listing import conflict, intent_listing
from intent_admin.schemas import (
    EDITOR_REVISION,
    DiscardedOut,
    IntentIn,
    IntentListOut,
    PreviewIn,
    TierPreviewOut,
    TriageExamplesIn,
)

router = APIRouter(prefix="/api", tags=["intents (admin)"])


# The intent list leaves out the keys its dict leaves out: see intent_admin/schemas.py.
@router.get("/intents", response_model=IntentListOut, response_model_exclude_unset=True)
async def list_intents(admin: AdminUser, redis: RedisDep) -> dict[str, Any]:
    """The draft's intents (the live set when nobody is editing), with example counts and the
    per-intent F1 the live version was published with."""
    return await intent_listing(redis)


@router.get("/intents/names")
async def intent_names(user: CurrentUser, redis: RedisDep) -> list[str]:
    """The live intents' names, for any signed-in user: agents pick one when they flag a
    message for the bot."""
    live = await IntentVersions(redis).live()
    return sorted(live.intent_set.intents) if live else []


@router.put("/intents/{name}", response_model=IntentListOut, response_model_exclude_unset=True)
async def put_intent(
    name: str,
    body: IntentIn,
    admin: AdminUser,
    redis: RedisDep,
    drafts: DraftsDep,
    audit_log: AuditLogDep,
) -> dict[str, Any]:
    """Create, replace or rename an intent in the draft."""
    try:
        await drafts.put_intent(
            name,
            body.model_dump(),
            admin.username,
            rename_from=body.rename_from,
            revision=body.revision,
        )
    except DraftError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    except DraftConflict as exc:
        raise await conflict(exc, redis) from None
    await audit_log.record(
        admin.username, "intent.put", {"intent": name, "renamed_from": body.rename_from}
    )
    return await intent_listing(redis)


@router.delete("/intents/{name}", response_model=IntentListOut, response_model_exclude_unset=True)
async def delete_intent(
    name: str,
    admin: AdminUser,
    redis: RedisDep,
    drafts: DraftsDep,
    audit_log: AuditLogDep,
    revision: int | None = Query(None, description=EDITOR_REVISION),
) -> dict[str, Any]:
    """Delete an intent from the draft."""
    try:
        await drafts.delete_intent(name, admin.username, revision=revision)
    except DraftError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except DraftConflict as exc:
        raise await conflict(exc, redis) from None
    await audit_log.record(admin.username, "intent.delete", {"intent": name})
    return await intent_listing(redis)


@router.delete("/intents-draft")
async def discard_draft(
    admin: AdminUser,
    redis: RedisDep,
    drafts: DraftsDep,
    audit_log: AuditLogDep,
    revision: int | None = Query(None, description=EDITOR_REVISION),
) -> DiscardedOut:
    """Throw the draft away; the next edit starts from the live version."""
    try:
        await drafts.discard(revision)
    except DraftConflict as exc:
        raise await conflict(exc, redis) from None
    await audit_log.record(admin.username, "draft.discard")
    return DiscardedOut(status="discarded")


@router.post(
    "/triage-examples/remove", response_model=IntentListOut, response_model_exclude_unset=True
)
async def remove_triage_examples(
    body: TriageExamplesIn,
    admin: AdminUser,
    redis: RedisDep,
    drafts: DraftsDep,
    audit_log: AuditLogDep,
) -> dict[str, Any]:
    """Take texts out of the draft's triage examples of one class."""
    try:
        await drafts.remove_triage_examples(
            body.label, body.texts, admin.username, revision=body.revision
        )
    except DraftError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    except DraftConflict as exc:
        raise await conflict(exc, redis) from None
    await audit_log.record(
        admin.username, "triage.remove", {"label": body.label, "examples": body.texts}
    )
    return await intent_listing(redis)


@router.post("/intents/preview", response_model=TierPreviewOut)
async def preview(body: PreviewIn, admin: AdminUser, drafts: DraftsDep) -> dict[str, str]:
    """The draft's answer for an intent as each tier would read it."""
    draft = await drafts.current()
    if body.intent not in draft.intent_set.intents:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no intent {body.intent!r}")
    return {
        tier: render(
            AutoAnswer(body.intent),
            draft.intent_set,
            body.language,
            tier=tier,
            channel=body.channel,
        )
        for tier in ("new", "regular", "loyal", "vip")
    }
