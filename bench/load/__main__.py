"""``python -m bench.load [--quick]``: API accept/s, end-to-end messages/s with 1 and 2
workers, POST -> reply latency at half saturation, each beside its peer from the same run."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

import uvloop

from bench.load import e2e, peers, phases
from bench.load.processes import ROOT, Processes
from bench.load.report import Results, rows
from bench.load.table import cpu_name, format_table
from bench.load.texts import TextSupply, load_sources
from bot.brain import Brain
from switchboard import http_server
from switchboard.settings import load_settings

logger = logging.getLogger("bench.load")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (about 2 minutes)")
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data", help="public data folder"
    )
    parser.add_argument("--skip-rasa", action="store_true", help="no Rasa /model/parse peer")
    parser.add_argument(
        "--rasa-epochs",
        type=int,
        default=10,
        help="DIET epochs for the Rasa peer (parse speed does not depend on them)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per Rasa request
    plan = phases.Plan.quick() if args.quick else phases.Plan()
    supply = TextSupply(load_sources(args.data, ROOT / "bench" / "data" / "holdout"))
    results = Results(
        cpu=cpu_name(Path("/proc/cpuinfo").read_text()), stack=http_server.implementations()
    )
    started = time.monotonic()
    results.load.append(os.getloadavg()[0])
    workdir = Path(tempfile.mkdtemp(prefix="sb-load-"))
    processes = Processes(workdir)
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            _measure(runner, processes, supply, plan, results, args)
    finally:
        processes.close()
        if args.keep_logs:
            print(f"logs: {workdir}")
        else:  # the logs and Redis's append-only file: tens of MB a run
            shutil.rmtree(workdir, ignore_errors=True)
    results.minutes = (time.monotonic() - started) / 60
    results.load.append(os.getloadavg()[0])
    results.texts = supply.handed_out
    print()
    print(format_table(rows(results), results.cpu))
    print()
    print(results.details())
    out = ROOT / "bench" / "results" / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(asdict(results), indent=2, default=str), encoding="utf-8")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


def _measure(
    runner: asyncio.Runner,
    processes: Processes,
    supply: TextSupply,
    plan: phases.Plan,
    results: Results,
    args: argparse.Namespace,
) -> None:
    settings = load_settings()
    redis_url = processes.start_redis()
    logger.info("Starting the API, the bare app and loading the classifier here")
    api, bare = processes.start_api(), processes.start_bare()
    loaded: list[Brain] = []
    loading = threading.Thread(target=lambda: loaded.append(peers.build_brain(settings)))
    loading.start()
    processes.wait_http("bare", bare, "/docs")
    processes.wait_http("api", api, "/healthz")
    loading.join()
    if not loaded:
        raise RuntimeError("the classifier did not load here (see the error above)")

    logger.info("Classifier alone, in this process")
    texts = supply.take(phases.messages_for(300, plan.classifier_seconds, least=200))
    warm = supply.take(phases.WARMUP_MESSAGES)
    brain = loaded.pop()
    results.classifier = speed = peers.classifier_alone(brain, warm, texts, plan.classifier_seconds)

    logger.info("API accept/s beside the bare app, %d round(s)", plan.accept_rounds)
    ids = e2e.Conversations("a")
    for _ in range(plan.accept_rounds):
        for name, base, path, into in (
            ("bare", bare, "/messages", results.bare),
            ("api", api, e2e.PATH, results.api),
        ):
            cpu = processes.cpu_seconds(name)
            runner.run(phases.accept(base, path, supply, ids, plan, into))
            into.cpu_seconds += processes.cpu_seconds(name) - cpu
    processes.stop("bare")
    runner.run(phases.forget_backlog(redis_url, *phases.inbox_streams()))

    ids = e2e.Conversations("e")
    bound = speed.predict_per_s
    for workers in (1, 2):
        name = f"worker-{workers}"
        logger.info("End to end with %d worker(s)", workers)
        processes.start_worker(name)
        processes.wait_worker(name)
        runner.run(phases.warm_up(api, redis_url, supply, ids))
        # The classifier again, just before: the load other work puts on a shared machine
        # changes within minutes, and the ratio should compare like with like.
        results.classifier_near[workers] = peers.classifier_alone(
            brain, [], supply.take(200), plan.classifier_seconds / 2
        ).predict_per_s
        count = phases.messages_for(bound * workers, plan.saturation_seconds)
        batch = texts[:count] if workers == 1 else []
        batch += supply.take(count - len(batch))
        names = [f"worker-{n}" for n in range(1, workers + 1)]
        cpu = processes.cpu_seconds(*names)
        run = runner.run(
            phases.saturate(api, redis_url, batch, ids, bound * workers, results.api.best, plan)
        )
        results.saturation[workers] = run
        results.worker_cpu_ms[workers] = (processes.cpu_seconds(*names) - cpu) / run.replied * 1e3
        if run.rate:
            results.half_rate[workers], results.latency[workers] = runner.run(
                phases.at_half(api, redis_url, supply, ids, run.rate, plan)
            )
    del brain  # its memory is not needed any more
    for name in ("worker-1", "worker-2", "api"):
        processes.stop(name)

    if args.skip_rasa:
        results.rasa_note = "skipped (--skip-rasa)"
    elif not peers.rasa_available():
        results.rasa_note = "skipped: no bench/.rasa-venv (python -m bench.run builds it)"
    else:
        logger.info("Rasa 3.6 DIET /model/parse on the classifier's texts")
        try:
            sample = texts[: 100 if args.quick else 400]
            results.rasa, _ = peers.rasa_parse(
                settings.understanding.intents_dir, sample, args.rasa_epochs
            )
        except Exception as exc:  # a broken peer leaves the rest of the table standing
            results.rasa_note = f"failed: {exc}"


if __name__ == "__main__":
    raise SystemExit(main())
