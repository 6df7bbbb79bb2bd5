"""Explicit requests for a person: configured patterns, and the contact_human intent."""

from __future__ import annotations

import pytest

from bot.settings import AssessmentSettings
from bot.understanding.human_request import HumanRequestDetector


@pytest.fixture(scope="module")
def detector() -> HumanRequestDetector:
    return HumanRequestDetector(AssessmentSettings().human_request_patterns)


@pytest.mark.parametrize(
    "text",
    [
        "转人工",
        "转 人 工",
        "人工",
        "我要人工客服",
        "找真人",
        "能不能换个活人来",
        "叫你们经理出来",
        "我不要机器人",
        "I want to talk to a person",
        "can I talk to a real person?",
        "REAL HUMAN please",
        "agent please",
        "let me speak with someone",
        "get me a live agent",
        "customer service representative",
        "I don't want to chat with a bot",
    ],
)
def test_requests_for_a_person(detector: HumanRequestDetector, text: str) -> None:
    reason = detector.detect(text)
    assert reason is not None
    assert reason.startswith("pattern (")


@pytest.mark.parametrize(
    "text",
    [
        "人工智能是什么",
        "退货政策是什么",
        "人工费怎么算",
        "where is my package",
        "is it machine washable?",
        "the agent of change",
        "what is your return policy?",
    ],
)
def test_ordinary_messages_are_not(detector: HumanRequestDetector, text: str) -> None:
    assert detector.detect(text) is None


def test_a_broken_pattern_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        HumanRequestDetector({"en": ["(unclosed"]})
