"""HTTP answers for infrastructure failures: while Redis is down every route answers 503.

A dropped connection is retried inside the client first (``bot.redis_conn``); what still fails
reaches here and becomes ``503 Service Unavailable`` with ``Retry-After``, so clients and load
balancers back off instead of reporting a server bug. The body carries a short reason code that
reads the same in any language. Nothing is cached: once Redis answers again, so does the app.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
REASON = "storage_unavailable"


def add_redis_outage_handler(app: FastAPI) -> None:
    """Answer 503 + Retry-After for Redis connection errors, timeouts and loading (a
    ``BusyLoadingError`` is a ``ConnectionError``)."""
    for error in (RedisConnectionError, RedisTimeoutError):
        app.add_exception_handler(error, redis_unavailable)


async def redis_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # One line per failed request, without the URL's query (it may carry a token).
    logger.warning(
        "Redis unavailable for %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return JSONResponse(
        {
            "detail": "service temporarily unavailable, retry shortly",
            "reason": REASON,
            "retry_after": RETRY_AFTER_SECONDS,
        },
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
