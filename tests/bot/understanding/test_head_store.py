"""An intent head saved as arrays gives, loaded again, the probabilities of the one saved."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.brain import Brain
from bot.understanding import head_store
from bot.understanding.head import IntentHead
from tests.conftest import ROOT

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
# More than the head's few-text path takes: the batch path (sparse TF-IDF rows) too.
MANY = [*PROBES, "", "   ", "Invoice   for  ÉTÉ order", "a", "👍 ok", "退", "运费\t多少\n钱"]


@pytest.mark.parametrize("surface_weight", [0.0, 0.3])
def test_round_trip_keeps_the_probabilities(
    brain: Brain, tmp_path: Path, surface_weight: float
) -> None:
    encoder = brain.classifier.encoder
    head = IntentHead.fit(TEXTS, encoder.encode(TEXTS), LABELS, surface_weight)
    path = tmp_path / "head.npz"
    head_store.save(head, path)
    again = head_store.load(path)
    assert list(again.classes) == list(head.classes)
    for probes in (PROBES, MANY):
        vectors = encoder.encode(probes)
        np.testing.assert_allclose(
            again.probabilities(probes, vectors), head.probabilities(probes, vectors), atol=1e-5
        )


def test_the_loaded_n_grams_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=head_store.NGRAM_RANGE, sublinear_tf=True, lowercase=True
    ).build_analyzer()
    for text in [*TEXTS, *MANY, "Ünïcödé  ΣΊΣΥΦΟΣ", "a b  c\u3000d", "İstanbul"]:
        assert head_store.char_wb_ngrams(text) == analyzer(text)


def test_loading_a_head_and_scoring_with_it_imports_no_scikit_learn(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(TEXTS), 8)).astype(np.float32)
    head_store.save(IntentHead.fit(TEXTS, vectors, LABELS, 0.3), tmp_path / "head.npz")
    code = (
        "import sys, numpy as np; from pathlib import Path; "
        "from bot.understanding import head_store; "
        f"h = head_store.load(Path({str(tmp_path / 'head.npz')!r})); "
        "h.probabilities(['运费', 'invoice'], np.ones((2, 8))); "
        "print('sklearn' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False"


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, something=np.zeros(3))
    with pytest.raises(ValueError, match="not an intent head"):
        head_store.load(path)
