"""Request and response bodies of the sign-in and user-management API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    username: str
    role: str
    expires_in: int


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)


class PasswordIn(BaseModel):
    password: str = Field(min_length=8, max_length=1024)


class RoleIn(BaseModel):
    role: Literal["agent", "admin"]


class UserOut(BaseModel):
    """A console user as the admins see one (never a password hash)."""

    username: str
    role: Literal["agent", "admin"]
    teams: list[str]
    capacity: int


class SessionsEndedOut(BaseModel):
    ended: int = Field(description="how many sessions were signed out")
