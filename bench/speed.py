"""Speed and memory of our understanding layer: throughput, one-message latency, train time, RSS.

``python -m bench.speed --worker-rss`` is the child process the benchmark starts to measure the
resident memory of a worker-like process (model + default intents + classifying), apart from
the benchmark's own data.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.datasets import IntentSplit
from bench.systems.ours import Ours, fresh_cache_root
from switchboard.settings import Settings


def throughput(
    settings: Settings, split: IntentSplit, texts: Sequence[str], threads: int
) -> dict[str, float]:
    """Messages per second through ``predict_many`` with ``threads`` encoder threads."""
    ours = Ours(settings, threads=threads, cache_root=_shared_root(settings))
    ours.fit(split)
    ours.predict(list(texts[:20]))  # warm-up
    scored = ours.predict(list(texts))
    return {
        "threads": threads,
        "messages": len(texts),
        "messages_per_s": round(len(texts) / scored.seconds, 1),
    }


def latency(
    settings: Settings, split: IntentSplit, texts: Sequence[str], backend: str | None = None
) -> dict[str, Any]:
    """p50/p95 of one message through ``predict`` (1 thread; distinct texts, so no cache)."""
    if backend:
        settings = settings.model_copy(
            update={"understanding": settings.understanding.model_copy(update={"backend": backend})}
        )
    ours = Ours(settings, threads=1, cache_root=_shared_root(settings))
    ours.fit(split)
    classifier = ours.classifier
    assert classifier is not None
    for text in texts[:10]:
        classifier.predict(text)
    timings = []
    for text in texts[10:]:
        started = time.perf_counter()
        classifier.predict(text)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "backend": classifier.encoder.backend,  # what ran ("auto" resolved)
        "messages": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(float(np.percentile(timings, 95)), 2),
    }


_ROOTS: dict[str, Path] = {}


def _shared_root(settings: Settings) -> Path:
    """One embedding cache per backend for the speed runs: training there is not timed."""
    backend = settings.understanding.backend
    if backend not in _ROOTS:
        _ROOTS[backend] = fresh_cache_root(settings)
    return _ROOTS[backend]


def train_time(settings: Settings, split: IntentSplit, threads: int) -> dict[str, Any]:
    """Training from scratch (every example embedded, nothing cached)."""
    seconds = Ours(settings, threads=threads).fit(split)
    return {
        "split": split.name,
        "examples": len(split.train),
        "threads": threads,
        "seconds": round(seconds, 1),
    }


def worker_rss(intents_dir: Path) -> dict[str, Any]:
    """Peak resident memory of a fresh process that does what a worker does."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.speed", "--worker-rss", str(intents_dir)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worker_rss_child(intents_dir: Path) -> None:
    from bot.brain_factory import build_brain
    from switchboard.settings import load_settings

    settings = load_settings()
    settings = settings.model_copy(
        update={
            "understanding": settings.understanding.model_copy(update={"intents_dir": intents_dir})
        }
    )
    brain = build_brain(settings)
    for text in ["退货政策是什么?", "where is my parcel", "asdf qwer"] * 50:
        brain.classifier.predict(text)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    backend = brain.classifier.encoder.backend
    print(json.dumps({"backend": backend, "peak_rss_mb": round(peak_mb, 1)}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker-rss":
        _worker_rss_child(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m bench.speed --worker-rss INTENTS_DIR")
