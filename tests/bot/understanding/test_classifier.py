"""The intent classifier on the default intent set and the built-in multilingual model."""

from __future__ import annotations

import pytest

from bot.brain import Brain
from bot.intents import Intent, IntentSet
from bot.understanding.classifier import IntentClassifier, Thresholds


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("退货政策是什么?", "return_policy", "zh"),
        ("what is your return policy?", "return_policy", "en"),
        ("我的快递到哪了", "order_tracking", "zh"),
        ("where is my package", "order_tracking", "en"),
        ("能开发票吗", "invoice", "zh"),
        ("can I pay with alipay", "payment_methods", "en"),
        ("我要取消订单", "cancel_order", "zh"),
        ("转人工", "contact_human", "zh"),
        ("hello", "greet", "en"),
    ],
)
def test_faqs_are_recognized(brain: Brain, text: str, intent: str, language: str) -> None:
    result = brain.classifier.predict(text)
    assert result.intent == intent, result.to_dict()
    assert not result.out_of_scope
    assert result.language == language
    assert result.ranking[0].intent == intent
    assert result.confidence == result.ranking[0].confidence


@pytest.mark.parametrize(
    "text", ["asdf qwer", "jkl;jkl;", "今天天气怎么样", "who won the world cup"]
)
def test_out_of_scope_falls_back(brain: Brain, text: str) -> None:
    result = brain.classifier.predict(text)
    assert result.out_of_scope, result.to_dict()
    assert result.intent is None
    assert result.reasons  # says which threshold fired
    assert result.top_intent  # the best guess is kept for the record


def test_thresholds_are_the_ones_configured(brain: Brain) -> None:
    strict = brain.classifier.with_thresholds(
        Thresholds(confidence=0.999, ambiguity=0.0, similarity=0.0)
    )
    result = strict.predict("what is your return policy?")
    assert result.out_of_scope
    assert any(reason.startswith("confidence") for reason in result.reasons)


def test_predict_many_matches_predict(brain: Brain) -> None:
    texts = ["退货政策是什么?", "asdf qwer"]
    batch = brain.classifier.predict_many(texts)
    single = [brain.classifier.predict(t) for t in texts]
    assert [b.intent for b in batch] == [s.intent for s in single]
    assert [b.confidence for b in batch] == pytest.approx([s.confidence for s in single], abs=1e-3)


def test_training_needs_two_intents(brain: Brain) -> None:
    lonely = IntentSet(intents={"greet": Intent("greet", ("hi", "hello"))})
    with pytest.raises(ValueError, match="at least two intents"):
        IntentClassifier.train(brain.classifier.encoder, lonely, Thresholds(0.5, 0.1, 0.8))
