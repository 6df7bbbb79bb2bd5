"""A bare HTTP/1.1 client on a socket, for bodies no polite client would send.

httpx writes the whole request before it reads the answer, so a server that refuses a 200 MB
body early looks, from httpx, like a broken pipe. This client streams the body (chunked or
with a length) and stops the moment the server answers, reporting how much it had sent.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FRAME_BYTES = 64 * 1024


@dataclass
class RawResponse:
    status: int  # 0: the connection closed without an answer
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    sent: int = 0  # body bytes the server had taken when it answered


def post(
    base_url: str,
    path: str,
    *,
    body: bytes = b"",
    chunked_total: int = 0,
    chunks: Iterable[bytes] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> RawResponse:
    """POST ``body``; or, chunked (no length), ``chunks`` or ``chunked_total`` bytes of "x"."""
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if chunks is not None or chunked_total:
        lines.append("Transfer-Encoding: chunked")
        frames = _framed(chunks if chunks is not None else _filler(chunked_total))
    else:
        lines.append(f"Content-Length: {len(body)}")
        frames = (body[i : i + FRAME_BYTES] for i in range(0, len(body), FRAME_BYTES))
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        sent = _send_until_answered(sock, frames, timeout)
        response = _read_response(sock)
    response.sent = sent
    return response


def _filler(total: int) -> Iterator[bytes]:
    frame = b"x" * FRAME_BYTES  # one buffer, sent again and again: the client stays small
    for _ in range(total // FRAME_BYTES):
        yield frame
    if total % FRAME_BYTES:
        yield frame[: total % FRAME_BYTES]


def _framed(chunks: Iterable[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        if chunk:
            yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    yield b"0\r\n\r\n"


def _send_until_answered(sock: socket.socket, frames: Iterator[bytes], timeout: float) -> int:
    sent = 0
    for frame in frames:
        view = memoryview(frame)
        while view:
            readable, writable, _ = select.select([sock], [sock], [], timeout)
            if readable:  # an early answer (or a close): stop sending, as RFC 9112 asks
                return sent
            if not writable:
                raise TimeoutError(f"the server neither read nor answered for {timeout} s")
            try:
                written = sock.send(view)
            except (BrokenPipeError, ConnectionResetError):
                return sent
            view = view[written:]
            sent += written
    return sent


def _read_response(sock: socket.socket) -> RawResponse:
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/"):
            return RawResponse(status=0)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            piece = sock.recv(65536)
            if not piece:
                break
            body += piece
    except ConnectionResetError:  # the answer was read first; the reset only ends it
        if not data.startswith(b"HTTP/"):
            return RawResponse(status=0)
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, headers = head.decode("latin-1").split("\r\n")[0], {}
    return RawResponse(status=int(status_line.split()[1]), body=body, headers=headers)
