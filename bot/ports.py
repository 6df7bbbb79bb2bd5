"""What the engine needs from the people who take over: the hand-over port.

The engine decides *that* a person is needed; the handoff package (tickets, queue, console)
decides *who* and *by when*. The pipeline talks to it only through ``HandoffPort``, which the
composition root fills with handoff's implementation (``handoff.desk.TicketDesk``); the engine
never imports handoff. A port with no people behind it is possible too (a bot-only deployment,
a benchmark): stages take ``None`` and then never hand over silently.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.intents import IntentSet
from bot.messages import InboundMessage, OutboundReply
from bot.vocabulary import HandoverReason, Severity, Tier


class Case(Protocol):
    """What the engine sees of a person's case (a ticket, in the handoff package)."""

    @property
    def id(self) -> str: ...

    @property
    def is_open(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """What the customer reads when a person takes over. A public comment gets a short note in
    ``text``; the promise then goes in private, in ``private_details``."""

    text: str
    private_details: str = ""


class HandoffPort(Protocol):
    async def current_case(self, conversation_key: str) -> Case | None:
        """The conversation's open case, or its last one."""
        ...

    async def customer_wrote(self, case_id: str, message: InboundMessage) -> None:
        """The customer wrote while a person owns the conversation: tell their console."""
        ...

    async def open_case(
        self,
        case_id: str,
        message: InboundMessage,
        *,
        reason: HandoverReason,
        severity: Severity,
        tier: Tier,
        signals: dict[str, Any],
    ) -> tuple[Case, bool]:
        """Open (or reopen) the conversation's case; (case, True when newly opened). The same
        ``case_id`` finds the same case, so a redelivered message opens nothing twice."""
        ...

    async def rating_awaited(self, conversation_key: str, now: float) -> str | None:
        """The id of the resolved case whose satisfaction question is still open, or None."""
        ...

    async def record_satisfaction(self, case_id: str, score: int) -> None: ...

    def acknowledgement(
        self, case: Case, intents: IntentSet, language: str, now: float
    ) -> Acknowledgement: ...


# Called by a sender when a customer can no longer be written to (WeChat's 48-hour window):
# the composition root points it at handoff, which shows it on the customer's open ticket.
UnreachableHook = Callable[[OutboundReply, Exception], Awaitable[None]]
