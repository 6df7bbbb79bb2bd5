"""Request and response bodies of the handoff API (the ticket responses: ``schemas_tickets``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, create_model

from bot.vocabulary import SEVERITIES, Tier

AgentStatus = Literal["online", "away", "offline"]


class PresenceIn(BaseModel):
    status: AgentStatus


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class TransferIn(BaseModel):
    agent: str | None = None
    team: str | None = None


class ResolveIn(BaseModel):
    ask_csat: bool = False


class CustomerIn(BaseModel):
    tier: Tier
    display_name: str | None = Field(default=None, max_length=64)


class FlagIn(BaseModel):
    intent: str = Field(min_length=1, max_length=64)
    text: str | None = Field(default=None, max_length=2000)


class StreamTicketOut(BaseModel):
    ticket: str
    expires_in: int


class UnnecessaryOut(BaseModel):
    """The hand-over marked as needing no person (``recorded`` is false on a repeat)."""

    miss_id: str
    recorded: bool
    by: str
    at: float


class ReplyAcceptedOut(BaseModel):
    reply_id: str = Field(description="the reply as it appears in the transcript once delivered")


class FlagOut(BaseModel):
    id: str = Field(description="the entry in the admins' misses list")


class AgentOut(BaseModel):
    username: str
    role: Literal["agent", "admin"]
    status: AgentStatus
    capacity: int = Field(description="how many tickets the agent takes at once")
    load: int = Field(description="open tickets assigned to the agent")
    teams: list[str]


class CannedOut(BaseModel):
    id: str
    title: str
    text: dict[str, str] = Field(description="language (zh, en) -> text")


class CustomerHistoryOut(BaseModel):
    messages: int
    tickets: int
    active_days: int
    first_seen: float | None


class CustomerOut(BaseModel):
    key: str
    tier: Tier
    tier_source: Literal["profile", "history"] = Field(
        description="profile: set by people (it wins); history: derived from the counters"
    )
    display_name: str
    history: CustomerHistoryOut


class ImportedOut(BaseModel):
    imported: int


# One count per severity, built from the vocabulary so that a new severity cannot go missing.
QueueBySeverity = create_model(  # type: ignore[call-overload]
    "QueueBySeverity", **{severity.value: (int, ...) for severity in SEVERITIES}
)


class MetricsOut(BaseModel):
    """The console's header strip; the rates are null until something was measured."""

    queue: QueueBySeverity = Field(description="waiting tickets by severity")
    open: int
    breached: int
    oldest_wait_seconds: float
    first_response_seconds_avg: float | None
    sla_attainment: float | None
    handoff_rate: float | None
    auto_answer_rate: float | None
    messages: int = Field(description="messages the bot decided on")
