"""The agent console: one static page (HTML, JS, CSS; no build step, nothing loaded from
outside) served by the app, talking to the handoff API (``docs/handoff-api.md``).

Only the files in ``static/`` that exist at import time are served, looked up by exact name,
so no request path can reach anything else on disk.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).parent / "static"

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
_FILES = {
    path.name: path
    for path in STATIC_DIR.iterdir()
    if path.is_file() and path.suffix in _MEDIA_TYPES
}
# The page talks only to its own origin; no inline script, nothing from elsewhere, no framing.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Agents get a new version of the console on their next reload, not a day later.
    "Cache-Control": "no-cache",
}

router = APIRouter(tags=["agent console"])


def _file(name: str) -> FileResponse:
    path = _FILES.get(name)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such console file")
    return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix], headers=_HEADERS)


@router.get("/console", include_in_schema=False)
async def console_page() -> FileResponse:
    return _file("index.html")


@router.get("/console/static/{name}", include_in_schema=False)
async def console_file(name: str) -> FileResponse:
    return _file(name)
