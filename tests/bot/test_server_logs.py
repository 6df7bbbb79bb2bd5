"""The uvicorn log filters: tokens in query strings, streams cancelled at shutdown."""

from __future__ import annotations

import asyncio
import logging

from bot.server_logs import RedactTokens, StreamsCancelledAtShutdown, redact_tokens


def _record(msg: str, args: tuple[object, ...], exc: BaseException | None = None
            ) -> logging.LogRecord:
    exc_info = (type(exc), exc, None) if exc is not None else None
    return logging.LogRecord("uvicorn", logging.INFO, __file__, 1, msg, args, exc_info)


def test_tokens_in_query_strings_are_blanked_out() -> None:
    assert redact_tokens("/api/events?token=abc.DEF-123") == "/api/events?token=***"
    assert redact_tokens("/x?a=1&access_token=s3cr3t&b=2") == "/x?a=1&access_token=***&b=2"
    assert redact_tokens("/webchat?tokens=no") == "/webchat?tokens=no"
    record = _record('%s - "%s %s HTTP/%s" %d',
                     ("127.0.0.1:5000", "GET", "/api/events?token=abc", "1.1", 200))
    assert RedactTokens().filter(record)
    assert "abc" not in record.getMessage() and "token=***" in record.getMessage()


def test_only_cancelled_streams_are_dropped() -> None:
    keep = StreamsCancelledAtShutdown()
    assert not keep.filter(_record("Exception in ASGI application", (),
                                   asyncio.CancelledError("timeout graceful shutdown")))
    assert keep.filter(_record("Exception in ASGI application", (), ValueError("a real bug")))
    assert keep.filter(_record("Shutting down", ()))
