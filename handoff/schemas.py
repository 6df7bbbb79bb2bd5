"""Request bodies of the handoff API (responses are the documented JSON shapes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.vocabulary import Tier


class PresenceIn(BaseModel):
    status: Literal["online", "away", "offline"]


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
