"""Distinct customer messages for the load benchmark, from the shared public data sets.

A repeated text hits the encoder's cache and looks ten times faster, so no text is ever handed
out twice. English support requests (Bitext, CLINC150, BANKING77) and Chinese ones (SMP2019,
product reviews cut to 80 characters as the negativity model reads them) take turns; when every
source is spent, two texts joined make new ones, still never a repeat.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

SEED = 7
REVIEW_CHARS = 80


def _bitext(root: Path) -> list[str]:
    texts = []
    for name in ("bitext_customer_support_20k.csv", "bitext_customer_service_8k.csv"):
        path = root / "bitext" / name
        if path.is_file():
            with path.open(encoding="utf-8-sig", newline="") as handle:
                texts += [row["utterance"] for row in csv.DictReader(handle)]
    return texts


def _clinc(root: Path) -> list[str]:
    path = root / "clinc150" / "data_full.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [text for part in data.values() for text, _ in part]


def _banking(root: Path) -> list[str]:
    texts = []
    for name in ("train.csv", "test.csv"):
        path = root / "banking77" / name
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as handle:
                texts += [row["text"] for row in csv.DictReader(handle)]
    return texts


def _smp(root: Path) -> list[str]:
    path = root / "smp2019" / "train.json"
    if not path.is_file():
        return []
    return [row["text"] for row in json.loads(path.read_text(encoding="utf-8"))]


def _reviews(root: Path) -> list[str]:
    path = root / "zh_reviews" / "online_shopping_10_cats.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["review"].lstrip("\ufeff")[:REVIEW_CHARS] for row in csv.DictReader(handle)]


def _holdout(folder: Path) -> list[str]:
    """The routing hold-out shipped in bench/data: the fallback when no shared data is found."""
    texts = []
    for path in sorted(folder.glob("*/*")):
        lines = path.read_text(encoding="utf-8").splitlines()
        # faq.tsv lines are "intent<TAB>text"; the others one text a line.
        texts += [line.rsplit("\t", 1)[-1] for line in lines if line and not line.startswith("#")]
    return texts


def load_sources(data: Path, holdout: Path) -> list[list[str]]:
    """Each source's texts (English and Chinese sources alternate); the hold-out if none."""
    sources = [_bitext(data), _reviews(data), _clinc(data), _smp(data), _banking(data)]
    found = [texts for texts in sources if texts]
    return found or [_holdout(holdout)]


def _normal(text: str) -> str:
    return " ".join(text.split())


def distinct_texts(sources: Sequence[Sequence[str]], seed: int = SEED) -> Iterator[str]:
    """Every text once, sources in turn (each shuffled with ``seed``); then pairs, endlessly."""
    rng = random.Random(seed)
    shuffled = []
    for source in sources:
        texts = [_normal(text) for text in source]
        rng.shuffle(texts)
        shuffled.append(texts)
    seen: set[str] = set()
    singles: list[str] = []
    for text in _round_robin(shuffled):
        if text and text not in seen:
            seen.add(text)
            singles.append(text)
            yield text
    if not singles:
        raise ValueError("no texts to send: the data folder has none of the expected files")
    # Pairs (i, i + gap) for gap = 1, 2, ...: each pair once, so each joined text is new
    # unless it happens to equal another, which the seen-set catches.
    for gap in range(1, len(singles)):
        for i in range(len(singles)):
            joined = f"{singles[i]} {singles[(i + gap) % len(singles)]}"
            if joined not in seen:
                seen.add(joined)
                yield joined
    raise ValueError("every text and pair of texts has been used")


def _round_robin(sources: Iterable[list[str]]) -> Iterator[str]:
    iterators = [iter(source) for source in sources]
    while iterators:
        alive = []
        for iterator in iterators:
            text = next(iterator, None)
            if text is not None:
                yield text
                alive.append(iterator)
        iterators = alive


class TextSupply:
    """Hands out distinct texts in slices: no slice shares a text with another."""

    def __init__(self, sources: Sequence[Sequence[str]], seed: int = SEED) -> None:
        self._texts = distinct_texts(sources, seed)
        self.handed_out = 0

    def take(self, count: int) -> list[str]:
        return [self.next() for _ in range(count)]

    def next(self) -> str:
        self.handed_out += 1
        return next(self._texts)
