"""The SLA watcher: breaches raised once (with the webhook), abandoned tickets, auto-assign."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from redis.asyncio import Redis

from auth.users import UserStore
from bot import keys
from handoff.agents import Assigner, Presence
from handoff.settings import HandoffSettings
from handoff.tickets import TicketStore
from handoff.watcher import SlaWatcher
from tests.factories import inbound


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A local HTTP endpoint standing in for the operator's alerting webhook."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alerts", received
    server.shutdown()


def _parts(redis: Redis, clock: Clock, webhook_url: str | None = None):
    settings = HandoffSettings(
        breach_webhook_url=webhook_url, offline_release_seconds=60, presence_timeout_seconds=30
    )
    tickets = TicketStore(redis, settings, clock=clock)
    users = UserStore(redis)
    presence = Presence(redis, settings, clock=clock)
    assigner = Assigner(tickets, users, presence)
    return settings, tickets, users, presence, assigner


async def test_a_ticket_past_its_deadline_is_raised_once(
    redis_client: Redis, webhook: tuple[str, list[dict]]
) -> None:
    url, received = webhook
    clock = Clock(1_800_000_000.0)
    settings, tickets, _, _, assigner = _parts(redis_client, clock, url)
    await tickets.open(
        "late",
        inbound(conversation="conv-late"),
        reason="r",
        severity="crisis",
        tier="vip",
        signals={},
    )  # 5 minutes to answer
    clock.now += 50 * 60
    await tickets.open(
        "fine",
        inbound(conversation="conv-fine"),
        reason="r",
        severity="normal",
        tier="new",
        signals={},
    )  # 60 minutes to answer
    clock.now += 5 * 60
    settings = settings.model_copy(update={"auto_assign": False})
    watcher = SlaWatcher(redis_client, tickets, assigner, settings)
    breached = await watcher.run_once()
    assert [t.id for t in breached] == ["late"]
    assert (await tickets.get("late")).breached
    assert await watcher.run_once() == []  # raised once
    assert len(received) == 1
    assert received[0]["event"] == "sla_breach" and received[0]["ticket"]["id"] == "late"


async def test_auto_assign_spreads_by_urgency_and_load(redis_client: Redis) -> None:
    clock = Clock(1_800_000_000.0)
    _, tickets, users, presence, assigner = _parts(redis_client, clock)
    await users.add("alice", "agent", "password-a", capacity=1)
    await users.add("bob", "agent", "password-b", capacity=5)
    await users.add("carol", "agent", "password-c")
    await presence.set_status("alice", "online")
    await presence.set_status("bob", "online")
    await presence.set_status("carol", "away")  # away agents get nothing new
    for name, severity in [
        ("t-normal", "normal"),
        ("t-crisis", "crisis"),
        ("t-negative", "negative"),
    ]:
        await tickets.open(
            name,
            inbound(conversation=f"conv-{name}"),
            reason="r",
            severity=severity,
            tier="new",
            signals={},
        )
    assigned = await assigner.assign_waiting()
    assert [(t.id, t.agent) for t in assigned] == [
        ("t-crisis", "alice"),
        ("t-negative", "bob"),
        ("t-normal", "bob"),
    ]


async def test_tickets_of_an_agent_gone_offline_return_to_the_queue(redis_client: Redis) -> None:
    clock = Clock(1_800_000_000.0)
    _, tickets, users, presence, assigner = _parts(redis_client, clock)
    await users.add("alice", "agent", "password-a")
    await presence.set_status("alice", "online")
    await tickets.open(
        "t1", inbound(conversation="conv-t1"), reason="r", severity="normal", tier="new", signals={}
    )
    await tickets.claim("t1", "alice")
    clock.now += 45  # console silent past presence_timeout: offline since the last heartbeat
    assert await assigner.release_abandoned() == []  # not yet offline for 60 s
    clock.now += 30
    [released] = await assigner.release_abandoned()
    assert released.status == "waiting" and released.agent is None
    assert "went offline" in released.events[-1]["detail"]
    assert await redis_client.zscore(keys.TICKETS_WAITING, "t1") is not None


async def test_one_watcher_holds_the_lease_and_hands_it_over_when_it_stops(
    redis_client: Redis,
) -> None:
    clock = Clock(1_800_000_000.0)
    settings, tickets, _, _, assigner = _parts(redis_client, clock)
    first = SlaWatcher(redis_client, tickets, assigner, settings)
    second = SlaWatcher(redis_client, tickets, assigner, settings)
    stop = asyncio.Event()
    running = asyncio.create_task(first.run(stop))
    deadline = asyncio.get_running_loop().time() + 10
    while await redis_client.get(keys.lease("sla-watcher")) != first.lease.token:
        assert asyncio.get_running_loop().time() < deadline, "the first watcher never led"
        await asyncio.sleep(0.01)
    assert not await second.lease.hold()  # one round-runner at a time

    stop.set()
    await running
    assert await second.lease.hold()  # released on the way out: no wait for it to lapse


async def test_an_agent_who_never_chose_a_status_keeps_what_they_claim(
    redis_client: Redis,
) -> None:
    clock = Clock(1_800_000_000.0)
    _, tickets, users, presence, assigner = _parts(redis_client, clock)
    await users.add("alice", "agent", "password-a")
    await tickets.open(
        "t1", inbound(conversation="conv-t1"), reason="r", severity="normal", tier="new", signals={}
    )
    assert await presence.status("alice") == ("offline", 0.0)  # never signed in
    await presence.heartbeat("alice")  # any console call
    await tickets.claim("t1", "alice")
    await presence.at_work("alice")
    for _ in range(10):  # ten minutes of work, the console calling in
        clock.now += 60
        await presence.heartbeat("alice")
        assert await assigner.release_abandoned() == []
    assert (await presence.status("alice"))[0] == "online"

    clock.now += 30 + 61  # the console went silent: offline, then released after 60 s
    [released] = await assigner.release_abandoned()
    assert "went offline" in released.events[-1]["detail"]


async def test_claiming_after_signing_out_sets_the_agent_online(redis_client: Redis) -> None:
    clock = Clock(1_800_000_000.0)
    _, tickets, users, presence, assigner = _parts(redis_client, clock)
    await users.add("alice", "agent", "password-a")
    await presence.set_status("alice", "offline")  # signed out yesterday
    clock.now += 86_400
    await presence.heartbeat("alice")
    await tickets.open(
        "t1", inbound(conversation="conv-t1"), reason="r", severity="normal", tier="new", signals={}
    )
    await tickets.claim("t1", "alice")
    await presence.at_work("alice")
    clock.now += 5
    assert await assigner.release_abandoned() == []
    assert await presence.status("alice") == ("online", clock.now - 5)

    await presence.set_status("alice", "away")
    await presence.at_work("alice")  # away stays away (and keeps its tickets)
    assert (await presence.status("alice"))[0] == "away"
