"""The intent admin API's routers, for the app factory."""

from __future__ import annotations

from fastapi import APIRouter

from intent_admin import routes_drafts, routes_misses, routes_publish


def intent_admin_routers() -> list[APIRouter]:
    return [routes_drafts.router, routes_publish.router, routes_misses.router]
