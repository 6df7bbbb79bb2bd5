"""Agent presence (online / away / offline), load, and fair auto-assignment."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from redis.asyncio import Redis

from auth.users import User, UserStore
from bot import keys
from handoff.models import Ticket, TicketConflict
from handoff.settings import HandoffSettings
from handoff.tickets import TicketStore

logger = logging.getLogger(__name__)

Status = Literal["online", "away", "offline"]
STATUSES: tuple[Status, ...] = ("online", "away", "offline")


@dataclass(frozen=True)
class AgentView:
    username: str
    role: str
    status: str
    capacity: int
    load: int
    teams: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "role": self.role,
            "status": self.status,
            "capacity": self.capacity,
            "load": self.load,
            "teams": list(self.teams),
        }


class Presence:
    def __init__(
        self, redis: Redis, settings: HandoffSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.redis = redis
        self.settings = settings
        self.clock = clock

    async def set_status(self, username: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        now = f"{self.clock():.3f}"
        await self.redis.hset(
            keys.agent_presence(username),
            mapping={"status": status, "since": now, "heartbeat": now},
        )

    async def signed_out(self, username: str) -> None:
        """``auth.deps.PresenceHook``: signing out is going offline."""
        await self.set_status(username, "offline")

    async def heartbeat(self, username: str) -> None:
        now = f"{self.clock():.3f}"
        key = keys.agent_presence(username)
        # "since" the first request of an agent who never chose a status: see status().
        await self.redis.hsetnx(key, "since", now)
        await self.redis.hset(key, "heartbeat", now)

    async def at_work(self, username: str) -> None:
        """An agent who takes or answers a ticket is at work: an offline one becomes online
        (else their ticket would go back to the queue as "went offline"); away stays away."""
        status, _ = await self.status(username)
        if status == "offline":
            await self.set_status(username, "online")

    async def status(self, username: str) -> tuple[str, float]:
        """(effective status, since when). An online agent whose console went silent for
        ``presence_timeout_seconds`` counts as offline from their last heartbeat. An agent
        who never chose a status counts as online while their console talks to the server
        (since their first request): signing in and working is being present."""
        data = await self.redis.hgetall(keys.agent_presence(username))
        if "status" not in data and "heartbeat" in data:
            data["status"] = "online"
            data.setdefault("since", data["heartbeat"])
        status = data.get("status", "offline")
        since = float(data.get("since", 0))
        heartbeat = float(data.get("heartbeat", 0))
        silent_for = self.clock() - heartbeat
        if status != "offline" and silent_for > self.settings.presence_timeout_seconds:
            return "offline", heartbeat
        return status, since


class Assigner:
    """Gives waiting tickets to online agents with free capacity, most urgent first, to the
    least loaded agent; takes tickets back from agents who have been offline too long."""

    def __init__(self, tickets: TicketStore, users: UserStore, presence: Presence) -> None:
        self.tickets = tickets
        self.users = users
        self.presence = presence

    async def agents(self) -> list[AgentView]:
        open_tickets = await self.tickets.list("open")
        load: dict[str, int] = {}
        for ticket in open_tickets:
            if ticket.agent:
                load[ticket.agent] = load.get(ticket.agent, 0) + 1
        views = []
        for user in await self.users.all():
            status, _ = await self.presence.status(user.username)
            views.append(
                AgentView(
                    user.username,
                    user.role,
                    status,
                    user.capacity,
                    load.get(user.username, 0),
                    user.teams,
                )
            )
        return views

    async def release_abandoned(self) -> list[Ticket]:
        """Return to the queue the tickets of agents offline for too long."""
        released = []
        limit = self.presence.settings.offline_release_seconds
        for ticket in await self.tickets.list("assigned"):
            if not ticket.agent:
                continue
            status, since = await self.presence.status(ticket.agent)
            if status == "offline" and self.presence.clock() - since >= limit:
                try:
                    released.append(
                        await self.tickets.release(
                            ticket.id, "system", f"{ticket.agent} went offline"
                        )
                    )
                except TicketConflict:
                    continue
        return released

    async def assign_waiting(self) -> list[Ticket]:
        assigned = []
        agents = {a.username: a for a in await self.agents() if a.status == "online"}
        load = {name: agent.load for name, agent in agents.items()}
        for ticket in await self.tickets.list("waiting"):
            candidates = [
                name
                for name, agent in agents.items()
                if load[name] < agent.capacity and _serves(agent, ticket)
            ]
            if not candidates:
                continue
            chosen = min(candidates, key=lambda name: (load[name], name))
            try:
                assigned.append(await self.tickets.claim(ticket.id, chosen))
            except TicketConflict:
                continue  # claimed by hand meanwhile
            load[chosen] += 1
            logger.info("Auto-assigned ticket %s to %s", ticket.id, chosen)
        return assigned


def _serves(agent: AgentView, ticket: Ticket) -> bool:
    return not agent.teams or ticket.team in agent.teams


def user_view(user: User, status: str, load: int) -> AgentView:
    return AgentView(user.username, user.role, status, user.capacity, load, user.teams)
