"""The admins' intent API: edit a draft, evaluate it against the live version, publish, roll
back, learn from misses. Admin token required throughout (agents get 403).

Edits carry the draft revision the editor loaded; a stale one gets 409 with the current draft,
so two admins never silently overwrite each other."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from auth.deps import AdminUser, CurrentUser
from bot import keys
from bot.brain import Brain
from bot.intent_admin.audit import AuditLog
from bot.intent_admin.compare import Comparison, compare, triage_changes
from bot.intent_admin.diff import diff
from bot.intent_admin.drafts import DraftConflict, DraftError, Drafts
from bot.intent_admin.misses import group_misses
from bot.intent_admin.schemas import (
    AuditEntryOut,
    DiscardedOut,
    IntentListOut,
    MissesAssignedOut,
    MissesDismissedOut,
    MissesTaughtOut,
    MissGroupOut,
    TierPreviewOut,
    VersionDiffOut,
    VersionListedOut,
    VersionOut,
)
from bot.intent_admin.schemas_evaluation import ComparisonOut, PublishedOut
from bot.intent_versions import IntentVersions, VersionNotFound
from bot.misses import MissLog
from bot.policy import AutoAnswer
from bot.responder import render

router = APIRouter(prefix="/api", tags=["intents (admin)"])

_REVISION = "the draft revision the editor loaded; a stale one gets 409 with the current draft"


class IntentIn(BaseModel):
    examples: list[str] = Field(min_length=2)
    answers: dict[str, str] = Field(default_factory=dict)
    variants: dict[str, dict[str, str]] = Field(default_factory=dict)
    handoff: bool = False
    rename_from: str | None = None
    revision: int | None = Field(default=None, description=_REVISION)


class PublishIn(BaseModel):
    note: str = Field(default="", max_length=500)
    confirm: bool = Field(default=False, description="publish even though it makes things worse")
    revision: int | None = Field(default=None, description=_REVISION)


class RollbackIn(BaseModel):
    version: int


class MissesIn(BaseModel):
    ids: list[str] = Field(min_length=1)
    intent: str | None = None


class MissesToTriageIn(BaseModel):
    ids: list[str] = Field(min_length=1)
    label: str = Field(default="neutral", description="the triage class to teach them as")
    revision: int | None = Field(default=None, description=_REVISION)


class TriageExamplesIn(BaseModel):
    label: str
    texts: list[str] = Field(min_length=1)
    revision: int | None = Field(default=None, description=_REVISION)


class PreviewIn(BaseModel):
    intent: str
    language: str = "zh"
    channel: str = "private"


@router.get("/intents", response_model=IntentListOut, response_model_exclude_unset=True)
async def list_intents(admin: AdminUser, request: Request) -> dict[str, Any]:
    """The draft's intents (the live set when nobody is editing), with example counts and the
    per-intent F1 the live version was published with."""
    draft = await _drafts(request).current()
    live = await IntentVersions(request.app.state.redis).live()
    report = live.report if live else {}
    if live and not report:  # the seed has none until the first evaluation measured it
        measured = await request.app.state.redis.hget(keys.INTENT_REPORTS, str(live.number))
        report = json.loads(measured) if measured else {}
    intents = [
        {
            "name": name,
            **intent.to_dict(),
            "example_count": len(intent.examples),
            "f1": report.get(name, {}).get("f1-score"),
        }
        for name, intent in sorted(draft.intent_set.intents.items())
    ]
    return {
        "live_version": live.number if live else None,
        "draft": {
            "revision": draft.revision,
            "based_on": draft.based_on,
            "updated_by": draft.updated_by,
            "updated_at": draft.updated_at,
            "edited": bool(draft.updated_by),
            "changes": diff(live.intent_set, draft.intent_set) if live else {},
        },
        "intents": intents,
        "triage_examples": {
            label: list(texts) for label, texts in sorted(draft.intent_set.triage_examples.items())
        },
    }


@router.get("/intents/names")
async def intent_names(user: CurrentUser, request: Request) -> list[str]:
    """The live intents' names, for any signed-in user: agents pick one when they flag a
    message for the bot."""
    live = await IntentVersions(request.app.state.redis).live()
    return sorted(live.intent_set.intents) if live else []


@router.put("/intents/{name}", response_model=IntentListOut, response_model_exclude_unset=True)
async def put_intent(
    name: str, body: IntentIn, admin: AdminUser, request: Request
) -> dict[str, Any]:
    """Create, replace or rename an intent in the draft."""
    try:
        await _drafts(request).put_intent(
            name,
            body.model_dump(),
            admin.username,
            rename_from=body.rename_from,
            revision=body.revision,
        )
    except DraftError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    except DraftConflict as exc:
        raise await _conflict(exc, admin, request) from None
    await _audit(request).record(
        admin.username, "intent.put", {"intent": name, "renamed_from": body.rename_from}
    )
    return await list_intents(admin, request)


@router.delete("/intents/{name}", response_model=IntentListOut, response_model_exclude_unset=True)
async def delete_intent(
    name: str,
    admin: AdminUser,
    request: Request,
    revision: int | None = Query(None, description=_REVISION),
) -> dict[str, Any]:
    """Delete an intent from the draft."""
    try:
        await _drafts(request).delete_intent(name, admin.username, revision=revision)
    except DraftError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except DraftConflict as exc:
        raise await _conflict(exc, admin, request) from None
    await _audit(request).record(admin.username, "intent.delete", {"intent": name})
    return await list_intents(admin, request)


@router.delete("/intents-draft")
async def discard_draft(
    admin: AdminUser,
    request: Request,
    revision: int | None = Query(None, description=_REVISION),
) -> DiscardedOut:
    """Throw the draft away; the next edit starts from the live version."""
    try:
        await _drafts(request).discard(revision)
    except DraftConflict as exc:
        raise await _conflict(exc, admin, request) from None
    await _audit(request).record(admin.username, "draft.discard")
    return DiscardedOut(status="discarded")


@router.post("/intents/evaluate", response_model=ComparisonOut)
async def evaluate(admin: AdminUser, request: Request) -> dict[str, Any]:
    """Cross-validate the draft and the live version; list what gets better and worse."""
    return (await _compare(request)).to_dict()


@router.post("/intents/publish", response_model=PublishedOut)
async def publish(body: PublishIn, admin: AdminUser, request: Request) -> dict[str, Any]:
    """Evaluate the draft and make it live on every process within seconds. When it makes
    things worse, 409 lists what, unless ``confirm`` is true."""
    drafts = _drafts(request)
    draft = await drafts.current()
    if body.revision is not None and body.revision != draft.revision:
        raise await _conflict(DraftConflict(draft, body.revision), admin, request)
    comparison = await _compare(request)
    if comparison.makes_things_worse and not body.confirm:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            {
                "message": "this draft makes things worse; publish again with confirm to go ahead",
                "worse": comparison.worse,
            },
        )
    version = await IntentVersions(request.app.state.redis).publish(
        draft.intent_set,
        admin.username,
        note=body.note,
        report=comparison.report,
        based_on=draft.based_on,
    )
    await drafts.discard()
    await _audit(request).record(
        admin.username,
        "intents.publish",
        {"version": version.number, "note": body.note, "confirmed_worse": comparison.worse},
    )
    return {"version": version.meta(), "evaluation": comparison.to_dict()}


@router.post("/intents/rollback", response_model=VersionOut)
async def rollback(body: RollbackIn, admin: AdminUser, request: Request) -> dict[str, Any]:
    """Publish an earlier version again (as a new version)."""
    try:
        version = await IntentVersions(request.app.state.redis).rollback(
            body.version, admin.username
        )
    except VersionNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    await _audit(request).record(
        admin.username, "intents.rollback", {"to": body.version, "version": version.number}
    )
    return version.meta()


@router.get("/intents/versions", response_model=list[VersionListedOut])
async def versions(admin: AdminUser, request: Request) -> list[dict[str, Any]]:
    """Every published version: who, when, why, and which one is live."""
    return await IntentVersions(request.app.state.redis).history()


@router.get(
    "/intents/versions/{number}/diff",
    response_model=VersionDiffOut,
    response_model_exclude_unset=True,
)
async def version_diff(number: int, admin: AdminUser, request: Request) -> dict[str, Any]:
    """What version ``number`` changed compared with the version before it (the one it
    replaced; for a rollback that is the version rolled back from, not the one restored)."""
    store = IntentVersions(request.app.state.redis)
    try:
        new = await store.get(number)
        old = await store.get(number - 1)
    except VersionNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return {"version": number, "compared_with": old.number, **diff(old.intent_set, new.intent_set)}


@router.post("/intents/preview", response_model=TierPreviewOut)
async def preview(body: PreviewIn, admin: AdminUser, request: Request) -> dict[str, str]:
    """The draft's answer for an intent as each tier would read it."""
    draft = await _drafts(request).current()
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


