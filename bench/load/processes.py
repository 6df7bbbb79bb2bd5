"""The real processes of a load run: redis-server, the API, workers, the bare peer app.

Each is started from this checkout (``python -m switchboard.cli``, not an installed script) with the
project's own config.yml, told only where Redis is and that workers run on their own; its
output goes to a log file in the run's folder, named in any error.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import redis

import bot

ROOT = Path(bot.__file__).resolve().parent.parent


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: killed by the kernel if the benchmark dies, so an
    interrupted run leaves no process behind."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Processes:
    """Starts and stops the run's processes; every one is stopped on ``close``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.redis_url = ""

    def start_redis(self) -> str:
        """A private redis-server with an append-only file synced every second, as the
        embedded Redis of ``switchboard run`` keeps it."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        port = free_port()
        (self.workdir / "redis").mkdir()
        self._spawn(
            "redis",
            [
                *(binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", "redis"),
                *("--appendonly", "yes", "--appendfsync", "everysec", "--save", ""),
            ],
        )
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(self.redis_url)
        self._wait("redis", lambda: _pings(client))
        client.close()
        return self.redis_url

    def start_api(self) -> str:
        """``switchboard run`` without its in-process worker: the API as it is served."""
        port = free_port()
        self._spawn("api", [sys.executable, "-m", "switchboard.cli", "run", "--port", str(port)])
        return f"http://127.0.0.1:{port}"

    def start_bare(self) -> str:
        port = free_port()
        self._spawn(
            "bare", [sys.executable, "-m", "bench.load.bare_app", self.redis_url, str(port)]
        )
        return f"http://127.0.0.1:{port}"

    def start_worker(self, name: str) -> None:
        self._spawn(
            name, [sys.executable, "-m", "switchboard.cli", "--log-level", "INFO", "worker"]
        )

    def wait_http(self, name: str, base: str, path: str, timeout: float = 300) -> None:
        self._wait(name, lambda: _answers(f"{base}{path}"), timeout)

    def wait_worker(self, name: str, timeout: float = 300) -> None:
        log = self.workdir / f"{name}.log"
        self._wait(name, lambda: b"Worker running" in log.read_bytes(), timeout)

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        for name in [name for name in self.running if name != "redis"] + ["redis"]:
            if name in self.running:
                self.stop(name)

    def cpu_seconds(self, *names: str) -> float:
        """CPU time (user + system) the named processes have used so far: unlike rates, it
        hardly moves when other work shares the machine."""
        total = 0.0
        for name in names:
            stat = Path(f"/proc/{self.running[name].pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def log_tail(self, name: str, lines: int = 20) -> str:
        text = (self.workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _spawn(self, name: str, args: list[str]) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "SWITCHBOARD_RUN_WORKER_IN_API": "false",
        }
        if self.redis_url:
            env["SWITCHBOARD_REDIS__URL"] = self.redis_url
        with (self.workdir / f"{name}.log").open("wb") as log:
            self.running[name] = subprocess.Popen(
                args,
                cwd=self.workdir if name == "redis" else ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )

    def _wait(self, name: str, ready: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        process = self.running[name]
        while not ready():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{self.log_tail(name)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready in {timeout:.0f} s:\n{self.log_tail(name)}")
            time.sleep(0.2)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.HTTPError:
        return False
