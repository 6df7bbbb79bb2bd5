from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from bot.embedded_redis import EmbeddedRedis


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_data_survives_a_clean_restart(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        redis.Redis.from_url(server.url).set("greeting", "你好")
    assert (tmp_path / "redis").is_dir()
    with EmbeddedRedis(tmp_path) as server:
        assert redis.Redis.from_url(server.url).get("greeting") == "你好".encode()


def test_stop_leaves_no_process_behind(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    server.start()
    pid = server._process.pid
    server.stop()
    assert not _alive(pid)


def test_a_second_process_joins_the_running_server(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as first:
        second = EmbeddedRedis(tmp_path)
        assert second.start() == first.url
        assert second._process is None
        second.stop()  # must not stop the first one's server
        assert redis.Redis.from_url(first.url).ping()


def test_server_dies_when_its_owner_is_killed(tmp_path: Path) -> None:
    script = (
        "import time; from pathlib import Path; from bot.embedded_redis import EmbeddedRedis\n"
        f"s = EmbeddedRedis(Path({str(tmp_path)!r})); s.start()\n"
        "print(s._process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    redis_pid = int(owner.stdout.readline())
    assert _alive(redis_pid)
    owner.send_signal(signal.SIGKILL)  # no cleanup code runs: only the kernel can help
    owner.wait()
    deadline = time.monotonic() + 5
    while _alive(redis_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(redis_pid)
