"""The server ``switchboard run`` starts parses HTTP with httptools on a uvloop event loop;
``switchboard worker`` runs on uvloop too."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from typing import Any

import httpx
import uvicorn
import uvloop
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bot import deps, http_server
from tests.live_server import free_port


def test_the_config_names_httptools_and_uvloop() -> None:
    config = http_server.config(object(), host="127.0.0.1", port=1, log_level="warning")
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol
    assert config.get_loop_factory() is uvloop.new_event_loop
    assert http_server.implementations() == ("httptools", "uvloop")
    assert http_server.loop_factory() is uvloop.new_event_loop  # what workers run on


async def _which_loop(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that answers with the class of the event loop serving it."""
    if scope["type"] != "http":
        return
    name = type(asyncio.get_running_loop()).__module__.encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": name})


def test_a_server_on_this_config_runs_on_uvloop() -> None:
    port = free_port()
    server = uvicorn.Server(
        http_server.config(_which_loop, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        assert httpx.get(f"http://127.0.0.1:{port}/").text.startswith("uvloop")
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_app_state_dependencies_are_async() -> None:
    # FastAPI runs a plain ``def`` dependency in a worker thread: for a lookup in app.state the
    # thread hop costs more than the whole request otherwise does (docs/benchmark.md, "Load").
    aliases = [deps.SettingsDep, deps.RedisDep, deps.InboxDep, deps.TranscriptsDep]
    providers = [alias.__metadata__[0].dependency for alias in aliases]
    assert all(inspect.iscoroutinefunction(provider) for provider in providers)
