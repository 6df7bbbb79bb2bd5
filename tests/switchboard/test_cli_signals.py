"""Ctrl+C stops ``switchboard run`` promptly: a real process, a real SIGINT.

While the model loads (a long native call Python cannot interrupt) and while an agent console
holds a Server-Sent Events stream open (uvicorn's graceful shutdown would wait for it forever).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import signed_in_agent
from tests.conftest import CACHE_DIR, ROOT
from tests.live_server import free_port

# Generous: without the fixes these processes never stop at all.
STOP_WITHIN_SECONDS = 20
START_WITHIN_SECONDS = 180


class RunningSwitchboard:
    def __init__(self, redis_url: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **os.environ,
            "SWITCHBOARD_DATA_DIR": str(CACHE_DIR),
            "SWITCHBOARD_REDIS__URL": redis_url,
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("SWITCHBOARD_CONFIG", None)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "switchboard.cli", "run", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                # A shell that starts us in the background may have set SIGINT to "ignore".
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_output(self, text: str) -> None:
        deadline = time.monotonic() + START_WITHIN_SECONDS
        while text not in self.output():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"no {text!r} in time:\n{self.output()}"
            time.sleep(0.02)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_WITHIN_SECONDS
        while True:
            assert self.process.poll() is None, self.output()
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)

    def interrupt(self) -> int:
        """SIGINT, then the exit code; fails the test if the process outlives the limit."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(STOP_WITHIN_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {STOP_WITHIN_SECONDS} s after Ctrl+C:\n{self.output()}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def switchboard(redis_url: str, tmp_path: Path) -> Iterator[RunningSwitchboard]:
    running = RunningSwitchboard(redis_url, tmp_path / "switchboard.log")
    yield running
    running.kill()


def test_ctrl_c_stops_a_server_with_an_open_console_stream(
    switchboard: RunningSwitchboard, redis_url: str, redis_client: object
) -> None:
    switchboard.wait_until_serving()
    with httpx.Client(base_url=switchboard.base, timeout=10) as http:
        header = signed_in_agent(http, redis_url, "night.shift")
    token = header["Authorization"].removeprefix("Bearer ")
    opened = threading.Event()

    def console_tab() -> None:
        try:
            with httpx.stream(
                "GET", f"{switchboard.base}/api/events", headers=header, timeout=None
            ) as stream:
                for _ in stream.iter_text():
                    opened.set()
        except httpx.HTTPError:
            pass  # the server went away: expected

    threading.Thread(target=console_tab, daemon=True).start()
    assert opened.wait(30), "the event stream did not open"

    assert switchboard.interrupt() == 0
    assert "Finished server process" in switchboard.output()
    assert "Exception in ASGI application" not in switchboard.output()
    assert "GET /api/events" in switchboard.output()
    assert token not in switchboard.output()  # the access log must not leak the session


def test_ctrl_c_during_start_up_stops_at_once_without_a_traceback(
    switchboard: RunningSwitchboard,
) -> None:
    switchboard.wait_for_output("Preparing the intent classifier")
    assert switchboard.interrupt() == 130
    output = switchboard.output()
    assert output.rstrip().endswith("switchboard: interrupted during start-up"), output
    assert "Traceback" not in output
    assert "Switchboard is up" not in output
