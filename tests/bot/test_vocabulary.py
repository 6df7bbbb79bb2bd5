"""The shared words: ordering, string identity, the legacy markers and the reason codes."""

from __future__ import annotations

import json

import pytest

from bot.vocabulary import (
    SEVERITIES,
    TIERS,
    ChannelKind,
    HandoverReason,
    MessageKind,
    ReasonKind,
    Severity,
    Tier,
)


def test_members_are_their_strings_so_stored_records_read_back_unchanged() -> None:
    assert Tier.VIP == "vip" and Severity.CRISIS == "crisis" and ChannelKind.COMMENT == "comment"
    assert json.dumps({"tier": Tier.LOYAL}) == '{"tier": "loyal"}'
    assert {"vip": 1}[Tier.VIP] == 1  # a plain-string key finds the member
    assert TIERS == ("new", "regular", "loyal", "vip")
    assert SEVERITIES == ("normal", "negative", "crisis")


def test_the_worst_severity_wins() -> None:
    assert Severity.worst("negative", "crisis", "normal") is Severity.CRISIS
    assert Severity.worst("normal", "negative") is Severity.NEGATIVE
    assert Severity.worst() is Severity.NORMAL
    with pytest.raises(ValueError):
        Severity.worst("terrible")


@pytest.mark.parametrize(
    ("marker", "kind", "detail"),
    [
        ("", MessageKind.TEXT, ""),
        ("comment", MessageKind.TEXT, ""),
        ("media:photo:AgAC-1", MessageKind.MEDIA, "photo:AgAC-1"),
        ("media:voice", MessageKind.MEDIA, "voice"),
        ("command:start", MessageKind.COMMAND, "start"),
        ("recognized:voice", MessageKind.VOICE_TEXT, ""),
        ("event:subscribe", MessageKind.SUBSCRIBE, ""),
        ("event:click:ORDER_STATUS", MessageKind.MENU_CLICK, "ORDER_STATUS"),
    ],
)
def test_markers_of_messages_queued_before_kinds_are_still_understood(
    marker: str, kind: MessageKind, detail: str
) -> None:
    assert MessageKind.from_legacy_ref(marker) == (kind, detail)


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        (HandoverReason(ReasonKind.INTENT, "complaint"), "intent:complaint"),
        (HandoverReason(ReasonKind.NO_ANSWER, "refund"), "no_answer:refund"),
        (HandoverReason(ReasonKind.REPEATED_FAILURE), "repeated_failure"),
        (HandoverReason(ReasonKind.SEVERITY, "crisis"), "crisis"),
        (HandoverReason(ReasonKind.TRIAGE, "complaint 0.94"), "complaint 0.94"),
        (
            HandoverReason(ReasonKind.TRIAGE, "asked for a person: 'a: b' (human_request 1.00)"),
            "asked for a person: 'a: b' (human_request 1.00)",
        ),
    ],
)
def test_a_reason_and_its_stored_code_convert_both_ways(reason: HandoverReason, code: str) -> None:
    assert reason.code == str(reason) == code
    assert HandoverReason.parse(code) == reason


def test_only_an_intent_mark_names_an_intent() -> None:
    assert HandoverReason(ReasonKind.INTENT, "complaint").intent == "complaint"
    assert HandoverReason(ReasonKind.TRIAGE, "complaint 0.9").intent == ""
