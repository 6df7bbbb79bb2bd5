"""Admin work on console users: a new role, a password reset, ending someone's sessions."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from auth.deps import AdminUser, UsersDep
from auth.schemas import PasswordIn, RoleIn, SessionsEndedOut, UserOut
from auth.users import User, UserError

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("")
async def list_users(admin: AdminUser, users: UsersDep) -> list[UserOut]:
    """Every console user (no password hashes)."""
    return [_public(user) for user in await users.all()]


@router.put("/{username}/role")
async def set_role(username: str, body: RoleIn, admin: AdminUser, users: UsersDep) -> UserOut:
    """Give a user another role; their sessions end, so the new rights apply at once."""
    try:
        return _public(await users.set_role(username, body.role))
    except UserError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.put("/{username}/password", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(
    username: str, body: PasswordIn, admin: AdminUser, users: UsersDep
) -> None:
    """Set a user's password (they forgot it, or it leaked); their sessions end."""
    if await users.get(username) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user {username!r}")
    try:
        await users.set_password(username, body.password)
    except UserError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc


@router.delete("/{username}/sessions")
async def end_sessions(username: str, admin: AdminUser, users: UsersDep) -> SessionsEndedOut:
    """Sign a user out everywhere: their tokens and live streams stop working within 2 s."""
    if await users.get(username) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user {username!r}")
    return SessionsEndedOut(ended=await users.end_sessions(username, f"ended by {admin.username}"))


def _public(user: User) -> UserOut:
    return UserOut(
        username=user.username, role=user.role, teams=list(user.teams), capacity=user.capacity
    )
