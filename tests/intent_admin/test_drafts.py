"""The draft store on a real Redis: revisions, conflicts, and concurrent merges."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.intent_versions import IntentVersions
from bot.intents import load_intent_set
from intent_admin.drafts import DraftConflict, DraftError, Drafts

INTENTS = Path(__file__).resolve().parents[2] / "intents"


@pytest.fixture
async def drafts(redis_client: Redis) -> Drafts:
    await IntentVersions(redis_client).seed(load_intent_set(INTENTS))
    return Drafts(redis_client)


async def test_every_save_and_discard_moves_the_revision_on(drafts: Drafts) -> None:
    start = await drafts.current()
    saved = await drafts.delete_intent("greet", "root", revision=start.revision)
    assert saved.revision == start.revision + 1
    assert (await drafts.current()).revision == saved.revision
    await drafts.discard(saved.revision)
    fresh = await drafts.current()
    assert fresh.revision == saved.revision + 1 and "greet" in fresh.intent_set.intents


async def test_a_stale_revision_is_refused_with_the_current_draft(drafts: Drafts) -> None:
    start = await drafts.current()
    await drafts.delete_intent("greet", "root", revision=start.revision)
    with pytest.raises(DraftConflict) as caught:
        await drafts.delete_intent("invoice", "mia", revision=start.revision)
    assert caught.value.current.updated_by == "root"
    assert "greet" not in caught.value.current.intent_set.intents
    assert "invoice" in (await drafts.current()).intent_set.intents
    with pytest.raises(DraftConflict):
        await drafts.save(start.intent_set, start, "cli")


async def test_concurrent_merges_without_a_revision_all_land(drafts: Drafts) -> None:
    texts = [f"收据问题 {n}" for n in range(8)]
    await asyncio.gather(
        *(drafts.add_examples("invoice", [text], f"admin{n}") for n, text in enumerate(texts))
    )
    draft = await drafts.current()
    assert set(texts) <= set(draft.intent_set.intents["invoice"].examples)
    assert draft.revision == len(texts)


async def test_triage_examples_are_taught_moved_between_classes_and_removed(
    drafts: Drafts,
) -> None:
    start = await drafts.current()
    taught = await drafts.add_triage_examples(
        "complaint", ["坏了", "太慢了"], "root", revision=start.revision
    )
    moved = await drafts.add_triage_examples(
        "neutral", [" 太慢了 ", "退款多久"], "root", revision=taught.revision
    )
    assert moved.intent_set.triage_examples == {
        "complaint": ("坏了",),
        "neutral": ("太慢了", "退款多久"),
    }
    with pytest.raises(DraftConflict):
        await drafts.add_triage_examples("neutral", ["x"], "mia", revision=taught.revision)
    for label, texts in [("happy", ["x"]), ("neutral", ["  "])]:
        with pytest.raises(DraftError):
            await drafts.add_triage_examples(label, texts, "root")
    with pytest.raises(DraftError):
        await drafts.remove_triage_examples("complaint", ["not there"], "root")
    left = await drafts.remove_triage_examples(
        "complaint", ["坏了"], "root", revision=moved.revision
    )
    assert left.intent_set.triage_examples == {"neutral": ("太慢了", "退款多久")}
    assert (await drafts.current()).intent_set.triage_examples == left.intent_set.triage_examples
