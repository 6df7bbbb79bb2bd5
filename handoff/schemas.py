"""Request bodies of the handoff API (responses are the documented JSON shapes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    username: str
    role: str
    expires_in: int


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
    tier: Literal["new", "regular", "loyal", "vip"]
    display_name: str | None = Field(default=None, max_length=64)


class FlagIn(BaseModel):
    intent: str = Field(min_length=1, max_length=64)
    text: str | None = Field(default=None, max_length=2000)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)


class PasswordIn(BaseModel):
    password: str = Field(min_length=8, max_length=1024)


class RoleIn(BaseModel):
    role: Literal["agent", "admin"]


class StreamTicketOut(BaseModel):
    ticket: str
    expires_in: int


class UnnecessaryOut(BaseModel):
    """The hand-over marked as needing no person (``recorded`` is false on a repeat)."""

    miss_id: str
    recorded: bool
    by: str
    at: float
