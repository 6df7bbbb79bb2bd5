"""Evaluating the draft against the live version, publishing it, rolling back, and the version
history with what each version changed. Admin token required (agents get 403)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from auth.deps import AdminUser
from bot.deps import RedisDep
from bot.intent_versions import IntentVersions, VersionNotFound
from intent_admin.deps import AuditLogDep, BrainDep, DraftsDep
from intent_admin.diff import diff
from intent_admin.drafts import DraftConflict
from intent_admin.evaluation import evaluate_draft
from intent_admin.listing import conflict
from intent_admin.schemas import (
    PublishIn,
    RollbackIn,
    VersionDiffOut,
    VersionListedOut,
    VersionOut,
)
from intent_admin.schemas_evaluation import ComparisonOut, PublishedOut

router = APIRouter(prefix="/api", tags=["intents (admin)"])


@router.post("/intents/evaluate", response_model=ComparisonOut)
async def evaluate(admin: AdminUser, redis: RedisDep, brain: BrainDep) -> dict[str, Any]:
    """Cross-validate the draft and the live version; list what gets better and worse."""
    return (await evaluate_draft(redis, brain)).to_dict()


@router.post("/intents/publish", response_model=PublishedOut)
async def publish(
    body: PublishIn,
    admin: AdminUser,
    redis: RedisDep,
    brain: BrainDep,
    drafts: DraftsDep,
    audit_log: AuditLogDep,
) -> dict[str, Any]:
    """Evaluate the draft and make it live on every process within seconds. When it makes
    things worse, 409 lists what, unless ``confirm`` is true."""
    draft = await drafts.current()
    if body.revision is not None and body.revision != draft.revision:
        raise await conflict(DraftConflict(draft, body.revision), redis)
    comparison = await evaluate_draft(redis, brain)
    if comparison.makes_things_worse and not body.confirm:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            {
                "message": "this draft makes things worse; publish again with confirm to go ahead",
                "worse": comparison.worse,
            },
        )
    version = await IntentVersions(redis).publish(
        draft.intent_set,
        admin.username,
        note=body.note,
        report=comparison.report,
        based_on=draft.based_on,
    )
    await drafts.discard()
    await audit_log.record(
        admin.username,
        "intents.publish",
        {"version": version.number, "note": body.note, "confirmed_worse": comparison.worse},
    )
    return {"version": version.meta(), "evaluation": comparison.to_dict()}


@router.post("/intents/rollback", response_model=VersionOut)
async def rollback(
    body: RollbackIn, admin: AdminUser, redis: RedisDep, audit_log: AuditLogDep
) -> dict[str, Any]:
    """Publish an earlier version again (as a new version)."""
    try:
        version = await IntentVersions(redis).rollback(body.version, admin.username)
    except VersionNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    await audit_log.record(
        admin.username, "intents.rollback", {"to": body.version, "version": version.number}
    )
    return version.meta()


@router.get("/intents/versions", response_model=list[VersionListedOut])
async def versions(admin: AdminUser, redis: RedisDep) -> list[dict[str, Any]]:
    """Every published version: who, when, why, and which one is live."""
    return await IntentVersions(redis).history()


# A diff row lists only what changed: see intent_admin/schemas.py.
@router.get(
    "/intents/versions/{number}/diff",
    response_model=VersionDiffOut,
    response_model_exclude_unset=True,
)
async def version_diff(number: int, admin: AdminUser, redis: RedisDep) -> dict[str, Any]:
    """What version ``number`` changed compared with the version before it (the one it
    replaced; for a rollback that is the version rolled back from, not the one restored)."""
    store = IntentVersions(redis)
    try:
        new = await store.get(number)
        old = await store.get(number - 1)
    except VersionNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return {"version": number, "compared_with": old.number, **diff(old.intent_set, new.intent_set)}
