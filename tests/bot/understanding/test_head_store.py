"""An intent head saved as arrays gives, loaded again, the probabilities of the one saved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.brain import Brain
from bot.understanding import head_store
from bot.understanding.head import IntentHead

TEXTS = [
    "退货政策是什么",
    "what is your return policy",
    "多久发货",
    "when will it ship",
    "可以开发票吗",
    "can I get an invoice",
    "运费多少",
    "how much is shipping",
]
LABELS = [
    "returns",
    "returns",
    "shipping",
    "shipping",
    "invoice",
    "invoice",
    "shipping",
    "shipping",
]
PROBES = ["退货怎么办", "do you ship abroad?", "发票抬头写错了", "ZX-1000 运费"]


@pytest.mark.parametrize("surface_weight", [0.0, 0.3])
def test_round_trip_keeps_the_probabilities(
    brain: Brain, tmp_path: Path, surface_weight: float
) -> None:
    encoder = brain.classifier.encoder
    head = IntentHead.fit(TEXTS, encoder.encode(TEXTS), LABELS, surface_weight)
    path = tmp_path / "head.npz"
    head_store.save(head, path)
    again = head_store.load(path)
    vectors = encoder.encode(PROBES)
    assert list(again.classes) == list(head.classes)
    np.testing.assert_allclose(
        again.probabilities(PROBES, vectors), head.probabilities(PROBES, vectors), atol=1e-5
    )


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, something=np.zeros(3))
    with pytest.raises(ValueError, match="not an intent head"):
        head_store.load(path)
