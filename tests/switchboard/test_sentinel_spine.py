"""The whole spine on a Sentinel group through a master killed with SIGKILL: messages posted to
the web chat before, during and after the failover are all answered, once each, and no POST
fails (those sent while no master is named are held until the new one takes them)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.brain import Brain
from tests.sentinel_group import SentinelGroup, binaries, running_group
from tests.sentinel_spine import run_through_failover, spine_settings

pytestmark = pytest.mark.skipif(
    binaries() is None, reason="redis-server is not installed (scripts/dev.sh installs it)"
)


@pytest.fixture
def group(tmp_path: Path) -> Iterator[SentinelGroup]:
    with running_group(tmp_path / "redis") as running:
        yield running


def test_every_message_is_answered_once_through_a_failover(
    group: SentinelGroup, brain: Brain, tmp_path: Path
) -> None:
    report = run_through_failover(group, spine_settings(group, tmp_path / "data"), brain)

    assert report.posted == 24
    assert dict(report.statuses) == {202: 24}  # no POST failed, during the failover either
    assert report.lost == []
    assert report.duplicated == []
    assert report.unexpected == []
    assert report.answered == 24
    assert report.promoted_after < 30
    # Messages posted after the kill were accepted and answered on the new master.
    assert 0 < report.accepting_after < 30
    assert not math.isnan(report.first_reply_after)
