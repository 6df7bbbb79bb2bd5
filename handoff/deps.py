"""Dependencies of the handoff routes: the stores, the texts, the ticket view (who is asking:
``auth.deps``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from bot.customers import CustomerStore
from bot.deps import TranscriptsDep
from handoff.agents import Assigner, Presence
from handoff.ticket_view import TicketView
from handoff.tickets import TicketStore


async def _tickets(request: Request) -> TicketStore:
    return request.app.state.tickets


async def _customers(request: Request) -> CustomerStore:
    return request.app.state.customers


async def _presence(request: Request) -> Presence:
    return request.app.state.presence


async def _assigner(request: Request) -> Assigner:
    return request.app.state.assigner


async def _system_texts(request: Request) -> dict[str, dict[str, str]]:
    return request.app.state.system_texts


async def _canned(request: Request) -> list[dict[str, Any]]:
    return request.app.state.canned


TicketsDep = Annotated[TicketStore, Depends(_tickets)]
CustomersDep = Annotated[CustomerStore, Depends(_customers)]
PresenceDep = Annotated[Presence, Depends(_presence)]
AssignerDep = Annotated[Assigner, Depends(_assigner)]
# The intent set's system texts (name -> language -> text), e.g. the satisfaction question.
SystemTextsDep = Annotated[dict[str, dict[str, str]], Depends(_system_texts)]
# Canned replies for agents (``handoff.canned.load_canned``).
CannedDep = Annotated[list[dict[str, Any]], Depends(_canned)]


async def _ticket_view(customers: CustomersDep, transcripts: TranscriptsDep) -> TicketView:
    return TicketView(customers, transcripts)


TicketViewDep = Annotated[TicketView, Depends(_ticket_view)]
