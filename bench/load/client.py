"""A small keep-alive HTTP/1.1 client on asyncio streams: the load generator for every peer.

httpx spends more CPU per request than the servers measured here, on the same two cores; this
client builds each request as bytes and reads only the status and the body's length, so the
servers, not the generator, set the figures. Both apps are driven by this same client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class Connection:
    """One kept-alive connection; requests on it go one after another."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, base_url: str) -> Connection:
        url = urlsplit(base_url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        return cls(reader, writer)

    async def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        fields = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip().lower()
        if fields.get(b"transfer-encoding") == b"chunked":
            answer = await self._chunked()
        else:
            answer = await self.reader.readexactly(int(fields.get(b"content-length", 0)))
        if fields.get(b"connection") == b"close":
            await self.close()
        return status, answer

    async def _chunked(self) -> bytes:
        answer = b""
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            answer += (await self.reader.readexactly(size + 2))[:-2]
        await self.reader.readuntil(b"\r\n")  # the empty line after the last chunk
        return answer

    @property
    def closed(self) -> bool:
        return self.writer.is_closing()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@dataclass
class Tally:
    ok: int = 0
    failed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    ok_all_along: int = 0  # 2xx answers, the warm-up's too (for CPU time per request)

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if 200 <= status < 300:
            self.ok += 1
        else:
            self.failed += 1


async def closed_loop(
    base_url: str,
    path: str,
    payload: Callable[[], dict[str, Any]],
    *,
    connections: int,
    seconds: float,
    warmup: float = 1.0,
) -> tuple[float, Tally]:
    """Each connection sends its next request as soon as the last is answered. Returns the
    answered-with-2xx rate over ``seconds`` after ``warmup``, and every answer's status."""
    tally = Tally()
    started = time.perf_counter()
    measure_from, stop_at = started + warmup, started + warmup + seconds

    async def drive() -> None:
        conn = await Connection.open(base_url)
        try:
            while time.perf_counter() < stop_at:
                status, _ = await conn.post_json(path, payload())
                tally.ok_all_along += 200 <= status < 300
                if measure_from <= time.perf_counter() < stop_at:  # answered in the window
                    tally.count(status)
                if conn.closed:
                    conn = await Connection.open(base_url)
        finally:
            await conn.close()

    await asyncio.gather(*(drive() for _ in range(connections)))
    return tally.ok / seconds, tally


async def paced(
    base_url: str,
    path: str,
    payloads: list[dict[str, Any]],
    offsets: list[float],
    *,
    connections: int,
    on_sent: Callable[[int, float], None],
) -> Tally:
    """Send ``payloads[i]`` at ``offsets[i]`` seconds from now (an open loop: the schedule does
    not wait for answers). ``on_sent(i, t)`` gets each request's scheduled time, so a late
    send counts against the server, not the clock."""
    tally = Tally()
    queue: asyncio.Queue[int | None] = asyncio.Queue()
    start = time.perf_counter()

    async def schedule() -> None:
        for i, offset in enumerate(offsets):
            delay = start + offset - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            on_sent(i, start + offset)
            queue.put_nowait(i)
        for _ in range(connections):
            queue.put_nowait(None)

    async def send() -> None:
        conn = await Connection.open(base_url)
        try:
            while (i := await queue.get()) is not None:
                status, _ = await conn.post_json(path, payloads[i])
                tally.count(status)
                if conn.closed:
                    conn = await Connection.open(base_url)
        finally:
            await conn.close()

    await asyncio.gather(schedule(), *(send() for _ in range(connections)))
    return tally
