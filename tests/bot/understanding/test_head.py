"""The intent head: embedding view, character n-gram view, and their combination."""

from __future__ import annotations

import numpy as np
import pytest

from bot.understanding.head import IntentHead

# Two intents whose examples embed identically (as near-duplicates do when only a product code
# tells them apart): the embedding view cannot separate them, the surface view can.
TEXTS = ["status of order AX-100", "where is order AX-100", "track AX-100 please",
         "status of order BQ-200", "where is order BQ-200", "track BQ-200 please"]
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
