"""The handoff domain: tickets, the customers they are about, and what happened to them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.addresses import customer_user_id
from bot.errors import Conflict, NotFound
from bot.messages import InboundMessage, OutboundReply
from bot.vocabulary import ChannelKind
from handoff.why import why

TicketStatus = Literal["waiting", "assigned", "resolved"]
OPEN_STATUSES: tuple[TicketStatus, ...] = ("waiting", "assigned")
MAX_NOTES = 200
MAX_EVENTS = 200


class TicketConflict(Conflict):
    """The operation does not fit the ticket's current state (e.g. claimed by someone else)."""


class TicketNotFound(NotFound):
    """No ticket with that id."""


@dataclass
class CustomerRef:
    key: str  # platform:user_id, the same person across chats
    platform: str
    display_name: str = ""
    username: str = ""


@dataclass
class Ticket:
    id: str
    conversation_key: str
    customer: CustomerRef
    channel: str
    chat_id: str
    thread_id: str
    reason: str
    severity: str
    tier: str
    priority: int
    team: str
    created_at: float
    sla_deadline: float
    status: TicketStatus = "waiting"
    agent: str | None = None
    first_response_at: float | None = None
    resolved_at: float | None = None
    breached: bool = False
    unreachable: str | None = None
    last_message: dict[str, Any] | None = None
    signals: dict[str, Any] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    reopened: int = 0
    csat_requested: bool = False
    csat: int | None = None
    # An agent said no person was needed: {"by", "at"} (once per hand-over).
    unnecessary: dict[str, Any] | None = None

    @classmethod
    def from_message(
        cls,
        ticket_id: str,
        message: InboundMessage,
        *,
        reason: str,
        severity: str,
        tier: str,
        team: str,
        priority: int,
        deadline: float,
        signals: dict[str, Any],
        now: float,
    ) -> Ticket:
        """A new ticket for the conversation of ``message``, waiting in the queue."""
        ticket = cls(
            id=ticket_id,
            conversation_key=message.conversation_key,
            customer=CustomerRef(
                key=message.customer_key,
                platform=message.platform,
                display_name=message.sender.display_name,
                username=message.sender.username,
            ),
            channel=message.channel,
            chat_id=message.chat_id,
            thread_id=message.thread_id,
            reason=reason,
            severity=severity,
            tier=tier,
            priority=priority,
            team=team,
            created_at=now,
            sla_deadline=deadline,
            last_message=last_message(message),
            signals=signals,
        )
        ticket.record("opened", "bot", now, reason)
        return ticket

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def record(self, kind: str, by: str, at: float, detail: str = "") -> None:
        self.events.append({"type": kind, "by": by, "at": at, "detail": detail})
        del self.events[:-MAX_EVENTS]

    def reply(
        self,
        reply_id: str,
        text: str,
        *,
        agent: str = "",
        private: bool = False,
        in_reply_to: str = "",
    ) -> OutboundReply:
        """A person's message to this ticket's customer, on their platform. ``private`` sends
        it to the customer alone (a WeChat article comment is answered in private)."""
        channel, chat_id = self.channel, self.chat_id
        if private:
            channel, chat_id = ChannelKind.PRIVATE, customer_user_id(self.customer.key)
        return OutboundReply(
            reply_id=reply_id,
            platform=self.customer.platform,
            conversation_key=self.conversation_key,
            chat_id=chat_id,
            text=text,
            channel=ChannelKind(channel),
            thread_id=self.thread_id,
            author="agent",
            agent=agent,
            in_reply_to=in_reply_to,
        )

    def queue_score(self) -> float:
        """Sort key in the open queue: priority first, then the nearest deadline."""
        return self.priority * 1e10 + self.sla_deadline

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        for detail_only in (
            "notes",
            "events",
            "signals",
            "conversation_key",
            "chat_id",
            "thread_id",
            "reopened",
        ):
            data.pop(detail_only)
        # The queue row's short reason badge; the ticket view shows the whole of it.
        data["why"] = why(self.signals)
        return data

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Ticket:
        data = json.loads(raw)
        data["customer"] = CustomerRef(**data["customer"])
        return cls(**data)


def last_message(message: InboundMessage) -> dict[str, Any]:
    """What the queue row shows of the customer's latest message."""
    return {"text": message.text, "ts": message.timestamp, "id": message.platform_message_id}
