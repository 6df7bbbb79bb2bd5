"""The ticket as the console's ticket view shows it (``schemas_tickets.TicketDetailOut``): the
queue row plus the conversation, the classifier's signals, notes, customer history, events."""

from __future__ import annotations

from typing import Any

from bot.customers import CustomerStore
from bot.transcript import Transcripts
from handoff.models import Ticket
from handoff.why import top_classes, why


class TicketView:
    def __init__(self, customers: CustomerStore, transcripts: Transcripts) -> None:
        self.customers = customers
        self.transcripts = transcripts

    async def detail(self, ticket: Ticket) -> dict[str, Any]:
        transcript = await self.transcripts.read(ticket.conversation_key) or []
        customer = await self.customers.get(ticket.customer.key)
        signals = ticket.signals
        ranking = signals.get("ranking") or [{}]
        return {
            **ticket.summary(),
            "transcript": [
                # "state": "in_doubt" marks a reply the platform never confirmed
                # (docs/delivery.md).
                {k: entry.get(k) for k in ("id", "role", "text", "ts", "agent", "state")}
                for entry in transcript
            ],
            "signals": {
                "intent": signals.get("intent") or ranking[0].get("intent"),
                "confidence": signals.get("confidence"),
                "negativity": signals.get("negativity"),
                "severity": ticket.severity,
                "reasons": [*signals.get("reasons", []), *signals.get("assessment_reasons", [])],
                "person_reason": signals.get("person_reason") or "",
                "why": why(signals),
                "triage_top": top_classes(signals),
                "suggested_reply": signals.get("suggested_reply"),
                "message": signals.get("message"),
            },
            "unnecessary": ticket.unnecessary,
            "notes": ticket.notes,
            "history": customer.history,
            "events": ticket.events,
        }
