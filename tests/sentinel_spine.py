"""The spine through a Sentinel failover: customers keep posting to the web chat of a running
app (API + worker + delivery, configured with the group's Sentinel URL) while the master is
killed with SIGKILL; then every message must have exactly one reply in its transcript.

Shared by the test (tests/bot/test_sentinel_spine.py, small) and the benchmark
(``python -m bench.sentinel_failover``, larger, with the timings).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.brain import Brain
from switchboard.settings import Settings
from tests.live_server import live_server
from tests.sentinel_group import SentinelGroup

ROOT = Path(__file__).resolve().parent.parent

# Questions the default intents answer (one reply each, no hand-over), in both languages.
TEXTS = [
    "hello there",
    "what is your return policy?",
    "how long does shipping take?",
    "how much does shipping cost?",
    "which payment methods do you accept?",
    "thanks a lot!",
    "你好",
    "退货政策是什么?",
    "发货要多久?",
    "运费多少钱?",
    "可以用什么方式付款?",
    "谢谢!",
]


@dataclass
class SpineReport:
    posted: int = 0
    answered: int = 0
    lost: list[str] = field(default_factory=list)  # messages without a reply
    duplicated: list[str] = field(default_factory=list)  # replies shown more than once
    unexpected: list[str] = field(default_factory=list)  # replies to no message posted
    statuses: Counter[int] = field(default_factory=Counter)
    promoted_after: float = 0.0  # SIGKILL -> the sentinels name the new master (s)
    accepting_after: float = 0.0  # SIGKILL -> a message posted after it is accepted (s)
    first_reply_after: float = 0.0  # SIGKILL -> the reply to such a message is made (s)
    longest_post: float = 0.0  # the slowest POST: held through the failover (s)
    wall: float = 0.0


def spine_settings(group: SentinelGroup, data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        redis={"url": group.url},
        # A commit lost with the killed master (replication is asynchronous) is taken over
        # after reclaim_idle_ms: short, to keep the run short.
        inbox={"block_ms": 100, "reclaim_idle_ms": 2000},
        understanding={"intents_dir": ROOT / "intents"},
    )


def run_through_failover(
    group: SentinelGroup,
    settings: Settings,
    brain: Brain,
    *,
    conversations: int = 4,
    per_conversation: int = 6,
    spacing: float = 0.05,
    reply_timeout: float = 60.0,
) -> SpineReport:
    """Post ``per_conversation`` messages to each conversation (one poster thread per
    conversation), kill the master when a third of them are in, and check the transcripts."""
    report = SpineReport()
    plan = {
        f"failover-{c}": [f"m{n}" for n in range(per_conversation)] for c in range(conversations)
    }
    total = conversations * per_conversation
    began = time.monotonic()
    posted_enough = threading.Event()
    lock = threading.Lock()
    posts: dict[str, tuple[float, float]] = {}  # message key -> (sent, answered), wall clock

    def post(base: str, conversation: str, ids: list[str]) -> None:
        offset = int(conversation.rsplit("-", 1)[1])
        with httpx.Client(base_url=base, timeout=60) as http:
            for n, message_id in enumerate(ids):
                body = {
                    "conversation_id": conversation,
                    "text": TEXTS[(n + offset) % len(TEXTS)],
                    "message_id": message_id,
                }
                sent = time.time()
                response = http.post("/webchat/messages", json=body)
                with lock:
                    report.statuses[response.status_code] += 1
                    posts[f"{conversation}:{message_id}"] = (sent, time.time())
                    if len(posts) >= total // 3:
                        posted_enough.set()
                time.sleep(spacing)

    with live_server(settings, brain) as base:
        posters = [
            threading.Thread(target=post, args=(base, conversation, ids), daemon=True)
            for conversation, ids in plan.items()
        ]
        for poster in posters:
            poster.start()
        posted_enough.wait(60)
        old = group.kill_master()
        killed_at = time.time()
        group.wait_for_new_master(old)
        report.promoted_after = time.time() - killed_at
        for poster in posters:
            poster.join(120)
        with httpx.Client(base_url=base, timeout=60) as http:
            replies = _wait_for_replies(http, plan, reply_timeout)
    report.wall = time.monotonic() - began
    report.posted = len(posts)
    _check(report, plan, replies)
    report.longest_post = max(answered - sent for sent, answered in posts.values())
    after = {key: times for key, times in posts.items() if times[0] > killed_at}
    if after:
        report.accepting_after = min(answered for _, answered in after.values()) - killed_at
        made = [replies[f"webchat:{key}:0"][1] for key in after if f"webchat:{key}:0" in replies]
        report.first_reply_after = min(made, default=float("nan")) - killed_at
    return report


def _wait_for_replies(
    http: httpx.Client, plan: dict[str, list[str]], timeout: float
) -> dict[str, tuple[int, float]]:
    """Poll every transcript until each message has a reply (or ``timeout``); return each
    reply id with how often the transcript shows it and when it was made (its ``ts``)."""
    deadline = time.monotonic() + timeout
    while True:
        seen: dict[str, tuple[int, float]] = {}
        complete = True
        for conversation, ids in plan.items():
            response = http.get(f"/webchat/conversations/{conversation}/messages")
            entries = response.json()["messages"] if response.status_code == 200 else []
            replies = [e for e in entries if e["role"] != "customer"]
            counts = Counter(e["id"] for e in replies)
            seen.update({e["id"]: (counts[e["id"]], e["ts"]) for e in replies})
            complete = complete and len(counts) >= len(ids)
        if complete or time.monotonic() > deadline:
            return seen
        time.sleep(0.1)


def _check(
    report: SpineReport, plan: dict[str, list[str]], replies: dict[str, tuple[int, float]]
) -> None:
    expected = {
        f"webchat:{conversation}:{message_id}:0"
        for conversation, ids in plan.items()
        for message_id in ids
    }
    report.answered = len(expected & replies.keys())
    report.lost = sorted(expected - replies.keys())
    report.unexpected = sorted(replies.keys() - expected)
    report.duplicated = sorted(r for r, (count, _) in replies.items() if count > 1)
