"""Request and response bodies of the web chat API."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

CONVERSATION_ID = r"^[A-Za-z0-9_-]{8,64}$"
# Lone surrogates cannot be stored or sent anywhere (they are not UTF-8; pydantic refuses them
# in JSON already, this holds for any other source); control characters other than tab and
# newlines have no business in a chat message.
_INVALID_TEXT = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WebchatMessageIn(BaseModel):
    conversation_id: str = Field(
        pattern=CONVERSATION_ID,
        description="Chosen by the client: 8-64 letters, digits, '-' or '_'. Keep it secret: "
        "whoever knows it can read the conversation.",
        examples=["3f2b8c1e-demo"],
    )
    text: str = Field(
        min_length=1, description="What the customer wrote.", examples=["退货政策是什么?"]
    )
    message_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.:-]{1,128}$",
        description="Client-side id of this message, unique within its conversation. Sending "
        "the same id again in the same conversation (a retry) is accepted but not answered "
        "twice. Generated when absent.",
    )
    display_name: str = Field(default="", max_length=64)

    @field_validator("text", "display_name")
    @classmethod
    def _valid_text(cls, value: str) -> str:
        invalid = _INVALID_TEXT.search(value)
        if invalid is not None:
            kind = (
                "a lone surrogate"
                if "\ud800" <= invalid.group() <= "\udfff"
                else "a control character"
            )
            raise ValueError(f"not valid Unicode text: {kind} at position {invalid.start()}")
        return value


class WebchatAccepted(BaseModel):
    message_id: str
    conversation_id: str
    duplicate: bool = Field(description="True when this message id had been accepted before.")


class TranscriptEntry(BaseModel):
    id: str
    role: Literal["customer", "bot", "agent"]
    text: str
    ts: float
    intent: str = ""


class ConversationOut(BaseModel):
    conversation_id: str
    messages: list[TranscriptEntry]
    handled_by: Literal["bot", "person"] = Field(
        default="bot",
        description='"person" while the conversation is handed over (a ticket is open): the '
        "bot stays silent and a person answers here, so the page shows that instead of a "
        "typing indicator.",
    )
