"""Encoder backends on this CPU, and `switchboard classify` started cold and warm.

    python -m bench.backends [--texts 200] [--threads 1,2] [--no-classify]
    ./scripts/dev.sh bench backends

1. One message per call (a worker's path) through every backend and torch thread count, on
   distinct hold-out texts (``bench/data/holdout``, zh and en), taking turns as the start-up
   choice does (``bot/understanding/backend_measure.py``), but on more texts and without
   stopping the slow ones: p50/p95 ms, messages/s, the ratio to torch on one thread measured in
   the same run, and the least cosine to torch's vectors.
2. The same texts as one ``Encoder.encode`` call (training's path): ms per text, each backend
   at each thread count (an ONNX copy's threads run texts side by side).
3. `switchboard classify` in fresh processes on a fresh data folder sharing this one's models:
   the first call (examples embedded, head trained), a call with the embeddings cached but not
   the head (the cost before heads were cached), and three warm calls (head loaded).

Prints the tables with the CPU's name and writes ``bench/results/backends-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "bench" / "data" / "holdout"
SEED = 7


def holdout_texts(count: int) -> list[str]:
    """``count`` distinct hold-out messages, Chinese and English alternating (fixed seed)."""
    by_language = []
    for language in ("zh", "en"):
        lines = {
            line.strip()
            for path in sorted((HOLDOUT / language).glob("*.txt"))
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        }
        ordered = sorted(lines)
        random.Random(SEED).shuffle(ordered)
        by_language.append(ordered)
    mixed = [text for pair in zip(*by_language, strict=False) for text in pair]
    return mixed[:count]


def one_message(
    model: str, models_dir: Path, texts: Sequence[str], counts: Sequence[int]
) -> list[dict[str, Any]]:
    from dataclasses import asdict

    from bot.understanding.backend_measure import measure_backends

    measured = measure_backends(model, models_dir, counts, texts, rounds=4, stop_hopeless=False)
    reference = next(m for m in measured if (m.backend, m.threads) == ("torch", 1))
    rows = []
    for m in measured:
        row = asdict(m)
        if not m.error and m.ms_p50 and reference.ms_p50:
            row["messages_per_s"] = round(1000 / (m.ms_mean or m.ms_p50), 1)
            row["speed_vs_torch_1"] = round(reference.ms_p50 / m.ms_p50, 2)
        rows.append(row)
    return rows


def batch(
    model: str, data_dir: Path, texts: Sequence[str], counts: Sequence[int]
) -> list[dict[str, Any]]:
    import gc

    from bot.understanding.encoder import Encoder

    rows = []
    for backend in ("onnx-int8", "onnx-fp32", "torch"):
        for threads in counts:
            encoder = Encoder(model, data_dir, threads=threads, backend=backend)
            encoder.encode(list(texts[:8]))  # warm-up
            started = time.perf_counter()
            encoder.encode(list(texts))
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "backend": encoder.backend,
                    "threads": threads,
                    "ms_per_text": round(1000 * seconds / len(texts), 2),
                    "texts_per_s": round(len(texts) / seconds, 1),
                }
            )
            del encoder
            gc.collect()
    return rows


def classify_starts(data_dir: Path, text: str) -> list[dict[str, Any]]:
    """Wall time of `switchboard classify` in new processes on a fresh data folder."""
    fresh = Path(tempfile.mkdtemp(prefix="sb-bench-classify-"))
    try:
        (fresh / "models").symlink_to((data_dir / "models").resolve(), target_is_directory=True)
        rows = []
        for label, forget_head in (
            ("first call: examples embedded, head trained", False),
            ("embeddings cached, head not (before this cache)", True),
            ("warm: head loaded from the cache", False),
            ("warm, 2nd", False),
            ("warm, 3rd", False),
        ):
            if forget_head:
                shutil.rmtree(fresh / "heads", ignore_errors=True)
            env = {**os.environ, "SWITCHBOARD_DATA_DIR": str(fresh), "HF_HUB_OFFLINE": "1"}
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "switchboard.cli",
                    "--log-level",
                    "WARNING",
                    "classify",
                    text,
                ],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
                timeout=900,
                check=False,
            )
            seconds = time.perf_counter() - started
            rows.append(
                {"run": label, "seconds": round(seconds, 2), "exit": done.returncode}
                | ({"error": done.stderr.strip()[-300:]} if done.returncode else {})
            )
        return rows
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def print_tables(result: dict[str, Any]) -> None:
    cpu = result["cpu"]
    print(
        f"\nCPU: {cpu['name']}, {cpu['cpus']} cores ({' '.join(cpu['notable_flags'])}); "
        f"load average at start {result['load_average']}"
    )
    print(f"\nOne message per call, {result['texts']} distinct hold-out texts (zh/en):")
    print(
        f"{'backend':<11}{'threads':>8}{'p50 ms':>9}{'p95 ms':>9}{'msg/s':>8}"
        f"{'x torch/1':>11}{'min cos':>9}"
    )
    for r in result["one_message"]:
        if r["error"]:
            print(f"{r['backend']:<11}{r['threads']:>8}  unavailable: {r['error'][:60]}")
            continue
        print(
            f"{r['backend']:<11}{r['threads']:>8}{r['ms_p50']:>9.2f}{r['ms_p95']:>9.2f}"
            f"{r['messages_per_s']:>8.1f}{r['speed_vs_torch_1']:>10.2f}x{r['min_cosine']:>9.4f}"
        )
    if result.get("batch"):
        print("\nThe same texts in one encode call (training's path):")
        print(f"{'backend':<11}{'threads':>8}{'ms/text':>9}{'texts/s':>9}")
        for r in result["batch"]:
            print(
                f"{r['backend']:<11}{r['threads']:>8}{r['ms_per_text']:>9.2f}"
                f"{r['texts_per_s']:>9.1f}"
            )
    if result.get("classify"):
        print(f"\nswitchboard classify, new process each (backend: {result['backend']}):")
        for r in result["classify"]:
            failed = f"  FAILED: {r.get('error', '')}" if r["exit"] else ""
            print(f"  {r['run']:<50}{r['seconds']:>7.2f} s{failed}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backends", description=__doc__)
    parser.add_argument("--texts", type=int, default=200, help="distinct texts (default 200)")
    parser.add_argument("--threads", default="1,2", help="torch thread counts (default 1,2)")
    parser.add_argument("--no-classify", action="store_true", help="skip the classify starts")
    parser.add_argument("--no-batch", action="store_true", help="skip the one-call batches")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    from bot.understanding.backend_choice import resolve
    from bot.understanding.cpu import cpu_identity
    from switchboard.settings import load_settings

    settings = load_settings()
    model = settings.understanding.model
    counts = [int(n) for n in args.threads.split(",") if n]
    texts = holdout_texts(args.texts)
    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpu": cpu_identity(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "texts": len(texts),
        "model": model,
    }
    result["one_message"] = one_message(model, settings.data_dir / "models", texts, counts)
    if not args.no_batch:
        result["batch"] = batch(model, settings.data_dir, texts, counts)
    if not args.no_classify:
        if settings.understanding.backend == "auto":
            choice = resolve(model, settings.data_dir / "models", max_threads=1)
            result["backend"] = f"auto -> {choice.backend}"
        else:
            result["backend"] = settings.understanding.backend
        result["classify"] = classify_starts(settings.data_dir, "退货政策是什么?")
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_tables(result)
    out = ROOT / "bench" / "results" / f"backends-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\n{out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
