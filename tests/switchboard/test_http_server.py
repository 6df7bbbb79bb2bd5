"""The server ``switchboard run`` starts parses HTTP with httptools on a uvloop event loop;
``switchboard worker`` runs on uvloop too."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import uvloop
from fastapi.routing import APIRoute
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from switchboard import http_server
from switchboard.app import create_app
from switchboard.settings import Settings
from tests.connectors.telegram.conftest import SECRET, with_telegram
from tests.connectors.wechat.conftest import kf_section, wechat_section
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


def _routes(router: Any) -> Iterator[APIRoute]:
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router, matched lazily
            yield from _routes(route.original_router)


def _runs_on_the_loop(call: Any) -> bool:
    """What FastAPI awaits in place; anything else it runs in a worker thread (classes too)."""
    if inspect.isclass(call):
        return False
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(call.__call__)


def _sync_dependencies(dependant: Any) -> Iterator[str]:
    for sub in dependant.dependencies:
        if sub.call is not None and not _runs_on_the_loop(sub.call):
            yield getattr(sub.call, "__qualname__", repr(sub.call))
        yield from _sync_dependencies(sub)


def test_no_route_customers_or_platforms_call_hops_to_a_thread(tmp_path: Path) -> None:
    # FastAPI runs a plain ``def`` dependency in a worker thread: for a lookup in app.state the
    # hop costs more than the rest of a web chat POST (docs/benchmark.md, "Load").
    settings = Settings(
        data_dir=tmp_path,
        redis={"url": "redis://127.0.0.1:9/0"},  # never connected: no lifespan runs here
        run_worker_in_api=False,
        wechat=wechat_section("http://127.0.0.1:9/cgi-bin/", comment_articles=[]),
        wecom_kf=kf_section("http://127.0.0.1:9/cgi-bin/"),
    )
    settings = with_telegram(settings, mode="webhook", secret_token=SECRET)
    hot = ("/webchat", "/wechat", "/wecom-kf", "/telegram", "/healthz")
    routes = [r for r in _routes(create_app(settings).router) if r.path.startswith(hot)]
    assert {r.path.split("/")[1] for r in routes} == {p.strip("/") for p in hot}
    offenders = {r.path: list(_sync_dependencies(r.dependant)) for r in routes}
    assert not any(offenders.values()), offenders
