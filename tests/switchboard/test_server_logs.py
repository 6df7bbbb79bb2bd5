"""The uvicorn log filters: tokens in query strings, streams cancelled at shutdown."""

from __future__ import annotations

import asyncio
import logging

from switchboard.server_logs import StreamsCancelledAtShutdown


def _record(
    msg: str, args: tuple[object, ...], exc: BaseException | None = None
) -> logging.LogRecord:
    exc_info = (type(exc), exc, None) if exc is not None else None
    return logging.LogRecord("uvicorn", logging.INFO, __file__, 1, msg, args, exc_info)


def test_only_cancelled_streams_are_dropped() -> None:
    keep = StreamsCancelledAtShutdown()
    assert not keep.filter(
        _record(
            "Exception in ASGI application", (), asyncio.CancelledError("timeout graceful shutdown")
        )
    )
    assert keep.filter(_record("Exception in ASGI application", (), ValueError("a real bug")))
    assert keep.filter(_record("Shutting down", ()))
