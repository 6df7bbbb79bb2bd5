"""Keeps secrets and identifiers out of uvicorn's access log.

Query strings carry WeChat's ``openid`` and signatures, and stream tickets; the web chat's
conversation id is a bearer secret in the path (whoever knows it can read the conversation).
The filter rewrites each access-log record before any handler sees it: the query string and
the conversation id become ``***``. Even parameter names go: a bare ``?<token>`` is all name.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_REDACTED = "***"
# Path segments that are secrets: (prefix) {secret} (rest).
_SECRET_SEGMENTS = (re.compile(r"^(/webchat/conversations/)[^/?]+"),)


def redact_path(full_path: str) -> str:
    """``/webchat/conversations/abc/messages?openid=x`` ->
    ``/webchat/conversations/***/messages?***``."""
    path, sep, _ = full_path.partition("?")
    for pattern in _SECRET_SEGMENTS:
        path = pattern.sub(rf"\g<1>{_REDACTED}", path)
    if not sep:
        return path
    return f"{path}?{_REDACTED}"


class AccessLogRedactor(logging.Filter):
    """uvicorn logs ``'%s - "%s %s HTTP/%s" %d'`` with (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, AccessLogRedactor) for f in logger.filters):
        logger.addFilter(AccessLogRedactor())
