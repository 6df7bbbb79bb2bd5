"""Dependencies of the handoff routes: the stores, and who is asking."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from handoff.agents import Assigner, Presence
from handoff.customers import CustomerStore
from handoff.tickets import TicketStore
from handoff.users import User, UserStore

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/auth/token")


def _tickets(request: Request) -> TicketStore:
    return request.app.state.tickets


def _users(request: Request) -> UserStore:
    return request.app.state.users


def _customers(request: Request) -> CustomerStore:
    return request.app.state.customers


def _presence(request: Request) -> Presence:
    return request.app.state.presence


def _assigner(request: Request) -> Assigner:
    return request.app.state.assigner


TicketsDep = Annotated[TicketStore, Depends(_tickets)]
UsersDep = Annotated[UserStore, Depends(_users)]
CustomersDep = Annotated[CustomerStore, Depends(_customers)]
PresenceDep = Annotated[Presence, Depends(_presence)]
AssignerDep = Annotated[Assigner, Depends(_assigner)]


async def user_from_token(users: UserStore, presence: Presence, token: str | None) -> User:
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first: no bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    user = await users.user_for_token(token)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or expired token",
                            headers={"WWW-Authenticate": "Bearer"})
    await presence.heartbeat(user.username)
    return user


async def _current_user(
    users: UsersDep, presence: PresenceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    return await user_from_token(users, presence, credentials.credentials if credentials else None)


async def _admin(user: Annotated[User, Depends(_current_user)]) -> User:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return user


CurrentUser = Annotated[User, Depends(_current_user)]
AdminUser = Annotated[User, Depends(_admin)]
