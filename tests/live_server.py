"""Runs the real app under uvicorn on a free port, in a thread, for end-to-end tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from bot.brain import Brain
from switchboard import http_server
from switchboard.app import create_app
from switchboard.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_asgi(app: Any, *, lifespan: str = "off", start_timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yield its base URL."""
    port = free_port()
    # Served as `switchboard run` serves it (httptools, uvloop), so tests cover that stack.
    server = uvicorn.Server(
        http_server.config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{type(app).__name__} did not start on port {port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@contextmanager
def live_server(settings: Settings, brain: Brain | None = None) -> Iterator[str]:
    """Yield the base URL of a running app (API + in-process worker)."""
    with serve_asgi(create_app(settings, brain=brain), lifespan="on", start_timeout=60) as base:
        yield base


def wait_for_replies(
    client: httpx.Client, conversation_id: str, count: int, timeout: float = 15.0
) -> list[dict]:
    """Poll the conversation like the web chat page does, until ``count`` replies arrived."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/webchat/conversations/{conversation_id}/messages")
        if response.status_code == 200:
            replies = [m for m in response.json()["messages"] if m["role"] != "customer"]
            if len(replies) >= count:
                return replies
        if time.monotonic() > deadline:
            raise AssertionError(f"no {count} replies within {timeout} s: {response.text}")
        time.sleep(0.1)
