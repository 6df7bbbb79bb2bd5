"""The web chat's receiving half: accept a message, queue it, return at once."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, HTTPException, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse

from bot.addresses import private_conversation_key
from bot.deps import HandoffPortDep, TranscriptsDep
from bot.messages import InboundMessage, Sender
from bot.ports import HandoffPort
from bot.vocabulary import ChannelKind
from connectors.webchat.deps import IntakeDep
from connectors.webchat.schemas import (
    CONVERSATION_ID,
    ConversationOut,
    TranscriptEntry,
    WebchatAccepted,
    WebchatMessageIn,
)
from connectors.webchat.sender import PLATFORM

router = APIRouter(prefix="/webchat", tags=["web chat"])

_PAGE = Path(__file__).parent / "static" / "index.html"


def conversation_key(conversation_id: str) -> str:
    """A web chat conversation is its own chat with one customer."""
    return private_conversation_key(PLATFORM, conversation_id)


def platform_message_id(conversation_id: str, message_id: str) -> str:
    """Client message ids are only unique within a conversation: qualify them with it.

    Otherwise one conversation's "m1" would be taken for a retry of another's (and its replies
    and ticket keyed alike). A conversation id holds no ":", so the split is unambiguous.
    """
    return f"{conversation_id}:{message_id}"


def client_message_id(conversation_id: str, entry_id: str) -> str:
    """The id the client chose, as it reads it back in the transcript."""
    return entry_id.removeprefix(f"{conversation_id}:")


@router.get("", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(_PAGE, media_type="text/html")


@router.post("/messages", status_code=status.HTTP_202_ACCEPTED, response_model=WebchatAccepted)
async def post_message(body: WebchatMessageIn, intake: IntakeDep) -> JSONResponse:
    """Accept a customer's message; the bot's reply appears in the conversation shortly."""
    config = intake.config
    text = body.text.strip()
    if not text:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "text is empty")
    if len(text) > config.max_text_chars:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"text is {len(text)} characters long; the limit is {config.max_text_chars}",
        )
    message_id = body.message_id or uuid.uuid4().hex
    message = InboundMessage(
        platform=PLATFORM,
        channel=ChannelKind.PRIVATE,
        chat_id=body.conversation_id,
        sender=Sender(user_id=body.conversation_id, display_name=body.display_name),
        text=text,
        platform_message_id=platform_message_id(body.conversation_id, message_id),
        timestamp=time.time(),
    )
    accepted = await intake.inbox.accept(message)
    answer = WebchatAccepted(
        message_id=message_id, conversation_id=body.conversation_id, duplicate=accepted.duplicate
    )
    # Already a validated model: answered as it is (``response_model`` documents it).
    return JSONResponse(answer.model_dump(), status_code=status.HTTP_202_ACCEPTED)


@router.get("/conversations/{conversation_id}/messages", response_model=ConversationOut)
async def get_conversation(
    transcripts: TranscriptsDep,
    people: HandoffPortDep,
    conversation_id: str = PathParam(pattern=CONVERSATION_ID),
):
    """The conversation in order: the customer's messages and every reply, and who answers
    now (the bot, or a person after a hand-over)."""
    key = conversation_key(conversation_id)
    entries = await transcripts.read(key)
    if entries is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
    return ConversationOut(
        conversation_id=conversation_id,
        messages=[
            TranscriptEntry.model_validate(
                {**entry, "id": client_message_id(conversation_id, str(entry.get("id", "")))}
            )
            for entry in entries
        ],
        handled_by=await _handled_by(people, key),
    )


async def _handled_by(people: HandoffPort | None, key: str) -> Literal["bot", "person"]:
    if people is None:  # no hand-over wired into this app
        return "bot"
    case = await people.current_case(key)
    return "person" if case is not None and case.is_open else "bot"
