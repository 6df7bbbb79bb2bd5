"""Real processes for the chaos runs: a redis-server with an append-only file, the API process,
``switchboard worker`` processes, and the Telegram and WeChat stand-ins (in this process).

Faults are the real thing: ``kill_worker`` is SIGKILL, ``restart_redis`` is SHUTDOWN (which
flushes the append-only file) and a new redis-server on the same data directory and port.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis
import yaml

from tests.connectors.telegram import updates
from tests.connectors.telegram.standin import TelegramStandIn
from tests.connectors.telegram.standin import running as running_telegram
from tests.connectors.wechat.pushes import TOKEN as WECHAT_TOKEN
from tests.connectors.wechat.standin import APP_ID, APP_SECRET, StandinState, running_standin
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("SWITCHBOARD_TEST_CACHE", ROOT / ".switchboard" / "test-cache"))
TELEGRAM_SECRET = "chaos-webhook-secret_0123456789"


class RedisServer:
    """redis-server on a fixed port and data directory, so that a restart finds its data."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    break
            except redis.BusyLoadingError:
                pass
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)
        client.close()

    def shutdown(self) -> None:
        """SHUTDOWN: the append-only file is flushed, then the server exits."""
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(port=self.port, socket_timeout=10).shutdown(nosave=False)
        if self.process is not None:
            self.process.wait(20)

    def restart(self) -> float:
        """SHUTDOWN, then start on the same data; return how long Redis was away (s)."""
        began = time.monotonic()
        self.shutdown()
        self.start()
        return time.monotonic() - began

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


class Cluster:
    """Everything a chaos run needs, started by ``running_cluster``."""

    def __init__(
        self,
        workdir: Path,
        redis_server: RedisServer,
        telegram: TelegramStandIn,
        wechat: StandinState,
        config: Path,
        api_port: int,
    ) -> None:
        self.workdir = workdir
        self.redis = redis_server
        self.telegram = telegram
        self.wechat = wechat
        self.config = config
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.api_port = api_port
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis.url, decode_responses=True)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "SWITCHBOARD_CONFIG": str(self.config),
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONPATH": str(ROOT),
        }
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        self.processes[name] = process
        return process

    def start_api(self) -> None:
        self._spawn("api", ["-m", "tests.chaos.api_process", str(self.api_port)])

    def start_worker(self, name: str) -> None:
        self._spawn(name, ["-m", "switchboard.cli", "--log-level", "INFO", "worker"])

    def wait_ready(self, timeout: float = 240) -> None:
        """Until the API answers and every worker says it runs."""
        import httpx

        deadline = time.monotonic() + timeout
        for name, process in self.processes.items():
            while not self._ready(name, httpx):
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: {self.log_tail(name)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{name} not ready in {timeout:.0f} s: {self.log_tail(name)}"
                    )
                time.sleep(0.2)

    def _ready(self, name: str, httpx) -> bool:  # type: ignore[no-untyped-def]
        if name == "api":
            try:
                return httpx.get(f"{self.api_url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        return b"Worker running" in (self.workdir / f"{name}.log").read_bytes()

    def kill_worker(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait(10)

    def log_tail(self, name: str, lines: int = 30) -> str:
        text = (self.workdir / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> dict[str, int]:
        """SIGTERM every process still running (a graceful stop); return their exit codes."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        codes = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        return codes


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGKILL if the run itself dies, so that an
    interrupted run leaves no process behind."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _config(
    path: Path,
    redis_url: str,
    api_port: int,
    telegram_url: str,
    wechat_url: str,
    reclaim_idle_ms: int,
) -> None:
    config = {
        "mode": "dev",
        "data_dir": str(CACHE_DIR),
        "log_level": "INFO",
        "run_worker_in_api": False,
        "redis": {"url": redis_url},
        "inbox": {"block_ms": 200, "reclaim_idle_ms": reclaim_idle_ms},
        "understanding": {"intents_dir": str(ROOT / "intents")},
        "telegram": {
            "enabled": True,
            "bot_token": updates.TOKEN,
            "mode": "webhook",
            "public_url": f"http://127.0.0.1:{api_port}",
            "secret_token": TELEGRAM_SECRET,
            "api_base_url": telegram_url,
            "bot_username": updates.BOT["username"],
            "request_timeout_seconds": 5,
        },
        "wechat": {
            "enabled": True,
            "app_id": APP_ID,
            "app_secret": APP_SECRET,
            "token": WECHAT_TOKEN,
            "security_mode": "plaintext",
            "api_base_url": wechat_url,
            "request_timeout_seconds": 5,
        },
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


@contextlib.contextmanager
def running_cluster(
    workers: int = 2, reclaim_idle_ms: int = 3000, workdir: Path | None = None
) -> Iterator[Cluster]:
    """Start Redis, the stand-ins, the API process and ``workers`` workers; stop them after."""
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chaos-")))
        redis_server = RedisServer(workdir)
        redis_server.start()
        stack.callback(redis_server.stop)
        telegram = TelegramStandIn(updates.TOKEN, username=updates.BOT["username"])
        telegram_url = stack.enter_context(running_telegram(telegram))
        wechat_url, wechat = stack.enter_context(running_standin())
        api_port = free_port()
        config = workdir / "config.yml"
        _config(config, redis_server.url, api_port, telegram_url, wechat_url, reclaim_idle_ms)
        cluster = Cluster(workdir, redis_server, telegram, wechat, config, api_port)
        stack.callback(cluster.stop)
        cluster.start_api()
        for index in range(workers):
            cluster.start_worker(f"worker-{index + 1}")
        cluster.wait_ready()
        yield cluster
