"""One command for the whole benchmark: ``python -m bench.run [--data ../shared/data] ...``.

Runs Switchboard's understanding layer and its peers on the same fixed-seed splits, prints an
aligned table, and writes ``bench/results/<timestamp>.json`` plus a bar chart PNG. The JSON is
rewritten after every data set, so an interrupted run keeps what it measured.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench import report, speed
from bench.datasets import IntentSplit, load_clinc150, load_zh_reviews
from bench.metrics import accuracy, oos_metrics, tune_threshold
from bench.systems import System
from bench.tasks import Task, intent_tasks
from switchboard.settings import Settings, load_settings

logger = logging.getLogger("bench")
ROOT = Path(__file__).resolve().parent.parent
PEERS = ("tfidf", "setfit", "rasa")
CALIBRATED = "switchboard-calibrated"
CALIBRATION_RECALL = 0.9


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = load_settings()
    peers = [p for p in args.peers.split(",") if p]
    if args.skip_rasa and "rasa" in peers:
        peers.remove("rasa")
    tasks = intent_tasks(args.data, settings.understanding.intents_dir, args.quick)
    if args.tasks or args.speed_only:
        tasks = [t for t in tasks if t.name in (args.tasks or "").split(",")]
    out = _reserve(args.out, time.strftime("%Y%m%d-%H%M%S"))
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "argv": sys.argv[1:],
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "rows": [],
        "systems": {},
    }
    if not args.no_speed:
        _speed(settings, args.data, args.quick, results, out)
    systems = _systems(settings, peers, results)
    if args.skip_ours:
        systems.pop("switchboard")
        systems.pop(CALIBRATED, None)
    for task in tqdm(tasks, desc="Data sets", unit="set", file=sys.stderr):
        _run_task(task, systems, args.full_rasa, results)
        _save(results, out)
    if not args.speed_only and (not args.tasks or "zh_reviews" in args.tasks.split(",")):
        results["rows"] += _negativity(settings, args.data, peers)
    _save(results, out)
    for system in systems.values():
        system.close()
    print(report.table(results))
    chart = report.chart(results, out.with_suffix(".png"))
    print(f"\nWrote {out.with_suffix('.json')} and {chart}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="the benchmark data folder (default: ../shared/data)",
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help="comma-separated peers: tfidf,setfit,rasa (default: all)",
    )
    parser.add_argument(
        "--skip-rasa",
        action="store_true",
        help="no Rasa (e.g. when its Python 3.10 venv cannot be built)",
    )
    parser.add_argument(
        "--full-rasa",
        action="store_true",
        help="also run DIET (and SetFit) on the full sets: hours on CPUs",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"no full sets, test sets cut to {300} texts: a smoke run",
    )
    parser.add_argument(
        "--tasks", help="only these data sets, comma-separated (e.g. clinc150_10shot,zh_reviews)"
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the speed section")
    parser.add_argument("--speed-only", action="store_true", help="only the speed section")
    parser.add_argument(
        "--skip-ours",
        action="store_true",
        help="peers only (the splits are seeded: rows from two runs compare)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return parser


def _systems(settings: Settings, peers: list[str], results: dict[str, Any]) -> dict[str, System]:
    from bench.systems.ours import Ours
    from bench.systems.tfidf import TfidfPeer

    systems: dict[str, System] = {"switchboard": Ours(settings)}
    if settings.understanding.calibrate is not True:
        # The same head with its fallback thresholds calibrated for each intent set (see
        # bot/understanding/calibration.py), on the sets with out-of-scope test data.
        systems[CALIBRATED] = Ours(_calibrated(settings))
    if "tfidf" in peers:
        systems["tfidf-lr"] = TfidfPeer()
    if "setfit" in peers:
        from bench.systems.setfit_peer import SetFitPeer

        systems["setfit"] = SetFitPeer(_model_folder(settings))
    if "rasa" in peers:
        from bench.systems.rasa_peer import RasaPeer, RasaUnavailable

        try:
            systems["rasa-diet"] = RasaPeer()
        except RasaUnavailable as exc:
            print(f"Skipping Rasa: {exc}", file=sys.stderr)
            results["rasa_skipped"] = str(exc)
    results["systems"] = {name: system.settings for name, system in systems.items()}
    return systems


def _calibrated(settings: Settings) -> Settings:
    understanding = settings.understanding.model_copy(
        update={"calibrate": True, "calibration_recall": CALIBRATION_RECALL}
    )
    return settings.model_copy(update={"understanding": understanding})


def _model_folder(settings: Settings) -> Path:
    from bot.understanding.e5_builder import BUILTIN_E5, materialize_multilingual_e5

    model = settings.understanding.model
    return (
        materialize_multilingual_e5(settings.data_dir / "models")
        if model == BUILTIN_E5
        else Path(model)
    )


def _run_task(
    task: Task, systems: dict[str, System], full_rasa: bool, results: dict[str, Any]
) -> None:
    split = task.load()
    for name, system in systems.items():
        if name in ("setfit", "rasa-diet") and not (task.small or full_rasa):
            continue
        if name == CALIBRATED and not split.oos_test:
            continue
        try:
            row = _evaluate(system, split)
        except Exception as exc:  # one failing peer must not lose the others' results
            logger.exception("%s failed on %s", name, task.name)
            row = {"error": f"{type(exc).__name__}: {exc}"}
        results["rows"].append(
            {
                "task": task.name,
                "system": name,
                "train_examples": len(split.train),
                "test_examples": len(split.test),
                **row,
            }
        )


def _evaluate(system: System, split: IntentSplit) -> dict[str, Any]:
    row: dict[str, Any] = {"train_seconds": round(system.fit(split), 2)}
    truth = [label for _, label in split.test]
    scored = system.predict([text for text, _ in split.test])
    row["accuracy"] = accuracy(scored.predicted, truth)
    row["messages_per_s"] = round(len(truth) / max(scored.seconds, 1e-9), 1)
    if split.oos_test:
        threshold = None
        if scored.out_of_scope is None and split.val:
            val = system.predict([text for text, _ in split.val])
            threshold = tune_threshold(
                val, [label for _, label in split.val], system.predict(split.oos_val)
            )
            row["threshold_tuned_on_val"] = round(threshold, 4)
        row.update(oos_metrics(scored, truth, system.predict(split.oos_test), threshold))
    return row


def _speed(settings: Settings, data: Path, quick: bool, results: dict[str, Any], out: Path) -> None:
    """Fills ``results["speed"]`` step by step, saving after each (the steps are slow)."""
    from bench.datasets import load_intent_folder

    clinc = load_clinc150(data, "full")
    texts = list(dict.fromkeys(t for t, _ in clinc.test))[: 300 if quick else 1000]
    default = load_intent_folder(settings.understanding.intents_dir)
    result: dict[str, Any] = {"throughput": [], "latency": [], "train": []}
    results["speed"] = result
    torch_latency = settings.understanding.backend != "torch"
    steps = [
        lambda: result["latency"].append(speed.latency(settings, default, texts[:210])),
        lambda: result["throughput"].append(speed.throughput(settings, default, texts, 1)),
        lambda: result["throughput"].append(speed.throughput(settings, default, texts, 2)),
        lambda: result.update(
            worker_rss=speed.worker_rss(settings.understanding.intents_dir.resolve())
        ),
        lambda: (
            torch_latency
            and result["latency"].append(speed.latency(settings, default, texts[:110], "torch"))
        ),
        lambda: result["train"].append(
            speed.train_time(settings, load_clinc150(data, "small"), threads=2)
        ),
    ]
    for step in tqdm(steps, desc="Speed", unit="step", file=sys.stderr):
        step()
        _save(results, out)


def _negativity(settings: Settings, data: Path, peers: list[str]) -> list[dict[str, Any]]:
    from bench.negativity import negativity_rows

    return negativity_rows(settings, load_zh_reviews(data), "tfidf" in peers)


def _reserve(folder: Path, stamp: str) -> Path:
    """``folder/stamp`` (or ``stamp-2``...) whose JSON file we created: runs started in the same
    second must not overwrite each other's results."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 100):
        out = folder / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            out.with_suffix(".json").open("x").close()
            return out
        except FileExistsError:
            continue
    raise RuntimeError(f"too many runs named {stamp} in {folder}")


def _save(results: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.with_suffix(".json")
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
