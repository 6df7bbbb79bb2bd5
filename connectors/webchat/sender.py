"""Delivers replies to web chat conversations: into the transcript the page reads."""

from __future__ import annotations

from bot.messages import OutboundReply
from bot.transcript import Transcripts

PLATFORM = "webchat"


class WebchatSender:
    platform = PLATFORM

    def __init__(self, transcripts: Transcripts) -> None:
        self.transcripts = transcripts

    async def send(self, reply: OutboundReply) -> None:
        # Recording is the delivery here, and it is once-only per reply id: a redelivered
        # outbox entry finds the id taken and adds nothing.
        await self.transcripts.record_reply_once(reply)
