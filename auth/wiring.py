"""Puts the auth parts on an app: the user store and the sign-in throttle, and the routers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from redis.asyncio import Redis

from auth import routes, routes_users
from auth.throttle import SignInLimits, SignInThrottle
from auth.users import UserStore


def auth_routers() -> list[APIRouter]:
    return [routes.router, routes_users.router]


def attach_auth(state: Any, redis: Redis, limits: SignInLimits, token_ttl_hours: float) -> None:
    state.users = UserStore(redis, int(token_ttl_hours * 3600))
    state.signin_throttle = SignInThrottle(redis, limits)
