"""Delivery under faults at full scale: ``python -m bench.chaos``.

1,000 messages from 200 conversations on each platform path (web chat, Telegram, WeChat), every
10th delivered three times by the platform, 2 worker processes and the API process on a real
redis-server with an append-only file; one worker is killed with SIGKILL and Redis is shut down
and restarted on the same data mid-run. Prints, per path: replies lost, duplicated,
conversations out of order, replies the customer got that the transcript lacks, replies in
doubt (recorded as such), and the wall time and CPU. The test suite runs the same at small
scale (tests/chaos/test_delivery.py). See docs/delivery.md.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import signal
from pathlib import Path

from tests.chaos.cluster import running_cluster
from tests.chaos.traffic import Plan, RunReport, run_chaos


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table(report: RunReport, plan: Plan, workers: int) -> str:
    header = (
        "path",
        "expected",
        "received",
        "lost",
        "duplicated",
        "out of order",
        "missing in transcript",
        "in doubt",
        "of which lost",
    )
    rows = [header] + [
        (
            r.path,
            str(r.expected),
            str(r.received),
            str(r.lost),
            str(r.duplicated),
            f"{r.out_of_order}/{plan.conversations}",
            str(r.missing_from_transcript),
            str(r.in_doubt),
            str(r.lost_in_doubt),
        )
        for r in report.results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines += [
        "",
        f"{plan.conversations} conversations x {plan.messages} messages per path, "
        f"every {plan.repeat_every}th delivered {plan.copies} times, {workers} workers",
        *(f"fault: {fault}" for fault in report.faults),
        *(f"set aside: {dead}" for dead in report.dead_letters),
        f"wall time: {report.wall_seconds:.1f} s",
        f"CPU: {cpu_model()}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5, help="per conversation (at most 5)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--deadline",
        type=float,
        default=900,
        help="give up waiting for the last replies after this many seconds",
    )
    parser.add_argument("--keep", type=Path, help="keep Redis data and process logs here")
    args = parser.parse_args(argv)
    # SIGTERM as Ctrl+C: the processes of the run are stopped on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    plan = Plan(
        conversations=args.conversations, messages=args.messages, deadline_seconds=args.deadline
    )
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with running_cluster(workers=args.workers, workdir=args.keep) as cluster:
        names = [f"worker-{i + 1}" for i in range(args.workers)]
        report = asyncio.run(run_chaos(cluster, plan, workers=names))
    print(table(report, plan, args.workers))
    clean = all(
        r.lost == r.duplicated == r.out_of_order == r.missing_from_transcript == 0
        for r in report.results
    )
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
