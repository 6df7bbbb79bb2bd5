"""The routing benchmark: ``python -m bench.routing [--data ../shared/data] [--skip-rasa] ...``.

Where does each message go, answered by the bot, handed to a person, or asked to rephrase?
Every message is routed as the first message of a fresh conversation, by Switchboard (intent
classifier, triage, policy) and by two peers that only know intents (TF-IDF + logistic
regression, Rasa DIET with Rasa's fallback defaults), each trained on the same intent set:
the shipped shop set, the same without its complaint and contact intents, and 15 Bitext FAQ
intents. Traffic: the written hold-out in bench/data/holdout plus public groups. Prints Markdown
tables and writes ``bench/results/routing-<time>.json`` (rewritten after every group, so an
interrupted run keeps what it measured). See docs/benchmark.md, "Routing".
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench import routing_data as data
from bench.routing_metrics import group_row, meets_target, oos_auroc, triage_cost
from bench.routing_report import table
from bench.routing_systems import RasaRouter, SwitchboardRouter, TfidfRouter, bench_settings
from switchboard.settings import load_settings

logger = logging.getLogger("bench.routing")
ROOT = Path(__file__).resolve().parent.parent
TIMED_MESSAGES = 200
OOS_GROUPS = ("chitchat", "offdomain")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # A stopped run still stops its Rasa server and removes its scratch folders.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sets = [s for s in args.sets.split(",") if s]
    unknown = sorted(set(sets) - set(data.SET_NAMES))
    if unknown:
        print(f"Unknown intent sets {unknown}; known: {', '.join(data.SET_NAMES)}", file=sys.stderr)
        return 2
    sizes = data.Sizes.quick() if args.quick else data.Sizes()
    settings = load_settings()
    out = _reserve(args.out, time.strftime("%Y%m%d-%H%M%S"))
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "argv": sys.argv[1:],
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "quick": args.quick,
        "sets": sets,
        "systems": {},
        "rows": [],
        "auroc": [],
        "triage_cost": None,
    }
    routers = _routers(settings, args.skip_rasa, results)
    try:
        for set_name in sets:
            _run_set(
                set_name,
                args.data,
                settings.understanding.intents_dir,
                sizes,
                routers,
                results,
                out,
            )
    finally:
        for router in routers:
            router.close()
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _save(results, out)
    print(table(results))
    print(f"\nWrote {out}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.routing",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="the benchmark data folder (default: ../shared/data)",
    )
    parser.add_argument(
        "--sets",
        default=",".join(data.SET_NAMES),
        help=f"comma-separated intent sets (default: all: {','.join(data.SET_NAMES)})",
    )
    parser.add_argument(
        "--skip-rasa",
        action="store_true",
        help="no Rasa DIET (its training takes a few minutes per set)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 20 texts per hold-out group, 5 per Bitext intent",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return parser


def _routers(settings: Any, skip_rasa: bool, results: dict[str, Any]) -> list[Any]:
    routers: list[Any] = [SwitchboardRouter(bench_settings(settings)), TfidfRouter()]
    if not skip_rasa:
        from bench.systems.rasa_peer import RasaUnavailable

        try:
            routers.append(RasaRouter())
        except RasaUnavailable as exc:
            print(f"Skipping Rasa: {exc}", file=sys.stderr)
            results["rasa_skipped"] = str(exc)
    results["systems"] = {router.name: router.settings for router in routers}
    return routers


def _run_set(
    set_name: str,
    folder: Path,
    intents_dir: Path,
    sizes: data.Sizes,
    routers: list[Any],
    results: dict[str, Any],
    out: Path,
) -> None:
    intent_set = data.intent_set(set_name, folder, intents_dir)
    groups = data.traffic(folder, set_name, sizes)
    language = data.set_language(set_name)
    scores: dict[tuple[str, str], dict[str, list[float]]] = {}
    for router in routers:
        _log(f"{set_name}: training {router.name} on {len(intent_set.intents)} intents")
        try:
            seconds = router.fit(intent_set, language)
        except Exception as exc:  # one failing peer must not lose the others' results
            if isinstance(router, SwitchboardRouter):
                raise
            logger.exception("%s failed to train on %s", router.name, set_name)
            results.setdefault("errors", []).append(f"{set_name} {router.name}: {exc!r}")
            continue
        _log(f"{set_name}: {router.name} trained in {seconds:.1f} s")
        if isinstance(router, SwitchboardRouter) and results["triage_cost"] is None:
            results["triage_cost"] = _time_triage(router, sizes)
            _save(results, out)
        progress = tqdm(groups, desc=f"{set_name} {router.name}", unit="group", file=sys.stderr)
        for group in progress:
            progress.set_postfix_str(f"{group.language} {group.name} ({len(group.texts)})")
            where = {
                "set": set_name,
                "language": group.language,
                "group": group.name,
                "source": group.source,
                "system": router.name,
            }
            try:
                outcomes = router.route(group.texts)
            except Exception as exc:  # e.g. the Rasa server died: keep the other groups
                logger.exception("%s failed on %s %s", router.name, set_name, group.name)
                results["rows"].append({**where, "n": len(group.texts), "error": repr(exc)})
                continue
            row = group_row(outcomes, group.texts, group.intents, group.name)
            row["pass"] = meets_target(group.name, row)
            results["rows"].append({**where, **row})
            if group.name == "faq" or group.name in OOS_GROUPS:
                side = "in" if group.name == "faq" else "out"
                bucket = scores.setdefault((group.language, router.name), {"in": [], "out": []})
                bucket[side] += [o.confidence for o in outcomes]
            _save(results, out)
    for (lang, system), bucket in scores.items():
        results["auroc"].append(
            {
                "set": set_name,
                "language": lang,
                "system": system,
                "in_scope": len(bucket["in"]),
                "out_of_scope": len(bucket["out"]),
                "auroc": oos_auroc(bucket["in"], bucket["out"]),
            }
        )
    _save(results, out)


def _time_triage(router: SwitchboardRouter, sizes: data.Sizes) -> dict[str, Any]:
    """Half Chinese, half English distinct hold-out messages, never seen by this encoder."""
    count = TIMED_MESSAGES if sizes.holdout is None else 40
    texts = []
    for language in ("zh", "en"):
        pool = list(
            dict.fromkeys(t for g in data.holdout_groups(language, data.Sizes()) for t in g.texts)
        )
        texts += random.Random(data.SEED).sample(pool, count // 2)
    _log(f"timing the triage on {len(texts)} messages")
    return triage_cost(*router.time_triage(texts))


def cpu_model() -> str:
    try:
        done = subprocess.run(
            ["grep", "-m1", "model name", "/proc/cpuinfo"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return done.stdout.split(":", 1)[-1].strip() or "unknown"


def _log(message: str) -> None:
    tqdm.write(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr)


def _reserve(folder: Path, stamp: str) -> Path:
    """``routing-<stamp>.json`` (or ``-2``...), created here so that two runs started in the
    same second do not overwrite each other."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 100):
        path = folder / (f"routing-{stamp}.json" if n == 1 else f"routing-{stamp}-{n}.json")
        try:
            path.open("x").close()
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"too many runs named routing-{stamp} in {folder}")


def _save(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
