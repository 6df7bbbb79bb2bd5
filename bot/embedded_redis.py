"""A private ``redis-server`` for users who configured no Redis.

It listens on a unix socket inside the data directory only (no TCP port to clash or expose),
keeps an append-only file there so a clean restart loses nothing, and dies with the process that
started it: stopped with SHUTDOWN (which flushes the AOF) on exit, and killed by the kernel
(PR_SET_PDEATHSIG) if that process is killed outright, so no orphan is ever left behind.
A second Switchboard process (``switchboard worker`` beside ``switchboard run``) finds the socket
alive and shares the same server instead of starting another.
"""

from __future__ import annotations

import ctypes
import logging
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.errors import SetupError

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


class EmbeddedRedisError(SetupError):
    """The embedded Redis could not be started."""


class EmbeddedRedis:
    def __init__(self, data_dir: Path, binary: str = "redis-server") -> None:
        self.dir = (data_dir / "redis").resolve()
        self.socket = self.dir / "redis.sock"
        self.binary = binary
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 10.0) -> str:
        """Start (or join) the server and return its URL."""
        self.dir.mkdir(parents=True, exist_ok=True)
        if self._answers_ping():
            logger.info("Using the embedded Redis already running at %s", self.socket)
            return self.url
        binary = shutil.which(self.binary)
        if binary is None:
            raise EmbeddedRedisError(
                f"No Redis configured and {self.binary!r} is not on PATH. Install it "
                "(Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL."
            )
        self.socket.unlink(missing_ok=True)
        args = [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            str(self.dir / "redis.log"),
        ]
        self._process = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        self._wait_until_ready(timeout)
        logger.info("Started embedded Redis (pid %d), data in %s", self._process.pid, self.dir)
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the server down cleanly if this process started it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            # No retries: SHUTDOWN drops the connection by design, and redis-py would otherwise
            # spend seconds reconnecting to a server that is gone.
            client = redis.Redis(
                unix_socket_path=str(self.socket),
                socket_timeout=timeout,
                retry=Retry(NoBackoff(), 0),
            )
            client.shutdown(nosave=False)
        except redis.ConnectionError:
            pass  # SHUTDOWN closes the connection under our feet: that is success.
        except redis.RedisError as exc:
            logger.warning("Embedded Redis refused SHUTDOWN (%s); terminating it", exc)
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("Embedded Redis did not stop in %.0f s; killing it", timeout)
            process.kill()
            process.wait()
        logger.info("Stopped embedded Redis")

    def _answers_ping(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def _wait_until_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with code {self._process.returncode}; "
                    f"see {self.dir / 'redis.log'}"
                )
            if self._answers_ping():
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"redis-server did not answer within {timeout:.0f} s")

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """Runs in the child before exec: ask the kernel to SIGTERM it when the parent dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass  # Not Linux: the atexit/finally path still stops it on a clean exit.
