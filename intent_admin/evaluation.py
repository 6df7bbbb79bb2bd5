"""Evaluate the draft against the live version, once per draft: the result is kept in Redis
under the draft's fingerprint, so publishing right after evaluating costs nothing."""

from __future__ import annotations

import asyncio
import hashlib
import json

from fastapi import HTTPException, status
from redis.asyncio import Redis

from bot import keys
from bot.brain import Brain
from bot.intent_versions import IntentVersions
from bot.misses import MissLog
from intent_admin.compare import Comparison, compare, triage_changes
from intent_admin.drafts import Drafts


async def evaluate_draft(redis: Redis, brain: Brain) -> Comparison:
    """Evaluate the draft against the live version, or reuse the last evaluation of exactly
    this draft; 409 when there is no live version."""
    draft = await Drafts(redis).current()
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
