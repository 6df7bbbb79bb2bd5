"""Response bodies of the ticket API: a queue row (``Ticket.summary()``) and the ticket view.

They describe the JSON the console reads (handoff/console/static/queue.js, ticket.js); field
order and nulls are those of ``Ticket.summary()`` and ``routes_tickets._detail``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.vocabulary import ChannelKind, Severity, Tier
from handoff.schemas import CustomerHistoryOut


class CustomerRefOut(BaseModel):
    key: str = Field(description="platform:user_id, the same person across chats")
    platform: str
    display_name: str
    username: str


class LastMessageOut(BaseModel):
    text: str
    ts: float
    id: str = Field(description="the platform's message id (threaded replies answer it)")


class UnnecessaryMarkOut(BaseModel):
    """An agent said this hand-over needed no person."""

    by: str
    at: float


class WhyOut(BaseModel):
    """Why the triage asked for a person, in parts the console words in the agent's language."""

    kind: str = Field(description="the triage class (complaint, human_request...) or 'other'")
    score: float | None
    quote: str = Field(description="the customer's words that asked for a person")
    detail: str
    text: str = Field(description="the whole reason in one English line")


class TicketSummaryOut(BaseModel):
    """A queue row."""

    id: str
    customer: CustomerRefOut
    channel: ChannelKind
    reason: str = Field(description="why the bot handed over (a reason code or a triage line)")
    severity: Severity
    tier: Tier
    priority: int = Field(description="1 is the most urgent")
    team: str
    created_at: float
    sla_deadline: float = Field(description="first response due by (Unix time)")
    status: Literal["waiting", "assigned", "resolved"]
    agent: str | None
    first_response_at: float | None
    resolved_at: float | None
    breached: bool
    unreachable: str | None = Field(description="why the customer cannot be written to now")
    last_message: LastMessageOut | None
    csat_requested: bool
    csat: int | None = Field(description="the customer's satisfaction score, 1-5")
    unnecessary: UnnecessaryMarkOut | None
    why: WhyOut | None = Field(description="null when the triage did not ask for a person")


class TranscriptEntryOut(BaseModel):
    id: str
    role: Literal["customer", "bot", "agent"]
    text: str
    ts: float
    agent: str | None = Field(description="who answered (agent replies)")
    state: str | None = Field(
        description='"in_doubt": a reply the platform never confirmed (may not have arrived)'
    )


class TriageClassOut(BaseModel):
    class_: str = Field(alias="class")
    p: float


class SuggestedReplyOut(BaseModel):
    intent: str
    text: str


class SignalsOut(BaseModel):
    """What the bot understood of the message that was handed over."""

    intent: str | None
    confidence: float | None
    negativity: float | None
    severity: Severity
    reasons: list[str]
    person_reason: str
    why: WhyOut | None
    triage_top: list[TriageClassOut] = Field(description="the likeliest triage classes")
    suggested_reply: SuggestedReplyOut | None
    message: str | None = Field(description="the message that was handed over")


class NoteOut(BaseModel):
    author: str
    text: str
    ts: float


class TicketEventOut(BaseModel):
    type: str = Field(description="opened, claimed, replied, transferred, resolved, rated...")
    by: str
    at: float
    detail: str


class TicketDetailOut(TicketSummaryOut):
    """One ticket with the conversation, the classifier's signals, notes and history."""

    transcript: list[TranscriptEntryOut]
    signals: SignalsOut
    notes: list[NoteOut]
    history: CustomerHistoryOut
    events: list[TicketEventOut]
