"""A real Redis Sentinel deployment for failover tests: one master, one replica, three sentinels.

Every process is a real ``redis-server`` (sentinels run ``redis-sentinel``, or ``redis-server
--sentinel`` where only the server is installed: it is the same binary) on a free port, with its
files in a temporary directory. The data nodes require a password and so do the sentinels, so
the URL's two credentials are exercised. Faults are the real thing: ``kill_master`` is SIGKILL.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import redis

from tests.live_server import free_port

MASTER_NAME = "switchboard"
DATA_PASSWORD = "data p@ss:w/rd"  # characters that must be quoted in a URL
SENTINEL_PASSWORD = "sentinel-secret"
QUORUM = 2
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 3000


def binaries() -> tuple[str, list[str]] | None:
    """The redis-server binary and the command that starts a sentinel, or None if missing."""
    server = shutil.which("redis-server")
    if server is None:
        return None
    sentinel = shutil.which("redis-sentinel")
    return server, ([sentinel] if sentinel else [server])


class SentinelGroup:
    """Start with ``running_group``; ``url`` is what the app is configured with."""

    def __init__(self, workdir: Path, down_after_ms: int = DOWN_AFTER_MS) -> None:
        self.down_after_ms = down_after_ms
        found = binaries()
        if found is None:
            raise RuntimeError("redis-server is not installed")
        self.server, self.sentinel_command = found
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        master, replica, *sentinels = _distinct_free_ports(5)
        self.ports = {"master": master, "replica": replica}
        self.sentinel_ports = sentinels
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self._spawned: list[subprocess.Popen[bytes]] = []  # all, to stop even a failed start

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return (
            f"redis+sentinel://:{quote(DATA_PASSWORD, safe='')}@{hosts}/{MASTER_NAME}/0"
            f"?sentinel_password={SENTINEL_PASSWORD}"
        )

    def start(self) -> None:
        self._start_data_node("master", [])
        self._start_data_node("replica", ["--replicaof", "127.0.0.1", str(self.ports["master"])])
        self._wait_replicated()
        for port in self.sentinel_ports:
            self._start_sentinel(port)
        self._wait(lambda: self._sentinels_agree(self.ports["master"]), "sentinels to meet")

    def stop(self) -> None:
        for process in self._spawned:
            if process.poll() is None:
                process.kill()
                process.wait(10)

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, password=DATA_PASSWORD, decode_responses=True)

    def master_port(self) -> int:
        """The master as the sentinels currently name it."""
        with self.sentinel(self.sentinel_ports[0]) as sentinel:
            _, port = sentinel.sentinel_get_master_addr_by_name(MASTER_NAME)
        return int(port)

    def kill_master(self) -> int:
        """SIGKILL the current master (no shutdown, no goodbye); return its port."""
        port = self.master_port()
        process = self.processes[port]
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        return port

    def signal_node(self, port: int, signum: signal.Signals) -> None:
        """Send ``signum`` to a data node: SIGSTOP freezes it (a replica that stops confirming),
        SIGCONT thaws it, SIGKILL kills it."""
        process = self.processes[port]
        process.send_signal(signum)
        if signum == signal.SIGKILL:
            process.wait(10)

    def wait_until_down(self, port: int, timeout: float = 20.0) -> None:
        """Until every sentinel calls the replica on ``port`` down."""

        def down() -> bool:
            for sentinel_port in self.sentinel_ports:
                with self.sentinel(sentinel_port) as sentinel:
                    replicas = sentinel.sentinel_slaves(MASTER_NAME)
                if not any(r["port"] == port and r["is_sdown"] for r in replicas):
                    return False
            return True

        self._wait(down, f"the sentinels to call {port} down", timeout)

    def wait_for_new_master(self, old_port: int, timeout: float = 30.0) -> int:
        """Until a quorum of sentinels names a master other than ``old_port`` that says it is
        master; return its port."""

        def promoted() -> bool:
            return self._sentinels_agree(None, exclude=old_port)

        self._wait(promoted, "a new master", timeout)
        return self.master_port()

    def _start_data_node(self, name: str, extra: list[str]) -> None:
        port = self.ports[name]
        self._spawn(
            port,
            [
                self.server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--dbfilename",
                f"{name}.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
                "--requirepass",
                DATA_PASSWORD,
                "--masterauth",
                DATA_PASSWORD,
                # A replica syncs at once instead of after the default 5 s wait for company.
                "--repl-diskless-sync-delay",
                "0",
                "--logfile",
                str(self.dir / f"{name}.log"),
                *extra,
            ],
        )
        self._wait(lambda: self._alive(port) and _answers(self.node(port)), f"redis-server {name}")

    def _start_sentinel(self, port: int) -> None:
        # A sentinel rewrites its configuration file (it records the group it discovers): each
        # gets its own, writable.
        config = self.dir / f"sentinel-{port}.conf"
        password = DATA_PASSWORD.replace('"', '\\"')
        # Sentinels would find each other and the replica within seconds through the master;
        # naming them up front (ids are ours to choose) makes the group ready at once.
        known = "".join(
            f"sentinel known-sentinel {MASTER_NAME} 127.0.0.1 {other} {_sentinel_id(other)}\n"
            for other in self.sentinel_ports
            if other != port
        )
        config.write_text(
            f"port {port}\n"
            "bind 127.0.0.1\n"
            f"dir {self.dir}\n"
            f"logfile {self.dir / f'sentinel-{port}.log'}\n"
            f"requirepass {SENTINEL_PASSWORD}\n"
            f"sentinel sentinel-pass {SENTINEL_PASSWORD}\n"
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.ports['master']} {QUORUM}\n"
            f'sentinel auth-pass {MASTER_NAME} "{password}"\n'
            f"sentinel down-after-milliseconds {MASTER_NAME} {self.down_after_ms}\n"
            f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}\n"
            f"sentinel parallel-syncs {MASTER_NAME} 1\n"
            f"sentinel myid {_sentinel_id(port)}\n"
            f"sentinel known-replica {MASTER_NAME} 127.0.0.1 {self.ports['replica']}\n"
            f"{known}"
        )
        self._spawn(port, [*self.sentinel_command, str(config), "--sentinel"])
        self._wait(lambda: self._alive(port) and _answers(self.sentinel(port)), f"sentinel {port}")

    def _spawn(self, port: int, args: list[str]) -> None:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._spawned.append(process)
        self.processes[port] = process

    def _alive(self, port: int) -> bool:
        if self.processes[port].poll() is not None:
            raise RuntimeError(f"the process on port {port} exited; see the logs in {self.dir}")
        return True

    def sentinel(self, port: int) -> redis.Redis:
        return redis.Redis(
            port=port, password=SENTINEL_PASSWORD, decode_responses=True, socket_timeout=2
        )

    def _wait_replicated(self) -> None:
        """Until the replica confirms the master's writes (WAIT): after its first sync the
        master streams to it only once it has acknowledged, up to a second later."""

        def confirmed() -> bool:
            with self.node(self.ports["master"]) as master:
                master.set("sentinel-group:started", "1")
                return master.wait(1, 1000) == 1

        self._wait(confirmed, "the replica to confirm writes")

    def _sentinels_agree(self, port: int | None, *, exclude: int | None = None) -> bool:
        """At least a quorum of sentinels name the same master (``port`` if given), it is not
        ``exclude``, every sentinel sees the other two, and the node says it is master."""
        named: list[int] = []
        for sentinel_port in self.sentinel_ports:
            with contextlib.suppress(redis.RedisError), self.sentinel(sentinel_port) as s:
                state = s.sentinel_master(MASTER_NAME)
                others = state.get("num-other-sentinels", 0)
                if others >= len(self.sentinel_ports) - 1 and state.get("num-slaves", 0) >= 1:
                    named.append(int(state["port"]))
        candidates = [p for p in set(named) if named.count(p) >= QUORUM and p != exclude]
        if port is not None:
            candidates = [p for p in candidates if p == port]
        for candidate in candidates:
            with contextlib.suppress(redis.RedisError), self.node(candidate) as client:
                if client.info("replication").get("role") == "master":
                    return True
        return False

    @staticmethod
    def _wait(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(redis.RedisError, ConnectionError):
                if check():
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            time.sleep(0.05)


def _distinct_free_ports(count: int) -> list[int]:
    # free_port() releases the port it found, so two calls can return the same one.
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _sentinel_id(port: int) -> str:
    return f"{port:040x}"


def _answers(client: redis.Redis) -> bool:
    with client:
        return bool(client.ping())


@contextlib.contextmanager
def running_group(workdir: Path, down_after_ms: int = DOWN_AFTER_MS) -> Iterator[SentinelGroup]:
    group = SentinelGroup(workdir, down_after_ms)
    try:
        group.start()
        yield group
    finally:
        group.stop()