@router.get("/misses", response_model=list[MissGroupOut])
async def misses(admin: AdminUser, request: Request) -> list[dict[str, Any]]:
    """Messages the bot could not answer, grouped by meaning, biggest groups first."""
    brain = await _brain(request)
    items = await MissLog(request.app.state.redis).all()
    return await asyncio.to_thread(group_misses, items, brain.classifier.encoder)


@router.post("/misses/assign")
async def assign_misses(body: MissesIn, admin: AdminUser, request: Request) -> MissesAssignedOut:
    """Add these messages to an intent (in the draft) as examples, and take them off the list."""
    if not body.intent:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "which intent?")
    log = MissLog(request.app.state.redis)
    texts = [m.text for m in await log.all() if m.id in set(body.ids)]
    if not texts:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "none of these misses exist")
    try:
        await _drafts(request).add_examples(body.intent, texts, admin.username)
    except DraftError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    await log.remove(body.ids)
    await _audit(request).record(
        admin.username, "misses.assign", {"intent": body.intent, "examples": texts}
    )
    return MissesAssignedOut(added=len(texts), intent=body.intent)


@router.post("/misses/triage")
async def teach_triage(
    body: MissesToTriageIn, admin: AdminUser, request: Request
) -> MissesTaughtOut:
    """Add these messages to the draft's triage examples (``neutral`` by default: no person
    needed), and take them off the list. Published like any intent edit."""
    log = MissLog(request.app.state.redis)
    texts = [m.text for m in await log.all() if m.id in set(body.ids)]
    if not texts:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "none of these misses exist")
    try:
        draft = await _drafts(request).add_triage_examples(
            body.label, texts, admin.username, revision=body.revision
        )
    except DraftError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    except DraftConflict as exc:
        raise await _conflict(exc, admin, request) from None
    await log.remove(body.ids)
    await _audit(request).record(
        admin.username, "misses.triage", {"label": body.label, "examples": texts}
    )
    return MissesTaughtOut(added=len(texts), label=body.label, revision=draft.revision)


