"""Dependencies of the handoff routes: the stores, and who is asking."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from handoff.agents import Assigner, Presence
from handoff.customers import CustomerStore
from handoff.sessions import Session
from handoff.throttle import SignInThrottle
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


def _throttle(request: Request) -> SignInThrottle:
    return request.app.state.signin_throttle


TicketsDep = Annotated[TicketStore, Depends(_tickets)]
UsersDep = Annotated[UserStore, Depends(_users)]
CustomersDep = Annotated[CustomerStore, Depends(_customers)]
PresenceDep = Annotated[Presence, Depends(_presence)]
AssignerDep = Annotated[Assigner, Depends(_assigner)]
ThrottleDep = Annotated[SignInThrottle, Depends(_throttle)]


async def session_from_token(
    users: UserStore, presence: Presence, token: str | None
) -> tuple[User, Session]:
    if not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in first: no bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = await users.session_for_token(token)
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid, expired or ended session",
            headers={"WWW-Authenticate": "Bearer"},
        )
    await presence.heartbeat(found[0].username)
    return found


async def user_from_token(users: UserStore, presence: Presence, token: str | None) -> User:
    return (await session_from_token(users, presence, token))[0]


async def _current_session(
    users: UsersDep,
    presence: PresenceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> tuple[User, Session]:
    return await session_from_token(
        users, presence, credentials.credentials if credentials else None
    )


async def _current_user(
    found: Annotated[tuple[User, Session], Depends(_current_session)],
) -> User:
    return found[0]


async def _admin(user: Annotated[User, Depends(_current_user)]) -> User:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return user


CurrentUser = Annotated[User, Depends(_current_user)]
CurrentSession = Annotated[tuple[User, Session], Depends(_current_session)]
AdminUser = Annotated[User, Depends(_admin)]
