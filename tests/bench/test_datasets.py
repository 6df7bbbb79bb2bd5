"""The benchmark's loaders, on tiny synthetic files shaped like the real ones."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench import datasets


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    _clinc(root)
    _csv(
        root / "banking77" / "train.csv",
        ["text", "category"],
        [[f"card {i}", "card_arrival"] for i in range(12)]
        + [[f"pin {i}", "change_pin"] for i in range(12)],
    )
    _csv(
        root / "banking77" / "test.csv",
        ["text", "category"],
        [["where is my card", "card_arrival"], ["new pin", "change_pin"]],
    )
    _csv(
        root / "bitext" / "bitext_customer_support_20k.csv",
        ["flags", "utterance", "category", "intent"],
        [["B", f"refund {i}", "REFUND", "get_refund"] for i in range(30)]
        + [["B", f"track {i}", "ORDER", "track_order"] for i in range(30)],
    )
    smp = [
        {"text": f"打开uc{i}", "domain": "app", "intent": "LAUNCH", "slots": {}} for i in range(10)
    ] + [{"text": "播放音乐", "domain": "music", "intent": "PLAY", "slots": {}}]
    (root / "smp2019").mkdir()
    (root / "smp2019" / "train.json").write_text(json.dumps(smp, ensure_ascii=False), "utf-8")
    _csv(
        root / "zh_reviews" / "online_shopping_10_cats.csv",
        ["cat", "label", "review"],
        [["书籍", "1", f"很好看的书{i}" + "好" * 100] for i in range(6)]
        + [["书籍", "0", f"太差了{i}"] for i in range(6)]
        + [["书籍", "0", ""]],
    )
    return root


def _clinc(root: Path) -> None:
    def rows(prefix: str, n: int) -> list[list[str]]:
        return [
            [f"{prefix} {intent} {i}", intent]
            for intent in ("balance", "transfer")
            for i in range(n)
        ]

    (root / "clinc150").mkdir(parents=True)
    full = {
        "train": rows("train", 15),
        "val": rows("val", 2),
        "test": rows("test", 3),
        "oos_train": [["oos a", "oos"]],
        "oos_val": [["oos b", "oos"]],
        "oos_test": [["oos c", "oos"], ["oos d", "oos"]],
    }
    (root / "clinc150" / "data_full.json").write_text(json.dumps(full), "utf-8")
    (root / "clinc150" / "data_small.json").write_text(
        json.dumps({**full, "train": rows("train", 5)}), "utf-8"
    )


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_clinc150_full_and_small_keep_out_of_scope_apart(data: Path) -> None:
    full = datasets.load_clinc150(data, "full")
    assert (len(full.train), len(full.val), len(full.test)) == (30, 4, 6)
    assert full.oos_test == ["oos c", "oos d"] and full.oos_val == ["oos b"]
    assert full.labels == ["balance", "transfer"] and full.language == "en"
    assert len(datasets.load_clinc150(data, "small").train) == 10


def test_few_shot_is_seeded_per_intent_and_keeps_the_tests(data: Path) -> None:
    full = datasets.load_clinc150(data, "full")
    ten = datasets.few_shot(full, 10)
    assert ten.name == "clinc150_10shot"
    assert sorted(label for _, label in ten.train).count("balance") == 10
    assert ten.train == datasets.few_shot(full, 10).train  # same seed, same sample
    assert ten.test == full.test and ten.oos_test == full.oos_test
    assert set(ten.train) <= set(full.train)


def test_banking77_and_its_10_shot(data: Path) -> None:
    banking = datasets.load_banking77(data)
    assert (len(banking.train), len(banking.test)) == (24, 2)
    assert len(datasets.few_shot(banking, 10).train) == 20


def test_bitext_takes_shots_to_train_and_the_next_ones_to_test(data: Path) -> None:
    bitext = datasets.load_bitext(data, shots=20, test_per_intent=5)
    assert len(bitext.train) == 40 and len(bitext.test) == 10
    assert not set(bitext.train) & set(bitext.test)


def test_smp2019_by_domain_keeps_a_one_example_domain_in_training(data: Path) -> None:
    smp = datasets.load_smp2019(data)
    assert smp.language == "zh"
    assert [label for _, label in smp.test] == ["app"] * 3
    assert ("播放音乐", "music") in smp.train and len(smp.train) == 8


def test_zh_reviews_are_balanced_cut_and_disjoint(data: Path) -> None:
    reviews = datasets.load_zh_reviews(data, per_class=3, max_chars=20)
    assert sorted(label for _, label in reviews.train) == [0, 0, 0, 1, 1, 1]
    assert len(reviews.test) == 6 and not set(reviews.train) & set(reviews.test)
    assert max(len(text) for text, _ in reviews.train + reviews.test) <= 20


def test_our_intent_folder_is_split_per_intent(tmp_path: Path) -> None:
    folder = tmp_path / "intents"
    folder.mkdir()
    (folder / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: a\n  examples: |\n'
        + "".join(f"    - a{i}\n" for i in range(8))
        + "- intent: b\n  examples: |\n"
        + "".join(f"    - b{i}\n" for i in range(4)),
        encoding="utf-8",
    )
    split = datasets.load_intent_folder(folder)
    assert sorted(label for _, label in split.test) == ["a", "a", "b"]
    assert len(split.train) == 9


def test_shrink_test_is_a_seeded_subsample(data: Path) -> None:
    full = datasets.load_clinc150(data, "full")
    small = full.shrink_test(4)
    assert len(small.test) == 4 and len(small.oos_test) == 1
    assert small.test == full.shrink_test(4).test
