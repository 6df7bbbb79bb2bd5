"""The intent list the editor shows, and the 409 that hands it to an admin whose edit is stale."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, status
from redis.asyncio import Redis

from bot import keys
from bot.intent_versions import IntentVersions
from intent_admin.diff import diff
from intent_admin.drafts import DraftConflict, Drafts


async def intent_listing(redis: Redis) -> dict[str, Any]:
    """The draft's intents (the live set when nobody is editing), with example counts and the
    per-intent F1 the live version was published with (``schemas.IntentListOut``)."""
    draft = await Drafts(redis).current()
    live = await IntentVersions(redis).live()
    report = live.report if live else {}
    if live and not report:  # the seed has none until the first evaluation measured it
        measured = await redis.hget(keys.INTENT_REPORTS, str(live.number))
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


async def conflict(exc: DraftConflict, redis: Redis) -> HTTPException:
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
            "current": await intent_listing(redis),
        },
    )
