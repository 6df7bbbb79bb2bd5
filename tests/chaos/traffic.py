"""A chaos run: customers on every platform path, platforms that deliver some messages three
times, a worker killed with SIGKILL and Redis restarted mid-run, then the bill.

Each conversation sends the same questions in the same order, each with its own answer, so
what a customer received can be checked against what they asked, in order. What was received
comes from the platform stand-ins (for the web chat, the transcript the page shows); what the
agents read comes from the transcripts in Redis.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.chaos.cluster import TELEGRAM_SECRET, Cluster
from tests.connectors.wechat.pushes import fixture, plaintext_push

# Questions from the default intent set's examples, whose answers all differ.
QUESTIONS = [
    "how much is shipping",
    "where is my order",
    "can i get an invoice",
    "what payment methods do you accept",
    "how do i cancel an order",
]
PATHS = ("webchat", "telegram", "wechat")


@dataclass(frozen=True)
class Plan:
    conversations: int = 30
    messages: int = 4
    repeat_every: int = 10  # every n-th message is delivered `copies` times
    copies: int = 3
    kill_at: float = 0.3  # share of the replies received when a worker is killed
    restart_at: float = 0.6  # ... and when Redis is restarted
    deadline_seconds: float = 240


@dataclass
class PathResult:
    path: str
    expected: int
    received: int = 0
    lost: int = 0  # never received, and nobody was told
    lost_in_doubt: int = 0  # never received; the transcript shows it as "may have arrived"
    duplicated: int = 0
    out_of_order: int = 0
    missing_from_transcript: int = 0
    unexpected: int = 0
    in_doubt: int = 0


@dataclass
class RunReport:
    results: list[PathResult]
    wall_seconds: float
    faults: list[str] = field(default_factory=list)
    dead_letters: list[str] = field(default_factory=list)


def conversation_key(path: str, index: int) -> str:
    chat = _chat(path, index)
    return f"{path}:{chat}:{chat}"


def _chat(path: str, index: int) -> str:
    return {
        "webchat": f"chaos-{index:05d}",
        "telegram": str(6_100_000 + index),
        "wechat": f"o-chaos-{index:05d}",
    }[path]


class Customers:
    """Sends every conversation's messages in order, as the platforms would deliver them:
    retried until accepted (a 5xx or a dropped connection is retried, like Telegram and
    WeChat do), some delivered three times."""

    def __init__(self, cluster: Cluster, plan: Plan) -> None:
        self.cluster = cluster
        self.plan = plan

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(
            base_url=self.cluster.api_url, timeout=10, limits=limits
        ) as client:
            await asyncio.gather(
                *(
                    self._converse(client, path, index)
                    for path in PATHS
                    for index in range(self.plan.conversations)
                )
            )

    async def _converse(self, client: httpx.AsyncClient, path: str, index: int) -> None:
        for k in range(self.plan.messages):
            number = index * self.plan.messages + k
            copies = (
                self.plan.copies
                if number % self.plan.repeat_every == self.plan.repeat_every - 1
                else 1
            )
            for _ in range(copies):
                await self._deliver(client, path, index, k, number)

    async def _deliver(
        self, client: httpx.AsyncClient, path: str, index: int, k: int, number: int
    ) -> None:
        text, chat = QUESTIONS[k], _chat(path, index)
        while True:
            try:
                if path == "webchat":
                    response = await client.post(
                        "/webchat/messages",
                        json={"conversation_id": chat, "text": text, "message_id": f"m{number}"},
                    )
                elif path == "telegram":
                    user = {"id": int(chat), "is_bot": False, "first_name": "Chaos"}
                    update = {
                        "update_id": 900_000_000 + number,
                        "message": {
                            "message_id": 1000 + k,
                            "from": user,
                            "date": int(time.time()),
                            "chat": {"id": int(chat), "type": "private", "first_name": "Chaos"},
                            "text": text,
                        },
                    }
                    response = await client.post(
                        "/telegram/webhook",
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
                    )
                else:
                    xml = fixture(
                        "text",
                        FromUserName=chat,
                        Content=text,
                        MsgId=7_000_000_000 + number,
                        CreateTime=int(time.time()),
                    )
                    push = plaintext_push(xml)
                    response = await client.post(
                        "/wechat/callback",
                        params=push.params,
                        content=push.body,
                        headers={"content-type": "text/xml"},
                    )
                if response.status_code < 300:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)


def received(
    cluster: Cluster, path: str, index: int, transcript: list[dict] | None = None
) -> list[str]:
    """What the customer got, in the order it arrived."""
    chat = _chat(path, index)
    if path == "telegram":
        return [sent.text for sent in cluster.telegram.sent if str(sent.chat_id) == chat]
    if path == "wechat":
        return [
            body["text"]["content"] for body in list(cluster.wechat.sent) if body["touser"] == chat
        ]
    return [entry["text"] for entry in transcript or [] if entry["role"] != "customer"]


def _transcript(client, path: str, index: int) -> list[dict]:  # type: ignore[no-untyped-def]
    from bot import keys

    return [
        json.loads(raw)
        for raw in client.lrange(keys.transcript(conversation_key(path, index)), 0, -1)
    ]


def total_received(cluster: Cluster, plan: Plan) -> int:
    """Replies received so far on every path (the web chat's counted in Redis)."""
    count = len(cluster.telegram.sent) + len(cluster.wechat.sent)
    client = cluster.client()
    try:
        for index in range(plan.conversations):
            count += sum(
                entry["role"] != "customer" for entry in _transcript(client, "webchat", index)
            )
    except Exception:  # Redis restarting: count it next time
        return -1
    finally:
        client.close()
    return count


def bill(cluster: Cluster, plan: Plan) -> list[PathResult]:
    client = cluster.client()
    try:
        return [_bill_path(cluster, client, plan, path) for path in PATHS]
    finally:
        client.close()


def _bill_path(cluster: Cluster, client, plan: Plan, path: str) -> PathResult:  # type: ignore[no-untyped-def]
    transcripts = [_transcript(client, path, index) for index in range(plan.conversations)]
    answers = _answers(path, transcripts, plan.messages)
    position = {text: k for k, text in answers.items()}
    result = PathResult(path, expected=plan.conversations * plan.messages)
    for index, transcript in enumerate(transcripts):
        got = received(cluster, path, index, transcript)
        replies = [entry for entry in transcript if entry["role"] != "customer"]
        recorded = {entry["text"] for entry in replies}
        result.received += len(got)
        doubtful = {entry["text"] for entry in replies if entry.get("state") == "in_doubt"}
        for k in range(plan.messages):
            if answers.get(k) not in got:
                if answers.get(k) in doubtful:
                    result.lost_in_doubt += 1
                else:
                    result.lost += 1
        result.duplicated += sum(n - 1 for n in Counter(got).values())
        order = [position[text] for text in got if text in position]
        result.out_of_order += order != sorted(order)
        result.unexpected += sum(text not in position for text in got)
        result.missing_from_transcript += len(set(got) - recorded)
        result.in_doubt += sum(entry.get("state") == "in_doubt" for entry in replies)
    return result


def _answers(path: str, transcripts: list[list[dict]], messages: int) -> dict[int, str]:
    """The answer to each question, as the bot gave it (the most common reply to it)."""
    votes: dict[int, Counter[str]] = {}
    for transcript in transcripts:
        asked = {
            entry["id"]: QUESTIONS.index(entry["text"])
            for entry in transcript
            if entry["role"] == "customer" and entry["text"] in QUESTIONS
        }
        for entry in transcript:
            if entry["role"] != "customer":
                message_id = entry["id"][len(path) + 1 :].rsplit(":", 1)[0]
                if message_id in asked:
                    votes.setdefault(asked[message_id], Counter())[entry["text"]] += 1
    answers = {k: votes[k].most_common(1)[0][0] for k in range(messages) if k in votes}
    if len(set(answers.values())) != len(answers):
        raise AssertionError(f"two questions got the same answer on {path}: {answers}")
    return answers


async def run_chaos(cluster: Cluster, plan: Plan, *, workers: list[str]) -> RunReport:
    """Drive the traffic, inject the faults at the planned points, wait for the end."""
    began = time.monotonic()
    expected = len(PATHS) * plan.conversations * plan.messages
    faults: list[str] = []
    customers = asyncio.create_task(Customers(cluster, plan).run())
    killed = restarted = False
    while True:
        done = await asyncio.to_thread(total_received, cluster, plan)
        if not killed and done >= plan.kill_at * expected:
            cluster.kill_worker(workers[0])
            faults.append(
                f"kill -9 {workers[0]} at {done}/{expected} replies, "
                f"{time.monotonic() - began:.1f} s"
            )
            killed = True
        if not restarted and done >= plan.restart_at * expected:
            # In this thread: the new redis-server must not die with a pool thread.
            away = cluster.redis.restart()
            faults.append(
                f"Redis SHUTDOWN + restart at {done}/{expected} replies "
                f"({away:.1f} s away), {time.monotonic() - began:.1f} s"
            )
            restarted = True
        if customers.done() and done >= expected and await asyncio.to_thread(_quiet, cluster):
            break
        if time.monotonic() - began > plan.deadline_seconds:
            faults.append(
                f"deadline: {done}/{expected} replies after {plan.deadline_seconds:.0f} s"
            )
            break
        await asyncio.sleep(0.25)
    await customers
    await asyncio.sleep(1)  # anything still on its way (a duplicate would show here)
    return RunReport(
        await asyncio.to_thread(bill, cluster, plan),
        time.monotonic() - began,
        faults,
        await asyncio.to_thread(dead_letters, cluster),
    )


def dead_letters(cluster: Cluster) -> list[str]:
    """What was set aside, and why: the first place to look when something is lost."""
    from bot import keys

    client = cluster.client()
    try:
        found = [
            f"inbox {json.loads(fields['msg'])['platform_message_id']}: {fields['error']}"
            for _, fields in client.xrange(keys.INBOX_DEAD)
        ]
        for _, fields in client.xrange(keys.OUTBOX_DEAD):
            try:
                reply_id = json.loads(fields["reply"])["reply_id"]
            except (ValueError, KeyError):
                reply_id = "?"
            found.append(f"outbox {reply_id}: {fields['error']}")
        return found
    finally:
        client.close()


def _quiet(cluster: Cluster) -> bool:
    """Nothing waiting to be delivered (and nothing queued to be routed)."""
    from bot import keys

    client = cluster.client()
    try:
        return client.zcard(keys.OUTBOX_LANES) == 0 and client.xlen(keys.OUTBOX_STREAM) == 0
    except Exception:
        return False
    finally:
        client.close()
