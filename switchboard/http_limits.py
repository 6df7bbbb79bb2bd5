"""What one HTTP request may cost, enforced while its body streams in (pure ASGI).

The size limit counts the bytes the server actually receives, whatever the transfer encoding:
a chunked body has no Content-Length to trust. The moment a body passes its route's limit the
app's next ``receive()`` raises ``BodyRefused`` (an ``HTTPException``, so FastAPI re-raises it
instead of calling it a parse error), the client gets a 413 with ``Connection: close`` and the
rest of the body is never buffered. JSON bodies are also scanned for their nesting depth as they
arrive, so a 20,000-deep array is refused (400) before any recursive parser sees it.
"""

from __future__ import annotations

import json
import re

from fastapi import FastAPI, status
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.settings import HttpSettings
from switchboard.http_errors import install_error_handlers

# Only what changes the depth or the string state matters to the scanner.
_JSON_TOKENS = re.compile(rb'[\[\]{}"\\]')


class BodyRefused(HTTPException):
    """The body broke a limit: raised from ``receive()`` and answered with its reason."""


def install(app: FastAPI, settings: HttpSettings) -> None:
    """Limit every route's body and answer every malformed request with a short 4xx."""
    app.add_middleware(BodyLimit, settings=settings)
    install_error_handlers(app)


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit // 1024} KiB" if limit % 1024 == 0 else f"{limit} bytes"


class JsonDepth:
    """Tracks the nesting depth of a JSON text fed chunk by chunk, without parsing it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0
        self._in_string = False
        self._escaped_at = -1  # absolute offset of the character a backslash escapes
        self._offset = 0

    def feed(self, chunk: bytes) -> bool:
        """False as soon as the text nests deeper than ``limit``."""
        base = self._offset
        self._offset += len(chunk)
        for match in _JSON_TOKENS.finditer(chunk):
            at = base + match.start()
            token = match.group()
            if self._in_string:
                if at == self._escaped_at:
                    continue
                if token == b"\\":
                    self._escaped_at = at + 1
                elif token == b'"':
                    self._in_string = False
            elif token == b'"':
                self._in_string = True
            elif token in (b"[", b"{"):
                self.depth += 1
                if self.depth > self.limit:
                    return False
            elif token in (b"]", b"}"):
                self.depth -= 1
        return True


def _is_json(content_type: str | None) -> bool:
    # FastAPI parses a body without a content type as JSON too.
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.endswith("/json") or media.endswith("+json")


class _GuardedBody:
    """Wraps ``receive``: counts the body's bytes and checks its JSON depth as it arrives."""

    def __init__(self, receive: Receive, limit: int, depth: JsonDepth | None) -> None:
        self._receive = receive
        self.limit = limit
        self.depth = depth
        self.received = 0
        self.refusal: BodyRefused | None = None

    async def receive(self) -> Message:
        if self.refusal is not None:
            raise self.refusal
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        chunk = message.get("body", b"")
        self.received += len(chunk)
        if self.received > self.limit:
            self.refusal = BodyRefused(
                status.HTTP_413_CONTENT_TOO_LARGE, f"request body over {_size(self.limit)}"
            )
        elif self.depth is not None and not self.depth.feed(chunk):
            self.refusal = BodyRefused(
                status.HTTP_400_BAD_REQUEST, f"JSON nested deeper than {self.depth.limit} levels"
            )
        if self.refusal is not None:
            raise self.refusal
        return message


class BodyLimit:
    """ASGI middleware: per-route body limits counted on the wire, and a JSON depth limit."""

    def __init__(self, app: ASGIApp, settings: HttpSettings) -> None:
        self.app = app
        self.settings = settings
        # Longest prefix first, so /wechat-something never takes /wechat's limit by accident.
        self._prefixes = sorted(settings.body_limits.items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self._prefixes:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return limit
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(
                send, status.HTTP_413_CONTENT_TOO_LARGE, f"request body over {_size(limit)}"
            )
            return
        depth = (
            JsonDepth(self.settings.max_json_depth)
            if _is_json(headers.get("content-type"))
            else None
        )
        body = _GuardedBody(receive, limit, depth)
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if body.refusal is not None:  # the rest of the body is not worth reading
                    message = {
                        **message,
                        "headers": [
                            *[(k, v) for k, v in message.get("headers", []) if k != b"connection"],
                            (b"connection", b"close"),
                        ],
                    }
            await send(message)

        try:
            await self.app(scope, body.receive, guarded_send)
        except BodyRefused as refusal:
            if started:
                raise
            await _refuse(send, refusal.status_code, refusal.detail)


async def _refuse(send: Send, status_code: int, reason: str) -> None:
    payload = json.dumps({"detail": reason}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
