"""Severity rules (pure) and the burst bookkeeping in Redis."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot import keys
from bot.settings import AssessmentSettings
from bot.understanding.result import IntentScore, Understanding
from bot.understanding.severity import BurstRule, SeverityRules, record_negative, worse


@pytest.fixture(scope="module")
def rules() -> SeverityRules:
    defaults = AssessmentSettings()
    return SeverityRules.from_lists(defaults.negativity_threshold, defaults.crisis_keywords)


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("用了你们的面霜过敏了,烂脸", "过敏"),
        ("我要打 １２３１５ 投诉你们", "12315"),  # full-width digits
        ("吃了以后食物 中毒", "食物中毒"),  # a stray space between Han characters
        ("This is a SCAM, I'm calling my lawyer", "lawyer"),
        ("I got food poisoning from your snacks", "food poisoning"),
        ("I will sue you", "sue"),
    ],
)
def test_crisis_keywords_match(rules: SeverityRules, text: str, keyword: str) -> None:
    assert rules.crisis_keyword(text) == keyword


@pytest.mark.parametrize(
    "text",
    ["there is an issue with my order", "I love scampi", "退货政策是什么", "pursue a refund"],
)
def test_english_keywords_need_whole_words(rules: SeverityRules, text: str) -> None:
    assert rules.crisis_keyword(text) is None


def test_severity_from_score_and_keywords(rules: SeverityRules) -> None:
    assert rules.assess("退货政策是什么", 0.1) == ("normal", [])
    severity, reasons = rules.assess("太差了", 0.9)
    assert severity == "negative"
    assert reasons == ["negativity 0.90 >= 0.60"]
    severity, reasons = rules.assess("过敏了", 0.2)  # a keyword is a crisis whatever the score
    assert severity == "crisis"
    assert reasons == ["crisis keyword: 过敏"]


def _understood(intent: str) -> Understanding:
    return Understanding(intent=intent, confidence=0.9, ranking=(IntentScore(intent, 0.9),),
                         out_of_scope=False, language="zh")


def test_burst_topic_is_the_keyword_else_the_top_intent() -> None:
    rule = BurstRule(count=3, window_seconds=600)
    assert rule.topic_of(_understood("complaint"), "过敏") == "keyword:过敏"
    assert rule.topic_of(_understood("complaint"), None) == "intent:complaint"
    assert BurstRule(3, 600, topic="any").topic_of(_understood("complaint"), "过敏") == "any"
    assert not rule.fires(2)
    assert rule.fires(3)


def test_worse_picks_the_more_severe() -> None:
    assert worse("negative", "crisis") == "crisis"
    assert worse("negative", "normal") == "negative"


async def test_burst_counts_different_customers_within_the_window(redis_client: Redis) -> None:
    counts = [
        await record_negative(redis_client, "intent:complaint", f"webchat:c{i}", 1000.0 + i, 600)
        for i in range(3)
    ]
    assert counts == [1, 2, 3]
    assert await redis_client.ttl(keys.negative_burst("intent:complaint")) > 0


async def test_one_customer_repeating_himself_is_not_a_burst(redis_client: Redis) -> None:
    counts = [
        await record_negative(redis_client, "intent:complaint", "webchat:c1", 1000.0 + i, 600)
        for i in range(3)
    ]
    assert counts == [1, 1, 1]


async def test_messages_older_than_the_window_drop_out(redis_client: Redis) -> None:
    await record_negative(redis_client, "intent:refund_status", "webchat:a", 1000.0, 600)
    await record_negative(redis_client, "intent:refund_status", "webchat:b", 1500.0, 600)
    assert await record_negative(redis_client, "intent:refund_status", "webchat:c", 1700.0,
                                 600) == 2
    # Other topics are counted apart.
    assert await record_negative(redis_client, "intent:invoice", "webchat:d", 1700.0, 600) == 1
