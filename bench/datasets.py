"""Loaders for the benchmark data sets (see ../shared/data/README.md for their origin).

Every sample is drawn with a fixed seed, so two runs (and two systems in one run) see the same
splits. Nothing here is copied into the project: the data is read from the folder given.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

Pair = tuple[str, str]  # (text, label)
SEED = 42


@dataclass(frozen=True)
class IntentSplit:
    name: str
    language: str  # "en" or "zh": Rasa gets a Jieba tokenizer for zh
    train: list[Pair]
    test: list[Pair]
    oos_test: list[str] = field(default_factory=list)
    val: list[Pair] = field(default_factory=list)
    oos_val: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return sorted({label for _, label in self.train})

    def shrink_test(self, limit: int, seed: int = SEED) -> IntentSplit:
        """A fixed-seed subsample of the test sets (``--quick``)."""
        rng = random.Random(seed)
        test = rng.sample(self.test, min(limit, len(self.test)))
        oos = rng.sample(self.oos_test, min(limit // 4, len(self.oos_test)))
        return IntentSplit(self.name, self.language, self.train, test, oos, self.val, self.oos_val)


@dataclass(frozen=True)
class PolaritySplit:
    """Texts labelled 1 (negative) or 0 (not), for negativity AUROC."""

    name: str
    train: list[tuple[str, int]]
    test: list[tuple[str, int]]


def few_shot(split: IntentSplit, shots: int, seed: int = SEED) -> IntentSplit:
    """``shots`` training examples per intent, drawn with a fixed seed; tests unchanged."""
    return IntentSplit(
        f"{split.name.rsplit('_', 1)[0]}_{shots}shot",
        split.language,
        _per_label(split.train, shots, seed),
        split.test,
        split.oos_test,
        split.val,
        split.oos_val,
    )


def load_clinc150(root: Path, variant: str = "full") -> IntentSplit:
    """CLINC150 (``data_full.json`` or ``data_small.json``) with its out-of-scope queries."""
    data = json.loads((root / "clinc150" / f"data_{variant}.json").read_text(encoding="utf-8"))

    def pairs(key: str) -> list[Pair]:
        return [(str(text), str(label)) for text, label in data[key]]

    return IntentSplit(
        name=f"clinc150_{variant}",
        language="en",
        train=pairs("train"),
        test=pairs("test"),
        oos_test=[text for text, _ in data["oos_test"]],
        val=pairs("val"),
        oos_val=[text for text, _ in data["oos_val"]],
    )


def load_banking77(root: Path) -> IntentSplit:
    return IntentSplit(
        "banking77_full",
        "en",
        _csv_pairs(root / "banking77" / "train.csv"),
        _csv_pairs(root / "banking77" / "test.csv"),
    )


def load_bitext(
    root: Path, shots: int = 20, test_per_intent: int = 50, seed: int = SEED
) -> IntentSplit:
    """Bitext customer support (20k file): ``shots`` per intent to train, others to test."""
    path = root / "bitext" / "bitext_customer_support_20k.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [(r["utterance"].strip(), r["intent"].strip()) for r in csv.DictReader(handle)]
    by_label = _group(rows, seed)
    train = [p for items in by_label.values() for p in items[:shots]]
    test = [p for items in by_label.values() for p in items[shots : shots + test_per_intent]]
    return IntentSplit(f"bitext_{shots}shot", "en", train, test)


def load_smp2019(
    root: Path, label: str = "domain", test_share: float = 0.3, seed: int = SEED
) -> IntentSplit:
    """SMP2019-ECDT (Chinese), by domain: a stratified fixed-seed train/test split."""
    items = json.loads((root / "smp2019" / "train.json").read_text(encoding="utf-8"))
    rows = [(str(item["text"]).strip(), str(item[label])) for item in items]
    train: list[Pair] = []
    test: list[Pair] = []
    for group in _group(rows, seed).values():
        # A domain with one example can only be learnt, not tested.
        cut = min(len(group) - 1, round(len(group) * test_share))
        test += group[:cut]
        train += group[cut:]
    return IntentSplit(f"smp2019_{label}", "zh", train, test)


def load_zh_reviews(
    root: Path, per_class: int = 1000, max_chars: int = 80, seed: int = SEED
) -> PolaritySplit:
    """Chinese shopping reviews: ``per_class`` negative and positive each for train and test."""
    path = root / "zh_reviews" / "online_shopping_10_cats.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [
            (str(r["review"] or "").strip().lstrip("\ufeff")[:max_chars], r["label"])
            for r in csv.DictReader(handle)
        ]
    rows = [(text, label) for text, label in rows if text]
    groups = _group([(t, "neg" if label == "0" else "pos") for t, label in rows], seed)
    need = 2 * per_class
    neg, pos = groups.get("neg", [])[:need], groups.get("pos", [])[:need]

    def labelled(part: slice) -> list[tuple[str, int]]:
        return [(t, 1) for t, _ in neg[part]] + [(t, 0) for t, _ in pos[part]]

    return PolaritySplit(
        "zh_reviews", labelled(slice(0, per_class)), labelled(slice(per_class, need))
    )


def load_intent_folder(path: Path, test_share: float = 0.25, seed: int = SEED) -> IntentSplit:
    """Our own intent set (``intents/``), split per intent with a fixed seed."""
    from bot.intents import load_intent_set

    intent_set = load_intent_set(path)
    texts, labels = intent_set.training_pairs()
    train: list[Pair] = []
    test: list[Pair] = []
    for group in _group(list(zip(texts, labels, strict=True)), seed).values():
        cut = max(1, round(len(group) * test_share))
        test += group[:cut]
        train += group[cut:]
    return IntentSplit("default_intents", "zh", train, test)


def _csv_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(r["text"].strip(), r["category"].strip()) for r in csv.DictReader(handle)]


def _group(rows: list[Pair], seed: int) -> dict[str, list[Pair]]:
    """label -> its rows in a fixed-seed shuffled order (labels in sorted order)."""
    groups: dict[str, list[Pair]] = defaultdict(list)
    for text, label in rows:
        groups[label].append((text, label))
    rng = random.Random(seed)
    result = {}
    for label in sorted(groups):
        items = list(dict.fromkeys(groups[label]))  # exact repeats would leak into the test
        rng.shuffle(items)
        result[label] = items
    return result


def _per_label(rows: list[Pair], shots: int, seed: int) -> list[Pair]:
    return [p for items in _group(rows, seed).values() for p in items[:shots]]
