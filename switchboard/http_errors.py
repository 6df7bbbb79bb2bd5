"""One answer for every request that fails validation: a short 422 that never quotes much.

FastAPI's own handler echoes each failing value in full (a 200 KB message comes back 200 KB
long) and cannot even encode a lone surrogate, so a hostile string turned a 422 into a 500.
Here each error keeps its type, location and message, and at most a short, safely encoded
excerpt of the value.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

EXCERPT_CHARS = 40
_MAX_ERRORS = 10


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_failed)  # type: ignore[arg-type]


def safe_excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of ``value``, with lone surrogates escaped as ``\\udXXX``."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _error(raw: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = {
        "type": str(raw.get("type", "invalid")),
        "loc": [
            part if isinstance(part, int) else safe_excerpt(part) for part in raw.get("loc", ())
        ],
        "msg": safe_excerpt(raw.get("msg", ""), 200),
    }
    value = raw.get("input")
    # Scalars only: a whole object or list would be the request body again.
    if isinstance(value, str | int | float | bool):
        error["input"] = safe_excerpt(value)
    context = raw.get("ctx")
    if isinstance(context, dict):
        error["ctx"] = {safe_excerpt(k): safe_excerpt(v, 80) for k, v in context.items()}
    return error


async def _validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    detail = [_error(raw) for raw in errors[:_MAX_ERRORS]]
    if len(errors) > _MAX_ERRORS:
        detail.append({"type": "truncated", "loc": [], "msg": f"{len(errors)} errors in all"})
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
