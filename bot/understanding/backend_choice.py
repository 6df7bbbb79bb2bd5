"""Which encoder backend this machine runs (``understanding.backend: auto``): measured once, kept.

The int8 ONNX copy embeds a message ~5x faster than torch on a CPU with fast 8-bit dot products
(AVX-512 VNNI) and ~3x on one with AVX2 alone; the fp32 ONNX copy computes torch's vectors, often
faster than torch (docs/benchmark.md). No single default is right everywhere, so at first start
``resolve`` measures each backend on this CPU, one message per call (the worker's path), on a
fixed set of distinct texts, and keeps the fastest whose vectors stay within ``TOLERANCE``
(cosine) of torch's fp32 vectors.

The measurements, the choice, the CPU's name and flags are written next to the model
(``switchboard_backend.json``); later starts read them back in a millisecond and measure again
only when the CPU, the ONNX formats, the runtimes' versions or the texts change. ``switchboard
doctor`` shows them. The rules that pick (``choose``) are pure, and tested on given timings.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.errors import SetupError
from bot.understanding.backend_texts import TEXTS
from bot.understanding.cpu import cpu_identity
from bot.understanding.onnx_backend import FP32, INT8, MIN_COSINE

logger = logging.getLogger(__name__)

RECORD_FILE = "switchboard_backend.json"
RECORD_FORMAT = 1
BACKENDS: tuple[str, ...] = (INT8.backend, FP32.backend, "torch")
TOLERANCE = MIN_COSINE
# Timings within this share of the fastest count as a tie (two runs on a shared machine differ
# by more); a tie goes to fewer threads, then to the smaller model: int8, fp32 ONNX, torch.
TIE_MARGIN = 0.05
# The round's texts run through every candidate before the next round starts, and the order of
# the candidates turns from round to round: a burst of load elsewhere hits them all alike.
ROUNDS = 2
FALLBACK = INT8.backend  # when nothing can be measured (the default before measuring existed)


@dataclass(frozen=True)
class Measurement:
    """One backend at one thread count: ms per message and the least cosine to torch fp32."""

    backend: str
    threads: int
    ms_p50: float | None = None
    ms_mean: float | None = None
    ms_p95: float | None = None
    min_cosine: float | None = None
    texts: int = 0  # fewer than all when it stopped early, too slow to win
    error: str = ""

    def within(self, tolerance: float) -> bool:
        return (
            not self.error
            and self.ms_p50 is not None
            and self.min_cosine is not None
            and self.min_cosine >= tolerance
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measurement:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Choice:
    backend: str
    threads: int
    measurement: Measurement | None = None
    record: dict[str, Any] | None = None


class NoBackendWithinTolerance(SetupError):
    """Every backend failed or drifted (torch itself is the reference: it failed to run)."""


def choose(
    measurements: Sequence[Measurement],
    *,
    max_threads: int,
    tolerance: float = TOLERANCE,
    margin: float = TIE_MARGIN,
) -> Measurement:
    """The fastest measurement within ``tolerance`` and ``max_threads``; near-ties (``margin``)
    go to fewer threads, then to the smaller model."""
    eligible = [m for m in measurements if m.within(tolerance) and m.threads <= max_threads]
    if not eligible:
        raise NoBackendWithinTolerance(
            f"no backend within cosine {tolerance} of torch at <= {max_threads} threads: "
            + "; ".join(f"{m.backend}x{m.threads}: {m.error or m.min_cosine}" for m in measurements)
        )
    fastest = min(m.ms_p50 or 0.0 for m in eligible)
    near = [m for m in eligible if (m.ms_p50 or 0.0) <= fastest * (1 + margin)]
    return min(near, key=lambda m: (m.threads, _rank(m.backend), m.ms_p50))


def _rank(backend: str) -> int:
    return BACKENDS.index(backend) if backend in BACKENDS else len(BACKENDS)


def thread_counts(max_threads: int, cpus: int | None = None) -> tuple[int, ...]:
    """Torch's intra-op thread counts worth measuring: 1, 2 and the configured budget, on the
    cores there are. (An ONNX copy runs one text on one thread whatever ``threads`` says:
    ``threads`` runs side by side, which helps batches, not one message.)"""
    cores = max(1, cpus or os.cpu_count() or 1)
    return tuple(sorted({n for n in (1, 2, max_threads) if n <= cores} | {1}))


def setup_identity(model: str, counts: Sequence[int]) -> dict[str, Any]:
    """What the measurements depend on besides the CPU: measured again when any of it changes."""
    from importlib import metadata

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "none"

    texts = hashlib.sha256("\n".join(TEXTS).encode()).hexdigest()[:12]
    return {
        "model": model,
        "onnx_int8_format": INT8.format,
        "onnx_fp32_format": FP32.format,
        "onnxruntime": version("onnxruntime"),
        "torch": version("torch"),
        "texts": texts,
        "thread_counts": list(counts),
    }


def record_path(model: str, models_dir: Path) -> Path:
    """Beside the model: in the built-in model's folder, or by a hub model's name."""
    from bot.understanding.encoder import BUILTIN_PREFIX, builtin_folder

    if model.startswith(BUILTIN_PREFIX):
        return builtin_folder(model, models_dir) / RECORD_FILE
    digest = hashlib.sha256(model.encode()).hexdigest()[:12]
    return models_dir / f"{Path(RECORD_FILE).stem}-{digest}.json"


def read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def is_current(record: dict[str, Any] | None, setup: dict[str, Any], cpu: dict[str, Any]) -> bool:
    return (
        record is not None
        and record.get("format") == RECORD_FORMAT
        and record.get("setup") == setup
        and (record.get("cpu") or {}).get("key") == cpu["key"]
    )


Measure = Callable[[str, Path, Sequence[int]], list[Measurement]]


def current_record(
    model: str, models_dir: Path, *, max_threads: int = 1, record: Path | None = None
) -> dict[str, Any] | None:
    """The record for ``model`` if it holds for this CPU and set-up (else it needs measuring)."""
    path = record or record_path(model, models_dir)
    data = read_record(path)
    if is_current(data, setup_identity(model, thread_counts(max_threads)), cpu_identity()):
        return data
    return None


def resolve(
    model: str,
    models_dir: Path,
    *,
    max_threads: int = 1,
    record: Path | None = None,
    measure: Measure | None = None,
    remeasure: bool = False,
) -> Choice:
    """The backend and thread count for ``model`` on this machine: from the record when it is
    current, else measured now (once: concurrent starts wait for the first) and recorded."""
    path = record or record_path(model, models_dir)
    counts = thread_counts(max_threads)
    setup, cpu = setup_identity(model, counts), cpu_identity()
    data = None if remeasure else read_record(path)
    if not is_current(data, setup, cpu):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(f".{path.name}.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = None if remeasure else read_record(path)  # another process may have measured
            if not is_current(data, setup, cpu):
                data = _measure_and_record(model, models_dir, counts, setup, cpu, path, measure)
    if data is None:
        return Choice(FALLBACK, max_threads)
    measurements = [Measurement.from_dict(m) for m in data.get("measurements", [])]
    try:
        picked = choose(measurements, max_threads=max_threads, tolerance=data["tolerance"])
    except (NoBackendWithinTolerance, KeyError, TypeError) as exc:
        logger.warning("Unusable backend record %s (%s); using %s", path, exc, FALLBACK)
        return Choice(FALLBACK, max_threads)
    logger.info(
        "Encoder backend %s: %.1f ms/message, cosine to torch >= %.4f (measured on %s; "
        "`switchboard doctor` shows every backend)",
        picked.backend,
        picked.ms_p50 or 0.0,
        picked.min_cosine or 0.0,
        cpu["name"],
    )
    # An ONNX copy runs one message on one thread whatever ``threads`` is; its ``threads`` are
    # texts run side by side, which only batches use: they get the whole budget.
    threads = picked.threads if picked.backend == "torch" else max_threads
    return Choice(picked.backend, threads, picked, data)


def _measure_and_record(
    model: str,
    models_dir: Path,
    counts: Sequence[int],
    setup: dict[str, Any],
    cpu: dict[str, Any],
    path: Path,
    measure: Measure | None,
) -> dict[str, Any] | None:
    from bot.understanding.backend_measure import measure_backends

    logger.info("Measuring the encoder backends on this CPU (%s), once", cpu["name"])
    started = time.perf_counter()
    try:
        measurements = (measure or measure_backends)(model, models_dir, counts)
        picked = choose(measurements, max_threads=max(counts))
    except (NoBackendWithinTolerance, ImportError, OSError, RuntimeError) as exc:
        logger.warning("Could not measure the encoder backends (%s); using %s", exc, FALLBACK)
        return None
    data = {
        "format": RECORD_FORMAT,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(time.perf_counter() - started, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu": cpu,
        "setup": setup,
        "tolerance": TOLERANCE,
        "texts": len(TEXTS),
        "measurements": [asdict(m) for m in measurements],
        "fastest_within_tolerance": {"backend": picked.backend, "threads": picked.threads},
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    os.replace(temporary, path)  # atomic: a reader sees the old record or the new one
    return data
