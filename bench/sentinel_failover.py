"""The spine through Sentinel failovers: ``python -m bench.sentinel_failover``.

Each round starts a fresh Sentinel group (a master, a replica, three sentinels with quorum 2, all
real redis-server processes), runs the app on its Sentinel URL (API, worker, delivery in one
process), has customers post to the web chat, and kills the master with SIGKILL a third of the
way in. Prints per round: messages posted, lost, answered twice, POSTs that failed, and the times
from the kill to the sentinels naming the new master, to a message posted after the kill being
accepted, and to its reply; the slowest POST. See docs/deploy.md, "Redis Sentinel".
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
from pathlib import Path

from bench.chaos import cpu_model
from tests.sentinel_group import FAILOVER_TIMEOUT_MS, running_group
from tests.sentinel_spine import ROOT, SpineReport, run_through_failover, spine_settings


def _row(name: str, report: SpineReport) -> tuple[str, ...]:
    failed = sum(count for status, count in report.statuses.items() if status != 202)
    return (
        name,
        str(report.posted),
        str(len(report.lost)),
        str(len(report.duplicated) + len(report.unexpected)),
        str(failed),
        f"{report.promoted_after:.2f}",
        f"{report.accepting_after:.2f}",
        f"{report.first_reply_after:.2f}",
        f"{report.longest_post:.2f}",
    )


def table(reports: list[SpineReport], down_after_ms: int, conversations: int, each: int) -> str:
    header = (
        "round",
        "posted",
        "lost",
        "twice",
        "failed POSTs",
        "promoted (s)",
        "accepting (s)",
        "first reply (s)",
        "slowest POST (s)",
    )
    rows = [header] + [_row(str(n + 1), report) for n, report in enumerate(reports)]
    medians = [
        statistics.median(getattr(r, name) for r in reports if not math.isnan(getattr(r, name)))
        for name in ("promoted_after", "accepting_after", "first_reply_after", "longest_post")
    ]
    rows.append(("median", "", "", "", "", *(f"{value:.2f}" for value in medians)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines += [
        "",
        f"{conversations} conversations x {each} messages per round; the master is killed "
        "(SIGKILL) after a third; times from the kill",
        f"sentinels: quorum 2 of 3, down-after-milliseconds {down_after_ms}, failover-timeout "
        f"{FAILOVER_TIMEOUT_MS}; one replica",
        f"CPU: {cpu_model()}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sentinel_failover", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--messages", type=int, default=10, help="per conversation")
    parser.add_argument("--down-after-ms", type=int, default=1000)
    args = parser.parse_args(argv)

    from bot.brain_factory import build_brain
    from switchboard.settings import Settings
    from tests.conftest import CACHE_DIR

    brain = build_brain(
        Settings(data_dir=CACHE_DIR, understanding={"intents_dir": ROOT / "intents"})
    )
    reports = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            with running_group(workdir / "redis", args.down_after_ms) as group:
                reports.append(
                    run_through_failover(
                        group,
                        spine_settings(group, workdir / "data"),
                        brain,
                        conversations=args.conversations,
                        per_conversation=args.messages,
                    )
                )
    print(table(reports, args.down_after_ms, args.conversations, args.messages))
    return 0 if all(not r.lost and not r.duplicated and not r.unexpected for r in reports) else 1


if __name__ == "__main__":
    raise SystemExit(main())
