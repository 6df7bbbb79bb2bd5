"""A flood of wrong passwords against the real app, and what it does to everyone else.

Starts a private redis-server and the app under uvicorn (API only, no worker), then measures
GET /healthz latency while idle and while N concurrent clients send wrong passwords for one
account, with throttling on (config defaults) and off (limits raised out of reach, so every
attempt costs a password hash). Prints a table and the CPU.

    python -m bench.signin_flood [--attempts 200] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import uvicorn

import bot
from handoff.settings import HandoffSettings
from switchboard.app import create_app
from switchboard.settings import Settings

ROOT = Path(bot.__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


async def _healthz_latencies(api: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    latencies = []
    while not stop.is_set():
        start = time.perf_counter()
        await api.get("/healthz")
        latencies.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.05)
    return latencies


async def _flood(base: str, attempts: int, concurrency: int) -> tuple[dict[int, int], float]:
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(attempts):
        queue.put_nowait(n)

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as api:
            while not queue.empty():
                n = queue.get_nowait()
                response = await api.post(
                    "/api/auth/token", data={"username": "alice", "password": f"guess-{n}"}
                )
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return statuses, time.perf_counter() - start


async def _measure(base: str, attempts: int, concurrency: int) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as api:
        stop = asyncio.Event()
        idle_task = asyncio.create_task(_healthz_latencies(api, stop))
        await asyncio.sleep(2)
        stop.set()
        idle = await idle_task
        stop = asyncio.Event()
        busy_task = asyncio.create_task(_healthz_latencies(api, stop))
        statuses, seconds = await _flood(base, attempts, concurrency)
        stop.set()
        busy = await busy_task
    return {
        "idle_p50": statistics.median(idle),
        "busy_p50": statistics.median(busy),
        "busy_max": max(busy),
        "statuses": statuses,
        "seconds": seconds,
    }


def _serve(url: str, data: str, limits: dict[str, int], port: int) -> None:
    """The app alone in this process (``--serve``): the flooding clients must not share its
    interpreter, or they would compete with it for the GIL and blur the figures."""
    settings = Settings(
        data_dir=Path(data),
        redis={"url": url},
        run_worker_in_api=False,
        handoff=limits,
        understanding={"intents_dir": ROOT / "intents"},
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="error")


def _start(url: str, data: str, limits: dict[str, int]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", url, data, json.dumps(limits), str(port)], cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("the app did not start (see its log above)")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)


def _add_user(redis_url: str) -> None:
    from redis.asyncio import Redis

    from auth.users import UserStore

    async def add() -> None:
        async with Redis.from_url(redis_url, decode_responses=True) as client:
            await client.flushdb()
            await UserStore(client).add("alice", "agent", "the-right-password")

    asyncio.run(add())


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    port = _free_port()
    redis = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    time.sleep(0.5)
    rows = []
    throttled = "signin_failures_per_account" in HandoffSettings.model_fields
    modes = [
        ("throttling on", {}),
        (
            "throttling off",
            {"signin_failures_per_account": 10**6, "signin_failures_per_address": 10**6},
        ),
    ]
    try:
        with tempfile.TemporaryDirectory() as data:
            for name, limits in modes if throttled else [("no throttling (old code)", {})]:
                _add_user(url)
                server, base = _start(url, data, limits)
                try:
                    rows.append(
                        (name, asyncio.run(_measure(base, args.attempts, args.concurrency)))
                    )
                finally:
                    server.terminate()
                    server.wait(15)
    finally:
        redis.terminate()
        redis.wait(10)
    print(
        f"\n{args.attempts} wrong passwords for one account, {args.concurrency} clients; "
        f"CPU: {_cpu()}\n"
    )
    print(
        f"{'mode':26} {'flood s':>8} {'healthz idle p50':>17} {'during p50':>11} "
        f"{'during max':>11}  answers"
    )
    for name, r in rows:
        print(
            f"{name:26} {r['seconds']:8.1f} {r['idle_p50']:14.1f} ms {r['busy_p50']:8.1f} ms "
            f"{r['busy_max']:8.1f} ms  {r['statuses']}"
        )


if __name__ == "__main__":
    main()
