"""The triage's reason for a person, taken apart for the console."""

from __future__ import annotations

import pytest

from handoff.why import top_classes, why
from tests.factories import handoff_signals


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("complaint 0.94", {"kind": "complaint", "score": 0.94, "quote": "", "detail": ""}),
        (
            "asked for a person: 'get me a human' (human_request 1.00)",
            {"kind": "human_request", "score": 1.0, "quote": "get me a human", "detail": ""},
        ),
        (
            "asked for a person: '转人工' (转人工)",
            {"kind": "human_request", "score": None, "quote": "转人工", "detail": "转人工"},
        ),
        (
            "asked for a person: 'it's 'broken' (again)…' (human_request 0.81)",
            {
                "kind": "human_request",
                "score": 0.81,
                "quote": "it's 'broken' (again)…",
                "detail": "",
            },
        ),
        (
            "crisis: crisis keyword: 过敏; 过敏 reported (了)",
            {
                "kind": "crisis",
                "score": None,
                "quote": "",
                "detail": "crisis keyword: 过敏; 过敏 reported (了)",
            },
        ),
        (
            "negative: negativity 0.71",
            {"kind": "negative", "score": None, "quote": "", "detail": "negativity 0.71"},
        ),
        (
            "Something new: words",
            {"kind": "other", "score": None, "quote": "", "detail": "Something new: words"},
        ),
    ],
)
def test_reasons_are_taken_apart(reason: str, expected: dict) -> None:
    assert why({"person_reason": reason}) == {**expected, "text": reason}


def test_no_reason_and_the_top_classes() -> None:
    assert why({}) is None and why({"person_reason": "  "}) is None
    signals = handoff_signals()
    assert top_classes(signals) == [
        {"class": "complaint", "p": 0.94},
        {"class": "negative", "p": 0.03},
        {"class": "neutral", "p": 0.02},
        {"class": "human_request", "p": 0.01},
    ]
    assert top_classes({"triage": "broken"}) == [] and top_classes({}) == []
