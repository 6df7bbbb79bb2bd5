"""Dependencies of the handoff routes: the stores (who is asking: ``auth.deps``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.customers import CustomerStore
from handoff.agents import Assigner, Presence
from handoff.tickets import TicketStore


def _tickets(request: Request) -> TicketStore:
    return request.app.state.tickets


def _customers(request: Request) -> CustomerStore:
    return request.app.state.customers


def _presence(request: Request) -> Presence:
    return request.app.state.presence


def _assigner(request: Request) -> Assigner:
    return request.app.state.assigner


TicketsDep = Annotated[TicketStore, Depends(_tickets)]
CustomersDep = Annotated[CustomerStore, Depends(_customers)]
PresenceDep = Annotated[Presence, Depends(_presence)]
AssignerDep = Annotated[Assigner, Depends(_assigner)]
