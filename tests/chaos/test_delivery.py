"""Nothing lost, nothing twice, nothing out of order: real processes under real faults.

Two ``switchboard worker`` processes and the API process against a real redis-server with an
append-only file; 30 conversations x 4 messages on each platform path (web chat, Telegram,
WeChat official account), every 10th message delivered three times; one worker is killed with
SIGKILL a third of the way through, and Redis is shut down and restarted on the same data
two thirds of the way through. ``python -m bench.chaos`` runs the same at full scale.
"""

from __future__ import annotations

import asyncio

from tests.chaos.cluster import running_cluster
from tests.chaos.traffic import Plan, run_chaos


def test_every_reply_once_in_order_and_in_the_transcript_despite_kill_and_restart() -> None:
    plan = Plan(conversations=30, messages=4)
    with running_cluster(workers=2) as cluster:
        report = asyncio.run(run_chaos(cluster, plan, workers=["worker-1", "worker-2"]))
        logs = {name: cluster.log_tail(name, 15) for name in cluster.processes}
        exits = cluster.stop()  # SIGTERM: a graceful stop
    # uvicorn re-raises SIGTERM once it has shut down gracefully: -15 is its clean exit.
    assert exits["worker-2"] == 0 and exits["api"] in (0, -15), (exits, logs)
    assert len([f for f in report.faults if not f.startswith("deadline")]) == 2, report.faults
    for result in report.results:
        summary = f"{result} faults={report.faults} logs={logs}"
        assert result.lost == 0, summary
        # Only a call under way when the worker was killed can be in doubt (it is usually
        # received; if not, the transcript says it may not have been): a couple at most.
        assert result.in_doubt <= 2, summary
        assert result.duplicated == 0, summary
        assert result.out_of_order == 0, summary
        assert result.missing_from_transcript == 0, summary
        assert result.unexpected == 0, summary
