"""Log filters for the uvicorn server ``switchboard run`` starts.

- The agent console's live-update stream carries the session token in its query string
  (``EventSource`` cannot send headers), and uvicorn's access log prints whole paths: the token
  is blanked out before any handler sees it.
- After the graceful-shutdown timeout uvicorn cancels the streams still open and logs each as
  "Exception in ASGI application" with a traceback; that cancellation is the plan, not an error.
"""

from __future__ import annotations

import asyncio
import logging
import re

_TOKEN = re.compile(r"((?:^|[?&])(?:token|access_token)=)[^&\s]+")


def redact_tokens(text: str) -> str:
    """``text`` with token query parameters blanked out."""
    return _TOKEN.sub(r"\1***", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact_tokens(a) if isinstance(a, str) else a for a in args)
        return True


class StreamsCancelledAtShutdown(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[0] if record.exc_info else None
        return not (error is not None and issubclass(error, asyncio.CancelledError))


def install() -> None:
    """Attach the filters to uvicorn's loggers (idempotent)."""
    for name, kind in (
        ("uvicorn.access", RedactTokens),
        ("uvicorn.error", StreamsCancelledAtShutdown),
    ):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
