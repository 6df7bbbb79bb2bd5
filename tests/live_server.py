"""Runs the real app under uvicorn on a free port, in a thread, for end-to-end tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from bot.app import create_app
from bot.brain import Brain
from bot.settings import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(settings: Settings, brain: Brain | None = None) -> Iterator[str]:
    """Yield the base URL of a running app (API + in-process worker)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, brain=brain), host="127.0.0.1", port=port,
                       log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(15)


def wait_for_replies(client: httpx.Client, conversation_id: str, count: int,
                     timeout: float = 15.0) -> list[dict]:
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
