"""The worker against a real Redis and the real pipeline: dedupe, order, crashes, failures."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot import keys
from bot.brain import Brain
from bot.inbox import Inbox
from bot.messages import OutboundReply
from bot.outbox import DeliveryLoop
from bot.pipeline import Pipeline, Turn
from bot.worker import Worker
from handoff.tickets import TicketStore
from switchboard.runtime import build_pipeline, build_senders, build_transcripts
from switchboard.settings import Settings
from tests.factories import inbound


def _worker(redis: Redis, settings: Settings, pipeline: Pipeline, name: str = "w1") -> Worker:
    return Worker(redis, pipeline, settings.inbox, name)


def _delivery(redis: Redis, settings: Settings) -> DeliveryLoop:
    return DeliveryLoop(
        redis,
        build_senders(redis, settings),
        "s1",
        reclaim_idle_ms=500,
        max_attempts=3,
        block_ms=50,
    )


async def _drain(worker: Worker, delivery: DeliveryLoop, rounds: int = 5) -> None:
    for _ in range(rounds):
        await worker.run_once(block_ms=50)
        await delivery.run_once()


async def _replies(redis: Redis, settings: Settings, conversation_key: str) -> list[dict]:
    transcript = await build_transcripts(redis, settings).read(conversation_key) or []
    return [entry for entry in transcript if entry["role"] == "bot"]


async def test_a_message_delivered_three_times_is_answered_once(
    redis_client: Redis, settings: Settings, brain: Brain
) -> None:
    worker = _worker(redis_client, settings, build_pipeline(brain, settings, redis_client))
    delivery = _delivery(redis_client, settings)
    await worker.inbox.ensure_group()
    message = inbound("what is your return policy?", message_id="same-id")
    for _ in range(3):
        await worker.inbox.accept(message)
        await _drain(worker, delivery, rounds=2)
    replies = await _replies(redis_client, settings, message.conversation_key)
    assert len(replies) == 1
    assert replies[0]["intent"] == "return_policy"


async def test_a_redelivered_outbox_entry_is_shown_once(
    redis_client: Redis, settings: Settings, brain: Brain
) -> None:
    """The sender died after delivering but before acknowledging: the retry adds nothing."""
    worker = _worker(redis_client, settings, build_pipeline(brain, settings, redis_client))
    await worker.inbox.ensure_group()
    message = inbound("hello")
    await worker.inbox.accept(message)
    await worker.run_once(block_ms=50)
    [(_, fields)] = await redis_client.xrange(keys.OUTBOX_STREAM)
    sender = build_senders(redis_client, settings)["webchat"]
    await sender.send(OutboundReply.from_json(fields["reply"]))  # delivered; crash before XACK
    await _delivery(redis_client, settings).run_once()  # the entry is delivered again
    assert len(await _replies(redis_client, settings, message.conversation_key)) == 1


async def test_a_crashed_workers_message_is_finished_by_another(
    redis_client: Redis, settings: Settings, brain: Brain
) -> None:
    crashed = Inbox(redis_client, settings.inbox, "crashed-worker")
    await crashed.ensure_group()
    message = inbound("我的快递到哪了")
    await crashed.accept(message)
    assert len(await crashed.read(50)) == 1  # taken, then the process dies: never acknowledged

    pipeline = build_pipeline(brain, settings, redis_client)
    survivor = _worker(redis_client, settings, pipeline, "survivor")
    delivery = _delivery(redis_client, settings)
    await _drain(survivor, delivery, rounds=1)
    assert await _replies(redis_client, settings, message.conversation_key) == []  # not yet idle
    await asyncio.sleep(settings.inbox.reclaim_idle_ms / 1000 + 0.1)
    await _drain(survivor, delivery, rounds=2)
    [reply] = await _replies(redis_client, settings, message.conversation_key)
    assert reply["intent"] == "order_tracking"
    pending = await redis_client.xpending(keys.INBOX_STREAM, keys.INBOX_GROUP)
    assert pending["pending"] == 0


async def test_a_worker_stopped_cleanly_hands_back_what_it_had_not_finished(
    redis_client: Redis, settings: Settings, brain: Brain
) -> None:
    pipeline = build_pipeline(brain, settings, redis_client)
    leaving = _worker(redis_client, settings, pipeline, "leaving")
    await leaving.inbox.ensure_group()
    message = inbound("我的快递到哪了")
    await leaving.inbox.accept(message)
    assert len(await leaving.inbox.read(50)) == 1  # read, not yet processed
    stop = asyncio.Event()
    stop.set()
    await leaving.run(stop)  # a SIGTERM now: it stops without finishing the message

    survivor = _worker(redis_client, settings, pipeline, "survivor")
    await _drain(survivor, _delivery(redis_client, settings), rounds=1)  # no reclaim wait
    [reply] = await _replies(redis_client, settings, message.conversation_key)
    assert reply["intent"] == "order_tracking"


class _GateStage:
    """Holds a turn until the test opens the gate: a worker busy with a slow message."""

    name = "gate"

    def __init__(self) -> None:
        self.open = asyncio.Event()

    async def __call__(self, turn: Turn) -> None:
        await self.open.wait()


async def test_messages_of_one_conversation_are_answered_in_order(
    redis_client: Redis, settings: Settings, brain: Brain
) -> None:
    one_at_a_time = settings.model_copy(
        update={"inbox": settings.inbox.model_copy(update={"read_count": 1})}
    )
    gate = _GateStage()
    stages = build_pipeline(brain, settings, redis_client).stages
    slow = _worker(redis_client, one_at_a_time, Pipeline([gate, *stages]), "slow")
    fast = _worker(redis_client, one_at_a_time, Pipeline(stages), "fast")
    await slow.inbox.ensure_group()
    one = inbound("你好", conversation="conv-order")
    two = inbound("怎么退货", conversation="conv-order")
    await slow.inbox.accept(one)
    await slow.inbox.accept(two)

    slow_round = asyncio.create_task(slow.run_once(block_ms=50))  # takes message one, blocks
    await asyncio.sleep(0.1)
    assert await fast.run_once(block_ms=50) == 0  # takes message two, which must wait
    gate.open.set()
    assert await slow_round == 1
    assert await fast.run_once(block_ms=50) == 1  # now message two may go
    await _delivery(redis_client, settings).run_once()
    replies = await _replies(redis_client, settings, one.conversation_key)
    assert [r["intent"] for r in replies] == ["greet", "return_policy"]


class _ExplodingStage:
    name = "explode"

    async def __call__(self, turn: Turn) -> None:
        raise RuntimeError("classifier exploded")


async def test_a_message_that_keeps_failing_is_dead_lettered(
    redis_client: Redis, settings: Settings
) -> None:
    settings = settings.model_copy(
        update={
            "inbox": settings.inbox.model_copy(update={"max_deliveries": 2, "reclaim_idle_ms": 100})
        }
    )
    worker = _worker(redis_client, settings, Pipeline([_ExplodingStage()]))
    await worker.inbox.ensure_group()
    message = inbound("hello", conversation="conv-poison")
    await worker.inbox.accept(message)
    assert await worker.run_once(block_ms=50) == 0  # first failure: left pending for a retry
    await asyncio.sleep(0.15)
    assert await worker.run_once(block_ms=50) == 1  # second failure: set aside
    assert await redis_client.xlen(keys.INBOX_DEAD) == 1
    assert int(await redis_client.get(keys.conversation_done(message.conversation_key))) == 1


async def test_the_bot_stays_silent_while_a_ticket_is_open(
    redis_client: Redis, settings: Settings, brain: Brain
) -> None:
    message = inbound("退货政策是什么?", conversation="conv-human")
    await TicketStore(redis_client, settings.handoff).open(
        "t-human", message, reason="test", severity="normal", tier="new", signals={}
    )
    worker = _worker(redis_client, settings, build_pipeline(brain, settings, redis_client))
    await worker.inbox.ensure_group()
    await worker.inbox.accept(message)
    await _drain(worker, _delivery(redis_client, settings), rounds=2)
    assert await _replies(redis_client, settings, message.conversation_key) == []
    assert await redis_client.xlen(keys.INBOX_STREAM) == 0  # handled, not stuck


async def test_a_batch_of_conversations_gets_the_decisions_each_would_get_alone(
    redis_client: Redis, settings: Settings, brain: Brain
) -> None:
    """The worker understands a read batch in one encoder call and runs its conversations side
    by side; what each customer is answered must not change."""
    texts = [
        "what is your return policy?",
        "how long does shipping take to Shanghai",
        "退货政策是什么?",
        "我的快递到哪里了",
        "I want to file a complaint about your service",
        "can I pay with a credit card",
        "转人工",
        "今天天气怎么样",
        "my order arrived broken and nobody answers, this is ridiculous",
        "do you ship abroad?",
    ]
    alone = [await asyncio.to_thread(brain.classifier.predict, text) for text in texts]
    worker = _worker(redis_client, settings, build_pipeline(brain, settings, redis_client))
    await worker.inbox.ensure_group()
    messages = [inbound(t, conversation=f"batch-{i}") for i, t in enumerate(texts)]
    # Two messages of one conversation in the same batch stay in order.
    follow_up = inbound("and the return policy?", conversation="batch-0")
    for message in [*messages, follow_up]:
        await worker.inbox.accept(message)
    assert await worker.run_once(block_ms=50) == len(texts) + 1
    entries = await redis_client.xrange(keys.OUTBOX_STREAM)
    replies = [OutboundReply.from_json(fields["reply"]) for _, fields in entries]
    by_conversation: dict[str, list[OutboundReply]] = {}
    for reply in replies:
        by_conversation.setdefault(reply.conversation_key, []).append(reply)
    for message, understood in zip(messages, alone, strict=True):
        first = by_conversation[message.conversation_key][0]
        if understood.intent is not None and not understood.out_of_scope:
            assert first.intent in ("", understood.intent), (message.text, first.intent)
    # The batch's vectors are remembered: the assessment of each turn embeds nothing again.
    remembered = brain.classifier.encoder._recent  # type: ignore[attr-defined]
    assert all(text in remembered for text in texts)
    prepared = worker.pipeline.stages
    understand = next(stage for stage in prepared if stage.name == "understand")
    for text, understood in zip(texts, alone, strict=True):
        batched = understand._prepared[(id(brain.classifier), text)]  # type: ignore[attr-defined]
        assert (batched.intent, batched.out_of_scope) == (
            understood.intent,
            understood.out_of_scope,
        )
        assert abs(batched.confidence - understood.confidence) < 1e-4, text
    conversation = by_conversation[follow_up.conversation_key]
    assert [reply.reply_id.split(":")[1] for reply in conversation] == [
        messages[0].platform_message_id,
        follow_up.platform_message_id,
    ]
