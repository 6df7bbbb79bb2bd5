"""Hostile HTTP input against the real app process: status, 5xx and what it cost in memory.

    python -m bench.hostile [--megabytes 200] [--app-root OTHER_CHECKOUT]

Starts its own redis-server and the app (uvicorn on ``create_app``, with the web chat,
Telegram webhook, WeChat and WeCom routes enabled; no worker, no platform reachable), fires
each input at it, and prints one row per input with the server's resident memory (VmRSS)
before and after, and how far its peak (VmHWM, reset before each input) rose above the RSS
before. Targets: no 5xx at all; a 200 MB chunked body costs the process less than 5 MB; no
log line quotes the hostile text. ``--app-root`` runs the app from another checkout (say, an
older commit) against the same inputs, for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from defusedxml.ElementTree import fromstring
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bench.raw_http import RawResponse, post
from bot.embedded_redis import EmbeddedRedis
from connectors.wechat.verify import signature

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
MARKER = "4111 1111 1111 1111"  # stands for what a customer wrote: must never reach the log
TELEGRAM_SECRET = "bench-webhook-secret"
TOKEN = "bench-token"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
CORP_ID = "ww4a1f2b3c4d5e6f70"
JSON = {"Content-Type": "application/json"}
DAY = 86400


# Run in the app process, from whichever checkout is on its PYTHONPATH.
_SERVE = """
import sys, uvicorn
from switchboard.app import create_app
from switchboard.settings import load_settings
uvicorn.run(create_app(load_settings()), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="info")
"""


@dataclass
class Case:
    name: str
    expected: int
    send: Callable[[str], RawResponse]


def _config(data_dir: Path, redis_url: str) -> dict[str, object]:
    nowhere = "http://127.0.0.1:9"  # no platform is reachable: nothing here calls one
    return {
        "mode": "dev",
        "data_dir": str(data_dir),
        "run_worker_in_api": False,
        "log_level": "INFO",
        "redis": {"url": redis_url},
        "understanding": {"intents_dir": str(ROOT / "intents")},
        "telegram": {
            "enabled": True,
            "mode": "webhook",
            "bot_token": "7000001:bench-token",
            "secret_token": TELEGRAM_SECRET,
            "api_base_url": f"{nowhere}/bot",
        },
        "wechat": {
            "enabled": True,
            "app_id": "wx1234567890abcdef",
            "app_secret": "s" * 32,
            "token": TOKEN,
            "encoding_aes_key": AES_KEY,
            "security_mode": "compatible",
            "api_base_url": f"{nowhere}/cgi-bin/",
        },
        "wecom_kf": {
            "enabled": True,
            "corp_id": CORP_ID,
            "secret": "s" * 32,
            "token": TOKEN,
            "encoding_aes_key": AES_KEY,
            "open_kfid": "wkAJ2GCAAASSm4_FhToWMFea0xAF",
            "api_base_url": f"{nowhere}/cgi-bin/",
        },
    }


def _wechat_push(at: float, msg_id: int) -> tuple[str, bytes]:
    timestamp, nonce = str(int(at)), str(secrets.randbelow(10**9))
    xml = (
        f"<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName>"
        f"<![CDATA[oBench]]></FromUserName><CreateTime>{int(at)}</CreateTime><MsgType>"
        f"<![CDATA[text]]></MsgType><Content><![CDATA[{MARKER}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )
    query = f"signature={signature(TOKEN, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}"
    return f"/wechat/callback?{query}", xml.encode()


def _wecom_callback(at: float) -> tuple[str, bytes]:
    timestamp, nonce = str(int(at)), str(secrets.randbelow(10**9))
    event = (
        "<xml><ToUserName><![CDATA[ww]]></ToUserName><CreateTime>1</CreateTime><MsgType>"
        "<![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>"
        "<Token><![CDATA[t]]></Token></xml>"
    )
    envelope = fromstring(
        WorkCrypto(TOKEN, AES_KEY, CORP_ID).encrypt_message(event, nonce, timestamp)
    )
    body = f"<xml><Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt></xml>"
    query = f"msg_signature={envelope.findtext('MsgSignature')}&timestamp={timestamp}&nonce={nonce}"
    return f"/wecom-kf/callback?{query}", body.encode()


def _cases(megabytes: int) -> list[Case]:
    big = megabytes * MB
    telegram = {**JSON, "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    deep = b"[" * 20_000 + b"]" * 20_000
    no_chat = {
        "update_id": 900_000_001,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "text": MARKER,
            "from": {"id": 5, "is_bot": False, "first_name": "Li"},
        },
    }
    surrogate = json.dumps({"conversation_id": "bench-conversation", "text": f"{MARKER} \ud83d"})
    bad_id = json.dumps({"conversation_id": f"\ud800{MARKER}", "text": "hi"})

    def wechat(at_offset: float) -> Callable[[str], RawResponse]:
        path, body = _wechat_push(time.time() + at_offset, secrets.randbelow(10**15))
        return lambda base: post(base, path, body=body, headers={"Content-Type": "text/xml"})

    def wecom(at_offset: float) -> Callable[[str], RawResponse]:
        path, body = _wecom_callback(time.time() + at_offset)
        return lambda base: post(base, path, body=body)

    fresh_path = _wechat_push(time.time(), 1)[0]
    return [
        Case(
            f"{megabytes} MB chunked -> web chat",
            413,
            lambda b: post(b, "/webchat/messages", chunked_total=big, headers=JSON),
        ),
        Case(
            f"{megabytes} MB chunked -> WeChat push",
            413,
            lambda b: post(b, fresh_path, chunked_total=big),
        ),
        Case(
            f"{megabytes} MB chunked -> Telegram webhook",
            413,
            lambda b: post(b, "/telegram/webhook", chunked_total=big, headers=telegram),
        ),
        Case(
            f"{megabytes} MB chunked -> no such route",
            404,
            lambda b: post(b, "/nowhere", chunked_total=big),
        ),
        Case(
            "1 MB WeChat body with Content-Length",
            413,
            lambda b: post(b, fresh_path, body=b"x" * MB),
        ),
        Case(
            "20,000-deep JSON -> web chat",
            400,
            lambda b: post(b, "/webchat/messages", body=deep, headers=JSON),
        ),
        Case(
            "20,000-deep JSON -> Telegram webhook",
            400,
            lambda b: post(b, "/telegram/webhook", body=deep, headers=telegram),
        ),
        Case(
            "lone surrogate in web chat text",
            422,
            lambda b: post(b, "/webchat/messages", body=surrogate.encode(), headers=JSON),
        ),
        Case(
            "lone surrogate in conversation_id",
            422,
            lambda b: post(b, "/webchat/messages", body=bad_id.encode(), headers=JSON),
        ),
        Case(
            "Telegram update without a chat",
            400,
            lambda b: post(
                b, "/telegram/webhook", body=json.dumps(no_chat).encode(), headers=telegram
            ),
        ),
        Case("signed WeChat push, 400 days old", 403, wechat(-400 * DAY)),
        Case("signed WeChat push, 10 days ahead", 403, wechat(10 * DAY)),
        Case("signed WeCom callback, 400 days old", 403, wecom(-400 * DAY)),
        Case("signed WeCom callback, 10 days ahead", 403, wecom(10 * DAY)),
        Case("(control) fresh signed WeChat push", 200, wechat(0)),
        Case(
            "(control) web chat message",
            202,
            lambda b: post(
                b,
                "/webchat/messages",
                headers=JSON,
                body=json.dumps(
                    {"conversation_id": "bench-conversation", "text": "hello"}
                ).encode(),
            ),
        ),
    ]


def _memory_kb(pid: int) -> dict[str, int]:
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_app(app_root: Path, config_file: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SWITCHBOARD_") and name != "REDIS_URL"
    }
    env.update(SWITCHBOARD_CONFIG=str(config_file), PYTHONPATH=str(app_root), HF_HUB_OFFLINE="1")
    command = [sys.executable, "-c", _SERVE, str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=app_root, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited ({process.returncode}); see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the app did not answer /healthz within 60 s; see {log}")


def _warm_up(base: str, cases: list[Case]) -> None:
    """One small pass first, so that first-use imports and caches are not counted as cost."""
    for case in cases:
        case.send(base)


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


@dataclass
class Row:
    case: Case
    status: int
    rss_before_mb: float
    rss_after_mb: float
    peak_rise_mb: float
    sent_mb: float
    seconds: float

    @property
    def chunked(self) -> bool:
        return "chunked" in self.case.name


def _measure(pid: int, base: str, case: Case) -> Row:
    # Reset the peak (VmHWM) to the current RSS, so the peak after is this input's alone.
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = _memory_kb(pid)
    started = time.perf_counter()
    response = case.send(base)
    seconds = time.perf_counter() - started
    after = _memory_kb(pid)
    return Row(
        case,
        response.status,
        before["VmRSS"] / 1024,
        after["VmRSS"] / 1024,
        (after["VmHWM"] - before["VmRSS"]) / 1024,
        response.sent / MB,
        seconds,
    )


def run(megabytes: int, app_root: Path = ROOT) -> int:
    with tempfile.TemporaryDirectory(prefix="hostile-") as scratch:
        root = Path(scratch)
        with EmbeddedRedis(root / "data") as redis_server:
            config_file = root / "config.yml"  # written as JSON, which is YAML
            config_file.write_text(json.dumps(_config(root / "data", redis_server.url)))
            port, log = _free_port(), root / "server.log"
            process = _start_app(app_root, config_file, port, log)
            base = f"http://127.0.0.1:{port}"
            try:
                _warm_up(base, _cases(1))
                rows = [_measure(process.pid, base, case) for case in _cases(megabytes)]
                healthy = httpx.get(f"{base}/healthz", timeout=10).status_code == 200
            finally:
                process.terminate()
                process.wait(15)
            server_log = log.read_text(errors="replace")
    return _report(rows, healthy, server_log, megabytes, app_root)


def _report(rows: list[Row], healthy: bool, server_log: str, megabytes: int, app_root: Path) -> int:
    header = (
        f"{'input':<40} {'want':>4} {'got':>4} {'5xx':>3} {'RSS before':>10} "
        f"{'RSS after':>10} {'peak +':>7} {'sent MB':>8} {'s':>5}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.case.name:<40} {row.case.expected:>4} {row.status:>4} "
            f"{int(row.status >= 500):>3} {row.rss_before_mb:>7.1f} MB "
            f"{row.rss_after_mb:>7.1f} MB {row.peak_rise_mb:>4.1f} MB {row.sent_mb:>8.1f} "
            f"{row.seconds:>5.2f}"
        )
    server_errors = sum(row.status >= 500 for row in rows)
    wrong = [row.case.name for row in rows if row.status != row.case.expected]
    chunked = [row for row in rows if row.chunked]
    growth = max(row.rss_after_mb - row.rss_before_mb for row in chunked)
    peak = max(row.peak_rise_mb for row in chunked)
    leaks, tracebacks = server_log.count(MARKER), server_log.count("Traceback")
    print()
    print(f"CPU: {_cpu()}; app from {app_root}")
    print(f"5xx answers: {server_errors} (target 0); unexpected status: {wrong or 'none'}")
    print(
        f"{megabytes} MB chunked bodies: RSS +{growth:.1f} MB at most, peak +{peak:.1f} MB "
        "(target < 5 MB)"
    )
    print(
        f"server log: {tracebacks} tracebacks, {leaks} lines quoting the hostile text "
        f"(target 0); /healthz afterwards: {'200' if healthy else 'FAILED'}"
    )
    met = (
        not server_errors
        and not wrong
        and growth < 5
        and peak < 5
        and not leaks
        and not tracebacks
        and healthy
    )
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hostile", description="Hostile HTTP input against the real app."
    )
    parser.add_argument(
        "--megabytes", type=int, default=200, help="size of the chunked bodies (default 200)"
    )
    parser.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="run the app from this checkout (default: this one)",
    )
    args = parser.parse_args(argv)
    return run(args.megabytes, args.app_root.resolve())


if __name__ == "__main__":
    sys.exit(main())
