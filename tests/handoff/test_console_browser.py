"""The agent console in real headless Chromium, against the live app (API, worker, Redis).

A customer complains in the web chat; the ticket appears in the open console without a reload,
above a calmer ticket; an agent claims it, replies, and the customer sees the reply; the agent
resolves; the customer's next FAQ question is answered by the bot again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, BrowserContext, Page, expect

from auth.users import UserStore
from bot import keys
from bot.brain import Brain
from bot.misses import MissLog
from handoff.tickets import TicketStore
from switchboard.settings import Settings
from tests.factories import handoff_signals, inbound
from tests.live_server import live_server

AGENT, PASSWORD = "li.na", "correct-horse-battery"
ANGRY = "你们的东西太垃圾了，我要投诉！"
FAQ = "退货政策是什么?"
FOLLOW_UP = "订单号是 20261122-0042"
REPLY = "Sorry about this. I'm looking into your order right now."
# Cross-process steps (classifier, worker, pub/sub, delivery) get more than the default 5 s.
SLOW = 20_000


@pytest.fixture
async def agent(redis_client: aioredis.Redis) -> str:
    await UserStore(redis_client).add(AGENT, "agent", PASSWORD)
    return AGENT


@pytest.fixture
def base_url(settings: Settings, brain: Brain, agent: str) -> Iterator[str]:
    with live_server(settings, brain) as base:
        yield base


async def sign_in(console: Page) -> None:
    await console.goto("/console")
    await console.get_by_label("Username").fill(AGENT)
    await console.get_by_label("Password").fill(PASSWORD)
    await console.get_by_role("button", name="Sign in").click()
    await expect(console.locator("#live")).to_have_text("Live")
    await expect(console.locator("#me")).to_contain_text(AGENT)


async def customer_writes(customer: Page, text: str) -> None:
    box = customer.get_by_label("Message")
    await box.fill(text)
    await box.press("Enter")


async def test_a_complaint_goes_to_an_agent_and_back_to_the_bot(
    browser: Browser, context: BrowserContext, base_url: str, settings: Settings
) -> None:
    console = await context.new_page()
    await sign_in(console)
    await console.evaluate("window.sameDocument = true")  # gone if the page reloads

    # A calm request for a person first, through the API: the complaint must go above it.
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        await http.post(
            "/webchat/messages", json={"conversation_id": "conv-calm-customer", "text": "转人工"}
        )
    rows = console.locator("li.queue-row")
    await expect(rows).to_have_count(1, timeout=SLOW)
    calm_priority = int(await rows.first.get_attribute("data-priority") or 0)

    customer = await browser.new_page(base_url=base_url)  # its own context: another person
    await customer.goto("/webchat")
    await customer_writes(customer, ANGRY)

    await expect(rows).to_have_count(2, timeout=SLOW)
    complaint = rows.first
    await expect(complaint.locator(".row-preview")).to_have_text(ANGRY)
    await expect(complaint.locator(".badge.sev-negative")).to_have_text("Negative")
    expected = settings.handoff.service_levels["negative"]["new"].priority
    await expect(complaint).to_have_attribute("data-priority", str(expected))
    assert calm_priority > expected
    assert await console.evaluate("window.sameDocument") is True

    # Keyboard only: up to the most urgent ticket (the selection stays where the agent left
    # it when a ticket arrives), open it, claim it, reply.
    await console.locator("#queue-list").focus()
    await console.keyboard.press("k")
    await console.keyboard.press("Enter")
    await expect(console.locator("#transcript .bubble.customer")).to_contain_text(ANGRY)
    await expect(console.locator("#s-intent")).not_to_be_empty()
    await console.keyboard.press("c")
    await expect(console.locator("#t-status")).to_have_text("assigned")
    await expect(complaint.locator(".row-holder")).to_have_text("you")
    await console.keyboard.press("r")
    await expect(console.locator("#reply-text")).to_be_focused()
    await console.keyboard.type(REPLY)
    await console.keyboard.press("Control+Enter")
    await expect(console.locator("#transcript .bubble.agent:not(.pending)")).to_contain_text(
        REPLY, timeout=SLOW
    )
    await expect(customer.locator(".msg.agent")).to_contain_text(REPLY, timeout=SLOW)
    await customer_writes(customer, FOLLOW_UP)  # the agent sees it without reloading
    await expect(console.locator("#transcript .bubble.customer").last).to_have_text(
        re.compile(re.escape(FOLLOW_UP)), timeout=SLOW
    )

    # Resolve with the satisfaction question; the ticket leaves the open queue.
    await console.keyboard.press("Escape")
    await console.keyboard.press("e")
    csat = console.get_by_label("Ask the customer for a satisfaction rating")
    await expect(csat).to_be_checked()
    await console.get_by_role("button", name="Resolve", exact=True).click()
    await expect(console.locator("#t-status")).to_have_text("resolved")
    await expect(rows).to_have_count(1, timeout=SLOW)
    await expect(customer.locator(".msg.agent")).to_have_count(2, timeout=SLOW)

    await customer_writes(customer, FAQ)
    await expect(customer.locator(".msg.bot").last).to_contain_text("7天", timeout=SLOW)
    assert await console.evaluate("window.sameDocument") is True
    await customer.close()


async def test_a_wrong_password_is_refused_and_the_language_switches(
    context: BrowserContext,
) -> None:
    console = await context.new_page()
    await console.goto("/console")
    await console.get_by_label("Username").fill(AGENT)
    await console.get_by_label("Password").fill("not-the-password")
    await console.get_by_role("button", name="Sign in").click()
    await expect(console.locator("#signin-error")).to_have_text("Wrong username or password.")
    await console.get_by_role("button", name="中文").click()
    await expect(console.get_by_role("button", name="登录")).to_be_visible()
    await console.reload()  # the choice is remembered
    await expect(console.get_by_role("button", name="登录")).to_be_visible()


async def test_customer_text_is_shown_as_text(context: BrowserContext, base_url: str) -> None:
    """Markup in a message never becomes part of the console page."""
    markup = '<img src=x onerror="window.owned=1"><b>bold</b>'
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        for text in ("转人工", markup):
            await http.post(
                "/webchat/messages", json={"conversation_id": "conv-markup", "text": text}
            )
    console = await context.new_page()
    await sign_in(console)
    await console.locator("li.queue-row").first.click(timeout=SLOW)
    await expect(console.locator("#transcript")).to_contain_text(markup, timeout=SLOW)
    assert await console.locator("#transcript img, #transcript b").count() == 0
    assert await console.evaluate("window.owned") is None


async def test_the_agent_sees_why_uses_the_suggestion_and_marks_the_hand_over_unnecessary(
    context: BrowserContext,
    settings: Settings,
    redis_client: aioredis.Redis,
) -> None:
    """The triage's reason in words and bars, the FAQ answer one click (or ``u``) away in the
    reply box, never sent; "unnecessary" once, with the status unchanged."""
    store = TicketStore(redis_client, settings.handoff)
    text = "My refund is two weeks late, this is ridiculous"
    answer = "Refunds reach your account within 3-5 working days."
    await store.open(
        "t-refund",
        inbound(text, conversation="conv-refund"),
        reason="complaint 0.94",
        severity="negative",
        tier="new",
        signals=handoff_signals(text, suggested=("refund_status", answer), language="en"),
    )
    asked = "asked for a person: 'get me a human' (human_request 1.00)"
    await store.open(
        "t-person",
        inbound("get me a human", conversation="conv-person"),
        reason=asked,
        severity="normal",
        tier="new",
        signals=handoff_signals(
            "get me a human", person_reason=asked, suggested=None, language="en"
        ),
    )
    console = await context.new_page()
    errors: list[Exception] = []
    console.on("pageerror", lambda error: errors.append(error))
    await sign_in(console)

    complaint = console.locator("li.queue-row", has_text=text)
    await expect(complaint.locator(".why-badge")).to_have_text("complaint 0.94")
    person = console.locator("li.queue-row", has_text="get me a human")
    await expect(person.locator(".why-badge")).to_have_text("asked for a person 1.00")
    await person.click()
    await expect(console.locator("#t-why-text")).to_have_text(
        "asked for a person: 'get me a human'"
    )
    await expect(console.locator("#suggestion")).to_be_hidden()

    await complaint.click()
    await expect(console.locator("#t-why-text")).to_have_text("complaint 0.94")
    bars = console.locator("#t-triage li")
    await expect(bars).to_have_count(4)
    await expect(bars.first).to_contain_text("complaint")
    await expect(bars.first).to_contain_text("0.94")
    await expect(console.locator("#suggestion")).to_contain_text(
        "Suggested answer (FAQ: refund_status)"
    )
    await expect(console.locator("#suggestion-text")).to_have_text(answer)
    await console.locator("#suggestion").get_by_role("button", name="Use").click()
    await expect(console.locator("#reply-text")).to_have_value(answer)
    await expect(console.locator("#reply-text")).to_be_focused()
    await console.locator("#reply-text").fill("")
    await console.keyboard.press("Escape")
    await console.keyboard.press("u")  # the same from the keyboard
    await expect(console.locator("#reply-text")).to_have_value(answer)
    sent = await redis_client.xrange(keys.OUTBOX_STREAM)
    assert not [entry for _, entry in sent if answer in entry["reply"]]  # never sent by itself

    await console.get_by_role("button", name="Hand-over was unnecessary").click()
    await expect(console.locator("#toast")).to_contain_text("misses list")
    await expect(console.locator("#t-unnecessary")).to_have_text(f"Marked unnecessary by {AGENT}")
    await expect(console.get_by_role("button", name="Hand-over was unnecessary")).to_be_disabled()
    await expect(console.locator("#t-status")).to_have_text("waiting")
    [miss] = await MissLog(redis_client).all()
    assert (miss.text, miss.source, miss.flagged_by) == (text, "unnecessary", AGENT)

    await console.get_by_role("button", name="中文").click()
    await expect(console.locator("#t-why-text")).to_have_text("投诉 0.94")
    await expect(console.locator("#suggestion-title")).to_have_text(
        "建议回复（常见问题：refund_status）"
    )
    assert not errors


async def test_a_reply_the_platform_never_confirmed_is_marked_in_doubt(
    context: BrowserContext,
    settings: Settings,
    redis_client: aioredis.Redis,
) -> None:
    """A reply recorded as "in doubt" (sent, no answer from the platform, never resent) tells
    the agent the customer may not have it, in the agent's language."""
    from bot.transcript import Transcripts
    from tests.factories import outbound

    message = inbound("转人工", conversation="conv-doubt")
    await TicketStore(redis_client, settings.handoff).open(
        "t-doubt", message, reason="asked", severity="normal", tier="new", signals={}
    )
    transcripts = Transcripts(redis_client, 100, reply_ttl_seconds=60)
    await transcripts.record_reply_once(
        outbound("好的，马上为您转接。", conversation_key=message.conversation_key), "in_doubt"
    )
    console = await context.new_page()
    await sign_in(console)
    await console.locator("li.queue-row", has_text="转人工").click(timeout=SLOW)
    doubtful = console.locator("#transcript .bubble.in-doubt")
    await expect(doubtful).to_contain_text("好的，马上为您转接。", timeout=SLOW)
    await expect(doubtful.locator(".doubt-note")).to_contain_text("May not have arrived")
    assert await console.locator("#transcript .bubble.in-doubt").count() == 1
