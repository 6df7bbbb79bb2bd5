from __future__ import annotations

from pathlib import Path

from bot.intents import load_intent_set
from handoff.acks import acknowledgement, format_duration
from handoff.hours import BusinessHours
from handoff.models import CustomerRef, Ticket

INTENTS = load_intent_set(Path(__file__).resolve().parents[2] / "intents")
NOW = 1_800_000_000.0


def _ticket(severity: str, tier: str, minutes: float, channel: str = "private") -> Ticket:
    return Ticket(
        id="t",
        conversation_key="webchat:c:c",
        customer=CustomerRef("webchat:c", "webchat"),
        channel=channel,
        chat_id="c",
        thread_id="",
        reason="r",
        severity=severity,
        tier=tier,
        priority=1,
        team="support",
        created_at=NOW,
        sla_deadline=NOW + minutes * 60,
    )


ALWAYS = BusinessHours.parse("Asia/Shanghai", None)


def test_the_promise_is_the_tickets_own_deadline() -> None:
    text = acknowledgement(_ticket("normal", "new", 60), ALWAYS, INTENTS, "en", NOW)
    assert "60 minutes" in text
    zh = acknowledgement(_ticket("normal", "new", 60), ALWAYS, INTENTS, "zh", NOW)
    assert "60分钟" in zh


def test_vip_hears_of_a_dedicated_agent_and_crisis_gets_an_apology() -> None:
    vip = acknowledgement(_ticket("normal", "vip", 15), ALWAYS, INTENTS, "en", NOW)
    assert "dedicated agent" in vip and "15 minutes" in vip
    crisis = acknowledgement(_ticket("crisis", "vip", 5), ALWAYS, INTENTS, "zh", NOW)
    assert "非常抱歉" in crisis and "5分钟" in crisis


def test_a_public_comment_gets_a_short_note_without_details() -> None:
    note = acknowledgement(_ticket("crisis", "new", 15, "comment"), ALWAYS, INTENTS, "zh", NOW)
    assert note == INTENTS.system["ack_public"]["zh"]


def test_outside_business_hours_the_customer_learns_when_we_are_back() -> None:
    closed_now = BusinessHours.parse("Asia/Shanghai", {"mon": "09:00-18:00"})
    # NOW is a Friday (2027-01-15 in Shanghai): back on Monday 09:00.
    text = acknowledgement(_ticket("normal", "new", 60), closed_now, INTENTS, "en", NOW)
    assert "Mon at 09:00" in text


def test_durations_read_naturally() -> None:
    assert format_duration(30, "en") == "1 minute"
    assert format_duration(45 * 60, "zh") == "45分钟"
    assert format_duration(3 * 3600, "en") == "3 hours"
