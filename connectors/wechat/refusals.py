"""How a WeChat or WeCom callback that fails its checks is answered: the same for both.

A stale timestamp or a bad signature is a 403 (logged: someone may be replaying or forging),
an envelope that cannot be read or decrypted a 400 with the reason; never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, status

from connectors.wechat.safexml import MalformedPush
from connectors.wechat.verify import ForgedPush, StalePush, UndecryptablePush, require_fresh

logger = logging.getLogger(__name__)


def require_fresh_push(timestamp: str, window_seconds: int, source: str) -> None:
    try:
        require_fresh(timestamp, window_seconds)
    except StalePush as exc:
        logger.warning("Refused a %s: %s", source, exc)
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc


@contextmanager
def refused_as_http(source: str) -> Iterator[None]:
    """Reading and decrypting inside this block: its refusals become 403 or 400."""
    try:
        yield
    except ForgedPush as exc:
        logger.warning("Refused a %s with a bad signature", source)
        raise HTTPException(status.HTTP_403_FORBIDDEN, "signature mismatch") from exc
    except (MalformedPush, UndecryptablePush) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
