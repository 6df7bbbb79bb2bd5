"""The triage head with the real model: every class, in Chinese and in English.

None of these texts is in the training data (``test_none_of_these_is_trained_on`` checks), so
they test what the head learned, not what it memorised.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.brain import Brain
from bot.understanding.triage import Triage, TriageConfig, TriageModel, balanced_weights
from bot.understanding.triage_corpus import (
    CLASSES,
    NEUTRAL,
    PERSON_CLASSES,
    TriageExample,
    training_examples,
)
from tests.conftest import CACHE_DIR

CASES: dict[str, list[str]] = {
    "human_request": [
        "帮我找个能做主的人来处理一下",
        "麻烦转一下人工坐席，谢谢",
        "could a member of your support team take over this chat please",
        "I'd rather deal with a human being on this one",
    ],
    "complaint": [
        "我上周买的吹风机用了两次就坏了，你们必须给我一个说法",
        "快递员把包裹直接扔在门口，下雨全湿了，你们就是这么服务的？",
        "I am writing to formally complain about the way my return was handled",
        "your courier left my parcel in the rain and everything inside is ruined",
    ],
    "negative": [
        "真的太让人失望了，再也不会买了",
        "无语死了，这什么破体验",
        "honestly the worst shopping experience I've had this year",
        "so annoyed right now, nothing about this order went right",
    ],
    "crisis": [
        "我女儿吃了你们的饼干以后全身起疹子，现在在急诊",
        "我已经向市场监管局举报你们了",
        "my son had a severe allergic reaction to your snack bar last night",
        "I have contacted a lawyer and will be taking legal action against you",
    ],
    "abuse": [
        "你们这群废物客服，脑子被驴踢了吧",
        "再不退钱我就去你们公司门口堵人",
        "shut up you brainless bot",
        "you lot are a bunch of useless morons",
    ],
    "chitchat": [
        "今天好热啊",
        "你平时喜欢干什么呀",
        "good evening, hope you're well",
        "what's your favourite colour?",
    ],
    "neutral": [
        "这款面膜一盒有几片",
        "请问周末可以送货上门吗",
        "do you ship to Canada and how long does it take?",
        "can I pay with Apple Pay at checkout?",
    ],
}


@pytest.fixture(scope="module")
def model(brain: Brain) -> TriageModel:
    return TriageModel.load_or_train(brain.classifier.encoder, CACHE_DIR)


def test_none_of_these_is_trained_on() -> None:
    trained = {" ".join(e.text.lower().split()) for e in training_examples(600)}
    for texts in CASES.values():
        for text in texts:
            assert " ".join(text.lower().split()) not in trained, text


@pytest.mark.parametrize(
    ("label", "text"), [(label, text) for label, texts in CASES.items() for text in texts]
)
def test_each_class_in_both_languages(model: TriageModel, label: str, text: str) -> None:
    triage = model.score(text)
    # A complaint usually sounds negative and a negative message usually complains: either
    # reading sends it to a person with the same severity.
    same = {"complaint", "negative"} if label in ("complaint", "negative") else {label}
    assert triage.top in same, triage.to_dict()
    if label in PERSON_CLASSES:
        assert triage.person >= 0.5, triage.to_dict()
    else:
        assert triage.person < 0.5, triage.to_dict()


def test_scores_are_probabilities_and_batch_matches_single(model: TriageModel) -> None:
    texts = [t for texts in CASES.values() for t in texts]
    batch = model.score_many(texts)
    for text, together in zip(texts, batch, strict=True):
        alone = model.score(text)
        assert set(alone.scores) == set(CLASSES)
        assert abs(sum(alone.scores.values()) - 1.0) < 1e-3
        for label in CLASSES:
            assert abs(alone[label] - together[label]) < 1e-3


def test_person_and_unhappy_add_up_the_right_classes() -> None:
    triage = Triage(
        {
            "neutral": 0.1,
            "chitchat": 0.1,
            "human_request": 0.3,
            "complaint": 0.2,
            "negative": 0.1,
            "crisis": 0.1,
            "abuse": 0.1,
        }
    )
    assert triage.person == pytest.approx(0.8)
    assert triage.unhappy == pytest.approx(0.5)
    assert triage.top_person_class == "human_request"
    assert triage.top == "human_request"


def test_classes_weigh_the_same_except_neutral() -> None:
    examples = (
        [TriageExample(f"n{i}", NEUTRAL, 1.0, "x") for i in range(30)]
        + [TriageExample(f"a{i}", "abuse", 1.0, "x") for i in range(3)]
        + [TriageExample(f"c{i}", "complaint", 0.5, "x") for i in range(10)]
    )
    weights = balanced_weights(examples, neutral_share=2.0)
    labels = np.asarray([e.label for e in examples])
    abuse, complaint, neutral = (
        weights[labels == k].sum() for k in ("abuse", "complaint", NEUTRAL)
    )
    assert abuse == pytest.approx(complaint)
    assert neutral == pytest.approx(2 * abuse)


def test_the_head_is_cached_and_brand_examples_make_a_new_one(brain: Brain, tmp_path: Path) -> None:
    encoder = brain.classifier.encoder
    config = TriageConfig(reviews_per_class=50)
    first = TriageModel.load_or_train(encoder, tmp_path, config=config)
    [cached] = (tmp_path / "triage").glob("*.npz")
    again = TriageModel.load_or_train(encoder, tmp_path, config=config)
    text = "these socks are lovely, thanks"
    assert again.score(text).to_dict() == first.score(text).to_dict()
    assert cached.stat().st_mtime_ns == next((tmp_path / "triage").glob("*.npz")).stat().st_mtime_ns
    # An admin says "the parcel is late again" needs no person in this shop: a new head.
    TriageModel.load_or_train(encoder, tmp_path, {"neutral": ["the parcel is late again"]}, config)
    assert len(list((tmp_path / "triage").glob("*.npz"))) == 2


def test_an_unknown_brand_class_is_a_clear_error(brain: Brain, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown triage classes"):
        TriageModel.load_or_train(brain.classifier.encoder, tmp_path, {"angry": ["x"]})


def test_the_shipped_head_is_for_the_shipped_data(brain: Brain) -> None:
    """A first start loads the shipped head instead of embedding twelve thousand texts; after
    a change of the data, `python -m bot.understanding.triage --ship` writes the new one."""
    from bot.understanding.encoder import model_id
    from bot.understanding.triage import SHIPPED_HEADS
    from bot.understanding.triage_corpus import fingerprint

    config = TriageConfig()
    examples = training_examples(config.reviews_per_class)
    encoder = brain.classifier.encoder
    # int8's vectors, and fp32's (torch and the fp32 ONNX copy): whichever backend a CPU picks.
    for identity in (encoder.model_id, model_id(encoder.model_name, "torch")):
        name = fingerprint(examples, identity, config.key())
        assert (SHIPPED_HEADS / f"{name}.npz").is_file(), (
            "the triage data changed: run python -m bot.understanding.triage --ship"
        )
