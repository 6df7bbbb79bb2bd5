"""Timing the encoder backends on this machine and comparing their vectors with torch fp32's.

Each candidate embeds the same distinct texts one message per call, as a worker does, and its
vectors are compared with torch's on one thread (the reference). Candidates take turns: the texts
are dealt into ``rounds`` rounds, every candidate runs a round's texts before the next round
starts, and the order of the candidates turns from round to round, so a burst of load from
another process falls on all of them alike. Loads and exports (the first time an ONNX copy is
made) are not timed.
"""

from __future__ import annotations

import gc
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.understanding.backend_choice import BACKENDS, ROUNDS, Measurement
from bot.understanding.backend_texts import TEXTS
from bot.understanding.onnx_backend import FP32, INT8

logger = logging.getLogger(__name__)

Embed = Callable[[str], np.ndarray]
REFERENCE = ("torch", 1)
# A candidate this many times slower than one with fp32 vectors stops early: it cannot win.
HOPELESS = 3.0
_MIN_TEXTS = 6
_WARM_UP = ("warm-up message", "预热一下")


def measure_backends(
    model: str,
    models_dir: Path,
    counts: Sequence[int],
    texts: Sequence[str] = TEXTS,
    rounds: int = ROUNDS,
    *,
    stop_hopeless: bool = True,
) -> list[Measurement]:
    """One measurement per ONNX copy (one thread: a message runs on one thread there) and per
    torch thread count in ``counts``; a copy that cannot be made is a measurement with an error.
    ``stop_hopeless=False`` (the benchmark) measures every candidate on every text."""
    import torch

    from bot.understanding import onnx_backend
    from bot.understanding.encoder import _load_sentence_transformer, onnx_folder

    original_threads = torch.get_num_threads()
    reference = _load_sentence_transformer(model, models_dir, 1)
    candidates: dict[tuple[str, int], tuple[Embed, Callable[[], None]]] = {}
    failed: list[Measurement] = []
    fp32_copy = onnx_folder(model, models_dir, FP32)
    for variant in (FP32, INT8):  # fp32 first: int8 is quantized from its file, not re-exported
        try:
            copy = onnx_backend.load_onnx(
                reference, onnx_folder(model, models_dir, variant), 1, variant, fp32_copy
            )
        except (onnx_backend.OnnxUnavailable, ImportError, OSError) as exc:
            failed.append(Measurement(variant.backend, 1, error=str(exc)[:300]))
            continue
        candidates[(variant.backend, 1)] = (_embedder(copy), _nothing)
    candidates = dict(sorted(candidates.items(), key=lambda item: BACKENDS.index(item[0][0])))
    for threads in sorted(set(counts) | {1}):  # one thread is the reference
        candidates[("torch", threads)] = (
            _embedder(reference),
            lambda n=threads: torch.set_num_threads(n),
        )
    try:
        timings, rows = _time(candidates, texts, rounds, stop_hopeless)
    finally:
        torch.set_num_threads(original_threads)
        candidates.clear()
        gc.collect()
    truth = rows[REFERENCE]
    measured = [
        Measurement(
            backend,
            threads,
            ms_p50=round(statistics.median(timings[key]), 3),
            ms_mean=round(statistics.fmean(timings[key]), 3),
            ms_p95=round(float(np.percentile(timings[key], 95)), 3),
            min_cosine=round(min(float(truth[i] @ v) for i, v in rows[key].items()), 6),
            texts=len(timings[key]),
        )
        for key in rows
        for backend, threads in [key]
    ]
    return measured + failed


def _time(
    candidates: dict[tuple[str, int], tuple[Embed, Callable[[], None]]],
    texts: Sequence[str],
    rounds: int,
    stop_hopeless: bool = True,
) -> tuple[dict[tuple[str, int], list[float]], dict[tuple[str, int], dict[int, np.ndarray]]]:
    keys = list(candidates)
    timings: dict[tuple[str, int], list[float]] = {key: [] for key in keys}
    rows: dict[tuple[str, int], dict[int, np.ndarray]] = {key: {} for key in keys}
    stopped: set[tuple[str, int]] = set()
    for key in keys:
        embed, prepare = candidates[key]
        prepare()
        for text in _WARM_UP:
            embed(text)
    for turn in range(rounds):
        for key in keys[turn % len(keys) :] + keys[: turn % len(keys)]:
            embed, prepare = candidates[key]
            prepare()
            for index in range(turn, len(texts), rounds):
                if key in stopped:
                    break
                started = time.perf_counter()
                rows[key][index] = embed(texts[index])
                timings[key].append((time.perf_counter() - started) * 1000)
                if stop_hopeless and _hopeless(key, timings):
                    stopped.add(key)
    return timings, rows


def _hopeless(key: tuple[str, int], timings: dict[tuple[str, int], list[float]]) -> bool:
    """Whether ``key`` is already ``HOPELESS`` times slower than a candidate with fp32 vectors
    (always within tolerance, so the winner is at least that fast). Two torch threads on a
    busy 2-core machine took 360 ms a message against 41 on one: measuring all 48 texts cost
    17 s of a first start for nothing."""
    if key == REFERENCE or len(timings[key]) < _MIN_TEXTS:
        return False
    bounds = [
        statistics.median(times)
        for other, times in timings.items()
        if other != key and other[0] != INT8.backend and len(times) >= _MIN_TEXTS
    ]
    return bool(bounds) and statistics.median(timings[key]) > HOPELESS * min(bounds)


def _embedder(model: Any) -> Embed:
    def embed(text: str) -> np.ndarray:
        return np.asarray(
            model.encode(
                [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )[0],
            dtype=np.float32,
        )

    return embed


def _nothing() -> None:
    return None
