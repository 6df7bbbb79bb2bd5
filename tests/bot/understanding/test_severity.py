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
    return SeverityRules.from_settings(AssessmentSettings())


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
    assert reasons == ["negativity 0.90 >= 0.50"]
    severity, reasons = rules.assess("过敏了", 0.2)  # reported: a crisis whatever the score
    assert severity == "crisis"
    assert reasons == ["crisis keyword: 过敏", "过敏 reported (了)"]


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("敏感肌会过敏吗", "会过敏吗"),
        ("这个面霜会不会烂脸", "会不会"),
        ("用了以后会不会过敏", "会不会"),  # 了 and 以后 in a question: still hypothetical
        ("孕妇可以用吗,会不会过敏?", "会不会"),
        ("is this safe for people with a nut allergy?", "is this safe"),
        ("Can your cream cause a rash?", "can your cream"),
        ("这个 cream 会不会 cause a rash?", "会不会"),  # mixed zh/en
    ],
)
def test_pre_sale_questions_are_not_a_crisis(rules: SeverityRules, text: str, marker: str) -> None:
    keyword = rules.crisis_keyword(text)
    assert keyword is not None  # the keyword is seen (and still names the burst topic) ...
    severity, reasons = rules.assess(text, 0.2)
    assert severity == "normal"  # ... but a question is for the bot to answer
    assert reasons == [f"crisis keyword {keyword} in a question ({marker}): not a crisis"]
    severity, reasons = rules.assess(text, 0.8)  # the score alone still makes it negative
    assert severity == "negative"
    assert reasons[-1] == "negativity 0.80 >= 0.50"


@pytest.mark.parametrize(
    ("text", "keyword", "marker"),
    [
        ("用了你们的面霜过敏了,烂脸", "过敏", "了"),
        ("I had an allergic reaction after eating your snack", "allergic reaction", "had"),
        ("我过敏了你们会管吗", "过敏", "了"),  # the question comes after the report
        ("用了以后过敏了会不会烂脸", "过敏", "了"),
        ("I got a rash, will it go away?", "rash", "got"),
        ("my face 过敏 after using it", "过敏", "after"),  # mixed zh/en
        ("脸上红肿", "红肿", "脸上"),
        ("my kid ended up in hospital", "hospital", "ended up"),
    ],
)
def test_reported_harm_is_a_crisis(
    rules: SeverityRules, text: str, keyword: str, marker: str
) -> None:
    assert rules.assess(text, 0.1) == (
        "crisis",
        [f"crisis keyword: {keyword}", f"{keyword} reported ({marker})"],
    )


@pytest.mark.parametrize(
    "text",
    [
        "我要去12315投诉",
        "I'm going to sue you",
        "你们被起诉过吗",
        "can I sue you for this?",
        "你们卖假货",
        "是正品吗,不会是假货吧",
        "I will call the police",
    ],
)
def test_always_keywords_are_a_crisis_even_in_a_question(rules: SeverityRules, text: str) -> None:
    severity, reasons = rules.assess(text, 0.0)
    assert severity == "crisis"
    assert reasons == [f"crisis keyword: {rules.crisis_keyword(text)} (always a crisis)"]


def test_a_harm_word_neither_asked_nor_reported_follows_the_score(rules: SeverityRules) -> None:
    assert rules.assess("过敏体质能用吗", 0.17) == (
        "normal",
        ["crisis keyword 过敏 neither reported nor negative (0.17 < 0.60): not a crisis"],
    )
    assert rules.assess("过敏", 0.7) == (
        "crisis",
        ["crisis keyword: 过敏", "过敏 with negativity 0.70 >= 0.60", "negativity 0.70 >= 0.50"],
    )
    # A clause of its own: the question in the next clause does not excuse the statement.
    severity, _ = rules.assess("I have a nut allergy, does it contain nuts?", 0.3)
    assert severity == "normal"
    assert rules.assess("I have a nut allergy, does it contain nuts?", 0.65)[0] == "crisis"


def test_harm_negativity_is_its_own_threshold() -> None:
    defaults = AssessmentSettings()
    strict = SeverityRules.from_settings(defaults.model_copy(update={"harm_negativity": 0.9}))
    assert strict.assess("过敏", 0.7)[0] == "negative"


def test_harm_markers_are_not_fooled_by_common_words(rules: SeverityRules) -> None:
    # 了解 / 为了 are not 了 (past), 售后 is not 后 (after).
    for text in ["想了解下过敏体质能不能用", "为了防过敏买的,能用吗", "售后怎么处理过敏"]:
        assert rules.assess(text, 0.2)[0] == "normal", text


def test_the_original_constructor_keeps_every_keyword_a_crisis() -> None:
    old = SeverityRules.from_lists(0.6, {"zh": ["过敏"], "en": ["allergy"]})
    assert old.assess("敏感肌会过敏吗", 0.1) == (
        "crisis",
        ["crisis keyword: 过敏 (always a crisis)"],
    )
    assert SeverityRules(0.6, {"en": ("allergy",)}).crisis_keyword("nut allergy?") == "allergy"


def test_an_old_config_listing_harm_words_as_crisis_keywords_gets_the_new_reading() -> None:
    # Written before the split: every word under crisis_keywords, no harm_* keys at all.
    settings = AssessmentSettings.model_validate(
        {"crisis_keywords": {"zh": ["过敏", "起诉", "12315"], "en": ["allergy", "sue"]}}
    )
    rules = SeverityRules.from_settings(settings)
    assert rules.assess("敏感肌会过敏吗", 0.1)[0] == "normal"  # on both lists: a harm word
    assert rules.assess("你们被起诉过吗", 0.1)[0] == "crisis"
    assert rules.assess("用了过敏了", 0.1)[0] == "crisis"


def test_an_invalid_pattern_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"question pattern '会\(' \(zh\)"):
        SeverityRules.from_lists(0.6, {}, question_patterns={"zh": ["会("]})


def _understood(intent: str) -> Understanding:
    return Understanding(
        intent=intent,
        confidence=0.9,
        ranking=(IntentScore(intent, 0.9),),
        out_of_scope=False,
        language="zh",
    )


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
    assert (
        await record_negative(redis_client, "intent:refund_status", "webchat:c", 1700.0, 600) == 2
    )
    # Other topics are counted apart.
    assert await record_negative(redis_client, "intent:invoice", "webchat:d", 1700.0, 600) == 1
