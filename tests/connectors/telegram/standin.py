"""A local stand-in for the Telegram Bot API, spoken to by the real python-telegram-bot client.

It answers ``POST /bot<token>/<method>`` for getMe, setWebhook, deleteWebhook, getUpdates and
sendMessage with Telegram's envelope (``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code", "description", "parameters"}``), takes form or JSON bodies like the real server,
and records what it was asked, with the time of each sendMessage, so tests can check spacing.
Tests can queue failures (429 with ``retry_after``, 403, a migrated chat) and slow answers.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.live_server import serve_asgi

_JSON_PARAMS = {"reply_parameters", "allowed_updates", "reply_markup", "entities"}


@dataclass
class Sent:
    chat_id: int
    text: str
    message_id: int
    reply_to_message_id: int | None
    message_thread_id: int | None
    at: float  # time.monotonic() when it was accepted


@dataclass
class _Scripted:
    method: str
    status: int = 200
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0  # answer only after this long (the request is handled first)


class TelegramStandIn:
    def __init__(self, token: str, username: str = "brand_bot") -> None:
        self.token = token
        self.bot = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Brand Bot",
            "username": username,
        }
        self.calls: list[str] = []
        self.sent: list[Sent] = []
        self.attempts: list[tuple[str, int]] = []  # (method, chat_id) of every send attempt
        self.webhook: dict[str, Any] | None = None
        self.conflicts = 0
        self._updates: list[dict[str, Any]] = []
        self._scripts: list[_Scripted] = []
        self._polling = 0
        self._next_message_id = 9000
        self._lock = threading.Lock()

    # What tests do -----------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self._updates.append(update)

    def script(
        self,
        method: str,
        status: int = 200,
        description: str = "",
        *,
        delay: float = 0.0,
        **parameters: Any,
    ) -> None:
        """The next call of ``method`` fails with ``status`` (or, with 200, answers late)."""
        with self._lock:
            self._scripts.append(_Scripted(method, status, description, parameters, delay))

    def sent_to(self, chat_id: int) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.chat_id == chat_id]

    def wait_for_sent(self, chat_id: int, count: int, timeout: float = 20.0) -> list[Sent]:
        deadline = time.monotonic() + timeout
        while len(self.sent_to(chat_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(self.sent_to(chat_id))} of {count} messages "
                    f"reached chat {chat_id} within {timeout} s"
                )
            time.sleep(0.05)
        return self.sent_to(chat_id)

    # The Bot API --------------------------------------------------------------------------------

    async def endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await _params(request)
        with self._lock:
            self.calls.append(method)
            script = next((s for s in self._scripts if s.method == method), None)
            if script is not None:
                self._scripts.remove(script)
        if method == "sendMessage":
            self.attempts.append((method, int(params.get("chat_id", 0))))
        if script is not None and script.status != 200:
            return _error(script.status, script.description, script.parameters)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        response = await handler(params)
        if script is not None and script.delay:
            await asyncio.sleep(script.delay)
        return response

    async def _getMe(self, params: dict[str, Any]) -> JSONResponse:
        return _ok(self.bot)

    async def _setWebhook(self, params: dict[str, Any]) -> JSONResponse:
        self.webhook = params
        return _ok(True)

    async def _deleteWebhook(self, params: dict[str, Any]) -> JSONResponse:
        self.webhook = None
        return _ok(True)

    async def _getUpdates(self, params: dict[str, Any]) -> JSONResponse:
        if self.webhook is not None:
            return _error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if self._polling:
            self.conflicts += 1
            return _error(
                409,
                "Conflict: terminated by other getUpdates request; make sure "
                "that only one bot instance is running",
            )
        self._polling += 1
        try:
            offset = int(params.get("offset") or 0)
            deadline = time.monotonic() + float(params.get("timeout") or 0)
            while True:
                with self._lock:
                    # An offset confirms every update before it: Telegram forgets them.
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                    ready = list(self._updates[:100])
                if ready or time.monotonic() >= deadline:
                    return _ok(ready)
                await asyncio.sleep(0.05)
        finally:
            self._polling -= 1

    async def _sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        chat_id, text = int(params["chat_id"]), str(params.get("text", ""))
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        reply = params.get("reply_parameters") or {}
        thread = params.get("message_thread_id")
        with self._lock:
            self._next_message_id += 1
            sent = Sent(
                chat_id,
                text,
                self._next_message_id,
                reply.get("message_id"),
                int(thread) if thread else None,
                time.monotonic(),
            )
            self.sent.append(sent)
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot,
            "text": text,
        }
        if sent.message_thread_id:
            message["message_thread_id"] = sent.message_thread_id
        return _ok(message)

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self.endpoint, methods=["GET", "POST"]),
            ]
        )


async def _params(request: Request) -> dict[str, Any]:
    body = (await request.body()).decode()
    if "json" in request.headers.get("content-type", ""):
        return json.loads(body or "{}")
    params: dict[str, Any] = dict(parse_qsl(body))
    params.update(dict(request.query_params))
    for name in _JSON_PARAMS & params.keys():
        params[name] = json.loads(params[name])
    return params


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


@contextmanager
def running(standin: TelegramStandIn) -> Iterator[str]:
    """Serve ``standin`` on 127.0.0.1; yield the base URL for ``telegram.api_base_url``."""
    with serve_asgi(standin.app) as base:
        yield f"{base}/bot"
