"""Log filters for the uvicorn server ``switchboard run`` starts.

After the graceful-shutdown timeout uvicorn cancels the streams still open and logs each as
"Exception in ASGI application" with a traceback; that cancellation is the plan, not an error.
(Tokens and ids in the access log are blanked by ``switchboard.access_log``, for every server.)
"""

from __future__ import annotations

import asyncio
import logging


class StreamsCancelledAtShutdown(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[0] if record.exc_info else None
        return not (error is not None and issubclass(error, asyncio.CancelledError))


def install() -> None:
    """Attach the filters to uvicorn's loggers (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, StreamsCancelledAtShutdown) for f in logger.filters):
        logger.addFilter(StreamsCancelledAtShutdown())