@router.post(
    "/triage-examples/remove", response_model=IntentListOut, response_model_exclude_unset=True
)
async def remove_triage_examples(
    body: TriageExamplesIn, admin: AdminUser, request: Request
) -> dict[str, Any]:
    """Take texts out of the draft's triage examples of one class."""
    try:
        await _drafts(request).remove_triage_examples(
            body.label, body.texts, admin.username, revision=body.revision
        )
    except DraftError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    except DraftConflict as exc:
        raise await _conflict(exc, admin, request) from None
    await _audit(request).record(
        admin.username, "triage.remove", {"label": body.label, "examples": body.texts}
    )
    return await list_intents(admin, request)


@router.post("/misses/dismiss")
async def dismiss_misses(body: MissesIn, admin: AdminUser, request: Request) -> MissesDismissedOut:
    """Take messages off the list without learning from them."""
    removed = await MissLog(request.app.state.redis).remove(body.ids)
    await _audit(request).record(admin.username, "misses.dismiss", {"count": removed})
    return MissesDismissedOut(dismissed=removed)


@router.get("/audit", response_model=list[AuditEntryOut])
async def audit(admin: AdminUser, request: Request) -> list[dict[str, Any]]:
    """Recent admin actions: who, what, when."""
    return await _audit(request).recent()


async def _conflict(exc: DraftConflict, admin: Any, request: Request) -> HTTPException:
    """409 with what the other admin saved, so the editor can show it and let this one redo."""
    current = exc.current
    return HTTPException(
        status.HTTP_409_CONFLICT,
        {
            "code": "draft_conflict",
            "message": f"the draft changed since revision {exc.expected} "
            f"(saved by {current.updated_by or 'a publish'}); reload and apply again",
            "revision": current.revision,
            "updated_by": current.updated_by,
            "current": await list_intents(admin, request),
        },
    )


def _drafts(request: Request) -> Drafts:
    return Drafts(request.app.state.redis)


def _audit(request: Request) -> AuditLog:
    return AuditLog(request.app.state.redis)


async def _brain(request: Request) -> Brain:
    """The process's brain; an API process without a worker builds one on first use."""
    state = request.app.state
    if getattr(state, "brain", None) is None:
        from bot.brain_factory import build_brain

        async with state.brain_lock:
            if getattr(state, "brain", None) is None:
                state.brain = await asyncio.to_thread(build_brain, state.settings)
    return state.brain


async def _compare(request: Request) -> Comparison:
    """Evaluate the draft against the live version, or reuse the last evaluation of exactly
    this draft (publish right after evaluate costs nothing)."""
    redis = request.app.state.redis
    brain = await _brain(request)
    draft = await _drafts(request).current()
    live = await IntentVersions(redis).live()
    if live is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "no live version to compare with")
    regression = [m.text for m in await MissLog(redis).all()][:500]
    fingerprint = hashlib.sha256(
        json.dumps(
            [live.number, draft.intent_set.to_dict(), regression],
            ensure_ascii=False,
            sort_keys=True,
        ).encode()
    ).hexdigest()
    cached = await redis.get(keys.INTENT_EVALUATION)
    if cached and json.loads(cached)["fingerprint"] == fingerprint:
        return Comparison.from_dict(json.loads(cached)["comparison"])
    comparison = await asyncio.to_thread(
        compare,
        brain.classifier.encoder,
        live.intent_set,
        draft.intent_set,
        brain.classifier.thresholds,
        regression_texts=regression,
        surface_weight=brain.classifier.surface_weight,
    )
    comparison.triage = await asyncio.to_thread(
        triage_changes, live.intent_set, draft.intent_set, brain.assessor
    )
    async with redis.pipeline(transaction=True) as tx:
        tx.set(
            keys.INTENT_EVALUATION,
            json.dumps(
                {"fingerprint": fingerprint, "comparison": comparison.to_dict()}, ensure_ascii=False
            ),
        )
        # The live version's own cross-validated report, for the F1 column of the intent list.
        tx.hset(
            keys.INTENT_REPORTS,
            str(live.number),
            json.dumps(comparison.live_report, ensure_ascii=False),
        )
        await tx.execute()
    return comparison
