"""Sign-in (throttled), sign-out and changing one's own password."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from auth.deps import CurrentSession, CurrentUser, PresenceHookDep, ThrottleDep, UsersDep
from auth.schemas import PasswordChangeIn, TokenOut
from auth.users import UserError

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["sign-in"])


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses={429: {"description": "too many failed sign-ins; see Retry-After"}},
)
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    users: UsersDep,
    throttle: ThrottleDep,
    request: Request,
) -> TokenOut:
    """Exchange a username and password for a bearer token (throttled per account and address)."""
    address = request.client.host if request.client else "unknown"
    wait = await throttle.attempt(form.username, address)
    if wait:
        logger.warning(
            "Sign-in refused for %r from %s: too many failures, retry in %d s",
            form.username[:64],
            address,
            wait,
        )
        raise too_many_attempts(wait)
    user = await users.verify(form.username, form.password)
    if user is None:
        logger.info("Failed sign-in for %r from %s", form.username[:64], address)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    await throttle.succeeded(form.username, address)
    ttl = users.token_ttl_seconds
    token = await users.issue_token(user, ttl)
    return TokenOut(access_token=token, username=user.username, role=user.role, expires_in=ttl)


@router.delete("/auth/token", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(found: CurrentSession, users: UsersDep, presence: PresenceHookDep) -> None:
    """End this session: the token and its live stream stop working, and the agent goes
    offline."""
    user, session = found
    await users.sessions.end_session(session)
    if presence is not None:
        await presence.signed_out(user.username)


@router.put("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: PasswordChangeIn,
    user: CurrentUser,
    users: UsersDep,
    throttle: ThrottleDep,
    request: Request,
) -> None:
    """Change your own password: every session of yours ends, this one too (sign in again)."""
    address = request.client.host if request.client else "unknown"
    wait = await throttle.attempt(user.username, address)
    if wait:
        raise too_many_attempts(wait)
    if await users.verify(user.username, body.current_password) is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the current password is wrong")
    await throttle.succeeded(user.username, address)
    try:
        await users.set_password(user.username, body.new_password)
    except UserError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc


def too_many_attempts(seconds: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        {
            "message": f"Too many failed sign-ins. Try again in {seconds} s.",
            "message_zh": f"登录失败次数过多，请 {seconds} 秒后再试。",
            "retry_after": seconds,
        },
        headers={"Retry-After": str(seconds)},
    )
