"""How Switchboard serves HTTP: uvicorn on httptools and uvloop (``uvicorn[standard]``).

uvicorn's pure-Python h11 parser and asyncio's default loop cost the API about a quarter more
CPU per request (docs/benchmark.md, "Load"). Both fast parts are named here instead of left to
uvicorn's silent "auto", so a server without them says so at start-up; and the load benchmark
serves its bare peer app through this same function, so the two are served alike.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from collections.abc import Callable
from typing import Any

import uvicorn

logger = logging.getLogger(__name__)


def implementations() -> tuple[str, str]:
    """(HTTP parser, event loop) uvicorn will use here: the fast ones when installed."""
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return http, loop


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """For ``asyncio.Runner``: a uvloop loop when installed, else asyncio's default."""
    if implementations()[1] != "uvloop":
        return None
    import uvloop

    return uvloop.new_event_loop


def config(app: Any, *, host: str, port: int, **options: Any) -> uvicorn.Config:
    """A uvicorn config for ``app`` on httptools and uvloop; ``options`` go to uvicorn."""
    http, loop = implementations()
    if (http, loop) != ("httptools", "uvloop"):
        logger.warning(
            "HTTP served by %s on %s, the slow pure-Python parts: "
            "pip install 'uvicorn[standard]' for httptools and uvloop",
            http,
            loop,
        )
    options.setdefault("log_level", "info")
    return uvicorn.Config(app, host=host, port=port, http=http, loop=loop, **options)
