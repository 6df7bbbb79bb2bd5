"""One message in, one full result out: triage, negativity, a request for a person, severity."""

from __future__ import annotations

import json

import pytest

from bot.brain import Brain
from bot.settings import AssessmentSettings
from bot.understanding.assessment import Assessor
from tests.conftest import CACHE_DIR


@pytest.fixture(scope="module")
def assessor(brain: Brain) -> Assessor:
    return Assessor.build(brain.classifier.encoder, AssessmentSettings(), CACHE_DIR)


def _assess(brain: Brain, assessor: Assessor, text: str):
    return assessor.assess(text, brain.classifier.predict(text))


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("退货政策是什么", "normal"),
        ("what is your return policy?", "normal"),
        ("你们的东西太垃圾了，我要退款！", "negative"),
        ("this is the worst service I have ever had", "negative"),
        ("用了你们的面霜过敏了,烂脸", "crisis"),
        ("this is a scam, I'm calling my lawyer", "crisis"),
        ("吃了你们的零食拉肚子，我要打12315", "crisis"),
        ("I had an allergic reaction after eating your snack", "crisis"),
        ("我要去12315投诉", "crisis"),
        ("I'm going to sue you", "crisis"),
        ("你们被起诉过吗", "crisis"),  # always a crisis, even asked calmly
        ("my face 过敏 after using it", "crisis"),
        ("敏感肌会过敏吗", "normal"),  # pre-sale questions: for the bot to answer
        ("is this safe for people with a nut allergy?", "normal"),
        ("孕妇可以用吗,会不会过敏", "normal"),
    ],
)
def test_severity(brain: Brain, assessor: Assessor, text: str, severity: str) -> None:
    result = _assess(brain, assessor, text)
    assert result.severity == severity, result.to_dict()
    if result.severity == "normal":  # only notes on why a keyword did not count
        assert all(r.endswith("not a crisis") for r in result.assessment_reasons)
        assert result.person_reason == ""
    else:
        assert result.assessment_reasons
        assert result.person_reason  # a negative or crisis message always goes to a person


def test_a_scary_pre_sale_question_is_no_crisis_but_may_be_negative(
    brain: Brain, assessor: Assessor
) -> None:
    result = _assess(brain, assessor, "这个面霜会不会烂脸")
    assert result.severity != "crisis", result.to_dict()
    assert result.assessment_reasons[0] == (
        "crisis keyword 烂脸 in a question (会不会): not a crisis"
    )
    # The score decides between normal and negative, exactly as without the keyword.
    assert (result.severity == "negative") == (result.negativity >= 0.5)


@pytest.mark.parametrize(
    "text", ["转人工", "can I talk to a real person", "I want to talk to a person", "人工客服"]
)
def test_human_requested(brain: Brain, assessor: Assessor, text: str) -> None:
    result = _assess(brain, assessor, text)
    assert result.human_requested, result.to_dict()
    assert result.person_reason.startswith("asked for a person"), result.to_dict()


def test_the_classification_is_kept_and_everything_serializes(
    brain: Brain, assessor: Assessor
) -> None:
    understood = brain.classifier.predict("你们的东西太垃圾了，我要退款！")
    result = assessor.assess("你们的东西太垃圾了，我要退款！", understood)
    assert (result.intent, result.ranking, result.reasons) == (
        understood.intent,
        understood.ranking,
        understood.reasons,
    )
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["severity"] == "negative"
    assert 0.5 <= data["negativity"] <= 1.0
    assert data["human_requested"] is False
    assert data["assessment_reasons"][0].startswith("negativity")
    assert set(data["triage"]) == {
        "neutral",
        "chitchat",
        "human_request",
        "complaint",
        "negative",
        "crisis",
        "abuse",
    }
    assert abs(sum(data["triage"].values()) - 1.0) < 0.01
