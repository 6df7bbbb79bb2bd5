"""The intent head: embedding view, character n-gram view, and their combination."""

from __future__ import annotations

import numpy as np
import pytest

from bot.understanding.head import IntentHead

# Two intents whose examples embed identically (as near-duplicates do when only a product code
# tells them apart): the embedding view cannot separate them, the surface view can.
TEXTS = [
    "status of order AX-100",
    "where is order AX-100",
    "track AX-100 please",
    "status of order BQ-200",
    "where is order BQ-200",
    "track BQ-200 please",
]
LABELS = ["order_ax", "order_ax", "order_ax", "order_bq", "order_bq", "order_bq"]


def _vectors(count: int) -> np.ndarray:
    vector = np.zeros((count, 4), dtype=np.float32)
    vector[:, 0] = 1.0
    return vector


def test_the_surface_view_separates_what_the_embedding_blurs() -> None:
    head = IntentHead.fit(TEXTS, _vectors(6), LABELS, surface_weight=0.3)
    probabilities = head.probabilities(["is AX-100 shipped"], _vectors(1))
    assert list(head.classes) == ["order_ax", "order_bq"]
    assert probabilities.shape == (1, 2)
    assert probabilities.sum() == pytest.approx(1.0)
    assert probabilities[0, 0] > 0.55  # AX wins only through its characters


def test_weight_zero_is_the_embedding_head_alone() -> None:
    head = IntentHead.fit(TEXTS, _vectors(6), LABELS, surface_weight=0.0)
    assert head.surface is None
    probabilities = head.probabilities(["is AX-100 shipped"], _vectors(1))
    assert probabilities[0] == pytest.approx([0.5, 0.5], abs=0.01)


def test_both_views_agreeing_make_a_confident_answer() -> None:
    rng = np.random.default_rng(0)
    centres = {"order_ax": rng.normal(size=4), "order_bq": rng.normal(size=4)}
    vectors = np.stack([centres[label] + 0.05 * rng.normal(size=4) for label in LABELS])
    head = IntentHead.fit(TEXTS, vectors, LABELS, surface_weight=0.3)
    probabilities = head.probabilities(["where is BQ-200"], centres["order_bq"][None, :])
    assert probabilities[0, 1] > 0.9


def _random_vectors(texts: list[str]) -> np.ndarray:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(len(texts), 8))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("classes", [2, 3])
def test_one_message_gets_what_scikit_learn_computes(classes: int) -> None:
    texts = [
        "status of order AX-100",
        "where is order AX-100",
        "退货怎么退",
        "我要退货",
        "ZX-1000 多少钱",
        "价格是多少",
    ]
    labels = ["a", "a", "b", "b", "c", "c"] if classes == 3 else ["a", "a", "b", "b", "b", "b"]
    head = IntentHead.fit(texts, _random_vectors(texts), labels, 0.3)
    probes = [
        "ZX-1000 多少钱?",
        "where is parcel 12345?",
        "退货",
        "",
        "🙂🙂",
        "ABC abc",
        "completely unrelated words here",
    ]
    vectors = _random_vectors(probes)
    batch = head.probabilities(probes, vectors)  # scikit-learn's path (more than a few texts)
    for i, probe in enumerate(probes):
        alone = head.probabilities([probe], vectors[i : i + 1])  # the numpy path
        np.testing.assert_allclose(alone[0], batch[i], atol=1e-9)
