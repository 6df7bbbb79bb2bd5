"""The guards every API route uses: who is asking (``CurrentUser``), admins only (``AdminUser``).

They read the user store and the sign-in throttle from the app's state (``auth.wiring``). A
signed-in request also tells the presence hook the user is still there, when one is attached
(the agent console's presence, in handoff).
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from auth.sessions import Session
from auth.throttle import SignInThrottle
from auth.users import User, UserStore

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/auth/token")


class PresenceHook(Protocol):
    """Told when a user shows signs of life and when they sign out."""

    async def heartbeat(self, username: str) -> None: ...

    async def signed_out(self, username: str) -> None: ...


async def _users(request: Request) -> UserStore:
    return request.app.state.users


async def _throttle(request: Request) -> SignInThrottle:
    return request.app.state.signin_throttle


async def _presence(request: Request) -> PresenceHook | None:
    return getattr(request.app.state, "presence", None)


UsersDep = Annotated[UserStore, Depends(_users)]
ThrottleDep = Annotated[SignInThrottle, Depends(_throttle)]
PresenceHookDep = Annotated[PresenceHook | None, Depends(_presence)]


async def session_from_token(
    users: UserStore, presence: PresenceHook | None, token: str | None
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
    if presence is not None:
        await presence.heartbeat(found[0].username)
    return found


async def user_from_token(
    users: UserStore, presence: PresenceHook | None, token: str | None
) -> User:
    return (await session_from_token(users, presence, token))[0]


async def _current_session(
    users: UsersDep,
    presence: PresenceHookDep,
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
