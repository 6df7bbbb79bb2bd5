"""Regenerates docs/console.png: the agent console with a few real tickets, in headless Chromium.

    .venv/bin/python scripts/screenshot_console.py [--lang en|zh] [--out docs/console.png]

It runs the real app on a throw-away embedded Redis, lets the real pipeline open tickets from
web chat messages of different severities and tiers, signs in as a demo admin and photographs
the console. Needs Debian's chromium (installed by ./scripts/dev.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from auth.users import UserStore  # noqa: E402
from bot.brain_factory import build_brain  # noqa: E402
from bot.redis_conn import redis_url_for  # noqa: E402
from switchboard.settings import Settings  # noqa: E402
from tests.browser import chromium_options  # noqa: E402
from tests.live_server import live_server  # noqa: E402

logger = logging.getLogger("screenshot_console")

ADMIN, COLLEAGUE, PASSWORD = "demo", "wang.fang", "demo-password"
# conversation id, display name, tier, what they write
CUSTOMERS = [
    ("wang-crisis-0001", "王女士", "vip", "用了你们家的面霜，脸过敏了，又红又肿！怎么办？"),
    (
        "tom-negative-001",
        "Tom Baker",
        "regular",
        "This is the worst service ever. Third time my order is late, I want to complain.",
    ),
    ("chen-negative-01", "陈先生", "loyal", "你们的东西太垃圾了，我要投诉！"),
    ("emma-normal-0001", "Emma Clarke", "new", "Can I talk to a real person please?"),
    ("li-normal-000001", "李雷", "regular", "转人工"),
]


async def _add_users(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    users = UserStore(client)
    await users.add(ADMIN, "admin", PASSWORD, teams=("support",))
    await users.add(COLLEAGUE, "agent", PASSWORD, teams=("support", "vip"))
    await client.aclose()


def _token(http: httpx.Client, username: str) -> dict[str, str]:
    response = http.post("/api/auth/token", data={"username": username, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _seed(http: httpx.Client) -> None:
    admin = _token(http, ADMIN)
    for conversation, name, tier, _ in CUSTOMERS:
        http.put(
            f"/api/customers/webchat:{conversation}",
            headers=admin,
            json={"tier": tier, "display_name": name},
        ).raise_for_status()
    for conversation, name, _, text in CUSTOMERS:
        http.post(
            "/webchat/messages",
            json={"conversation_id": conversation, "text": text, "display_name": name},
        ).raise_for_status()
        time.sleep(0.3)  # distinct arrival times, as in life
    deadline = time.monotonic() + 30
    while len(tickets := http.get("/api/tickets", headers=admin).json()) < len(CUSTOMERS):
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(tickets)} tickets opened: {tickets}")
        time.sleep(0.3)
    colleague = _token(http, COLLEAGUE)
    # Away: keeps the ticket (an offline agent's tickets go back to the queue) but gets no more.
    http.put("/api/me/presence", headers=colleague, json={"status": "away"}).raise_for_status()
    calm = next(t for t in tickets if t["customer"]["display_name"] == "李雷")
    http.post(f"/api/tickets/{calm['id']}/claim", headers=colleague).raise_for_status()


def _photograph(page: Page, out: Path) -> None:
    page.goto("/console")
    page.fill("#signin-user", ADMIN)
    page.fill("#signin-password", PASSWORD)
    page.press("#signin-password", "Enter")
    expect(page.locator("li.queue-row")).to_have_count(len(CUSTOMERS))
    page.locator("#queue-list").focus()
    page.keyboard.press("Enter")  # the most urgent ticket
    expect(page.locator("#transcript .bubble").first).to_be_visible()
    page.keyboard.press("c")
    expect(page.locator("#act-claim")).to_be_disabled()
    page.fill("#note-text", "VIP, skin reaction: offer a refund and ask for a photo.")
    page.press("#note-text", "Enter")
    expect(page.locator("#notes li").first).to_contain_text("refund")
    page.keyboard.press("Escape")  # out of the note box, back to the queue
    page.keyboard.press("j")  # a second row selected, the first one open
    if page.locator("#canned option").count() > 1:
        page.locator("#canned").select_option(index=1)
    page.evaluate("document.activeElement.blur(); document.getElementById('toast').hidden = true")
    page.wait_for_timeout(1200)  # the countdowns tick
    page.screenshot(path=str(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console.png")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logger.info("Preparing the classifier...")
    brain = build_brain(
        Settings(data_dir=ROOT / ".switchboard", understanding={"intents_dir": ROOT / "intents"})
    )
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=Path(scratch), understanding={"intents_dir": ROOT / "intents"})
        with redis_url_for(settings) as url:
            live = settings.model_copy(
                update={"redis": settings.redis.model_copy(update={"url": url})}
            )
            asyncio.run(_add_users(url))
            with live_server(live, brain) as base, sync_playwright() as playwright:
                with httpx.Client(base_url=base, timeout=10) as http:
                    _seed(http)
                browser = playwright.chromium.launch(**chromium_options())
                context = browser.new_context(
                    base_url=base,
                    viewport={"width": 1440, "height": 860},
                    locale="zh-CN" if args.lang == "zh" else "en-US",
                    device_scale_factor=1,
                )
                _photograph(context.new_page(), args.out)
                browser.close()
    logger.info("Wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
