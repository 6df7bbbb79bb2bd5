"""The triage training data: named after its classes, licensed, and apart from the hold-out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding.triage_corpus import (
    BRAND_WEIGHT,
    CLASSES,
    DATA_DIR,
    brand_examples,
    public_examples,
    training_examples,
    written_examples,
)
from tests.conftest import ROOT

HOLDOUT = ROOT / "bench" / "data" / "holdout"


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def test_every_class_has_written_examples_in_both_languages() -> None:
    examples = written_examples()
    for language in ("zh", "en"):
        for label in CLASSES:
            count = sum(
                1
                for e in examples
                if e.label == label
                and e.source.startswith("written:")
                and (DATA_DIR / language / e.source.split(":")[1]).is_file()
            )
            assert count >= 200, (language, label, count)


def test_public_sources_ship_with_their_licences() -> None:
    assert public_examples()
    names = {p.name for p in (DATA_DIR / "public").iterdir()}
    assert "LICENSE-bitext-CDLA-Sharing-1.0.txt" in names
    assert "LICENSE-clinc150-CC-BY-3.0.txt" in names


def test_the_hold_out_never_enters_training() -> None:
    held: set[str] = set()
    for path in HOLDOUT.rglob("*"):
        if path.suffix in (".txt", ".tsv"):
            held |= {
                _norm(line.split("\t")[-1])
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            }
    assert len(held) > 1000
    trained = {_norm(e.text) for e in training_examples(600)}
    assert not held & trained


def test_a_text_keeps_one_label_and_the_brand_wins() -> None:
    text = next(e.text for e in written_examples() if e.label == "complaint")
    examples = training_examples(50, {"neutral": [text]})
    labels = [e for e in examples if _norm(e.text) == _norm(text)]
    assert [(e.label, e.weight) for e in labels] == [("neutral", BRAND_WEIGHT)]


def test_brand_examples_need_known_classes() -> None:
    with pytest.raises(ValueError, match="unknown triage classes"):
        brand_examples({"furious": ["x"]})


def test_a_misnamed_data_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "angry.txt").write_text("grr\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not named after a triage class"):
        written_examples(tmp_path)
