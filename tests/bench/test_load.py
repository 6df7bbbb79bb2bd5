"""The load benchmark's own parts: its arithmetic, its texts, its table, its client."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis.asyncio as aioredis

from bench.load import e2e, phases
from bench.load.client import closed_loop, paced
from bench.load.peers import ClassifierSpeed
from bench.load.phases import Accept
from bench.load.report import Results, rows
from bench.load.stats import percentile, ratio, steady_rate
from bench.load.table import Row, cpu_name, format_table
from bench.load.texts import TextSupply, distinct_texts, load_sources
from bot import keys
from tests.live_server import serve_asgi


@pytest.mark.parametrize("q", [0, 5, 50, 95, 99, 100])
@pytest.mark.parametrize("values", [[3.0], [5.0, 1.0], [0.5, 9.0, 2.0, 2.0, 7.5, 1.0, 30.0]])
def test_percentile_matches_numpy(values: list[float], q: float) -> None:
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_refuses_nothing_and_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_steady_rate_ignores_the_ramp_and_the_drain() -> None:
    # 10 events/s in the middle, a slow start and a slow end around it.
    times = [0.0, 2.0, 4.0] + [5 + i / 10 for i in range(100)] + [20.0, 30.0, 40.0]
    assert steady_rate(times) == pytest.approx(10.0, rel=0.05)
    with pytest.raises(ValueError):
        steady_rate([1.0])
    with pytest.raises(ValueError):
        steady_rate([1.0, 1.0, 1.0])


def test_ratio_is_none_without_both_sides() -> None:
    assert ratio(3.0, 4.0) == 0.75
    assert ratio(None, 4.0) is None
    assert ratio(3.0, None) is None
    assert ratio(3.0, 0.0) is None


def test_no_text_repeats_even_past_the_sources() -> None:
    sources = [["a", "b", "b ", "c"], ["一", "二"], []]
    texts = distinct_texts(sources)
    taken = [next(texts) for _ in range(5 + 5 * 4)]  # every single, then every pair
    assert len(set(taken)) == len(taken)
    assert set(taken[:5]) == {"a", "b", "c", "一", "二"}  # "b " is "b" again
    assert all(" " in text for text in taken[5:])
    with pytest.raises(ValueError):
        next(texts)  # every pair is spent: it says so instead of repeating


def test_sources_take_turns() -> None:
    texts = list(itertools.islice(distinct_texts([["e1", "e2", "e3"], ["z1"]]), 4))
    assert {texts[0], texts[1]} in ({"e1", "z1"}, {"e2", "z1"}, {"e3", "z1"})
    assert texts[1].startswith("z")


def test_supply_slices_share_no_text() -> None:
    supply = TextSupply([[f"t{i}" for i in range(50)]])
    first, second = supply.take(30), supply.take(200)
    assert not set(first) & set(second)
    assert supply.handed_out == 230


def test_sources_come_from_the_data_folder_or_the_holdout(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "smp2019").mkdir(parents=True)
    (data / "smp2019" / "train.json").write_text(
        json.dumps([{"text": "打开uc"}, {"text": "明天天气"}]), encoding="utf-8"
    )
    (data / "zh_reviews").mkdir()
    review = "很好" * 100
    (data / "zh_reviews" / "online_shopping_10_cats.csv").write_text(
        f"cat,label,review\n书籍,1,\ufeff{review}\n", encoding="utf-8"
    )
    assert load_sources(data, tmp_path) == [[review[:80]], ["打开uc", "明天天气"]]
    holdout = tmp_path / "holdout" / "en"
    holdout.mkdir(parents=True)
    (holdout / "faq.tsv").write_text("return_policy\tcan I send it back?\n", encoding="utf-8")
    (holdout / "complaint.txt").write_text("I want to complain\n", encoding="utf-8")
    assert load_sources(tmp_path / "none", tmp_path / "holdout") == [
        ["I want to complain", "can I send it back?"]
    ]


def test_the_table_names_the_cpu_and_prints_ratios() -> None:
    table = format_table(
        [
            Row("accept", 666.4, "msg/s", "bare: 1,483/s", 0.4494, "target >= 0.8x"),
            Row("p95", 66.25, "ms", note="p50 29 ms"),
            Row("rasa", None, "msg/s", "skipped"),
        ],
        "AMD EPYC (2 logical CPUs)",
    )
    lines = table.splitlines()
    assert lines[0] == "CPU: AMD EPYC (2 logical CPUs)"
    assert lines[2].startswith("| measurement | value | peer (same run) | ratio |")
    assert "| accept | 666 msg/s | bare: 1,483/s | 0.45x | target >= 0.8x |" in lines
    assert "| p95 | 66.2 ms |  |  | p50 29 ms |" in lines
    assert "| rasa | - | skipped |  |  |" in lines


def test_cpu_name_reads_proc_cpuinfo() -> None:
    info = "processor\t: 0\nmodel name\t: AMD EPYC\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n"
    assert cpu_name(info) == "AMD EPYC (2 logical CPUs)"
    assert cpu_name("") == "unknown CPU"


async def _echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 202 with the posted body, or 500 when the text is "fail"."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    status = 500 if json.loads(body)["text"] == "fail" else 202
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


def test_the_client_counts_answers_on_a_real_server() -> None:
    sent: list[tuple[int, float]] = []
    with serve_asgi(_echo_app) as base:
        rate, tally = asyncio.run(
            closed_loop(base, "/", lambda: {"text": "hi"}, connections=2, seconds=0.5, warmup=0.1)
        )
        assert rate > 10 and tally.statuses == {202: tally.ok}
        payloads = [{"text": "ok"}, {"text": "fail"}, {"text": "ok"}]
        tally = asyncio.run(
            paced(
                base,
                "/",
                payloads,
                [0.0, 0.05, 0.1],
                connections=2,
                on_sent=lambda i, t: sent.append((i, t)),
            )
        )
    assert tally.statuses == {202: 2, 500: 1}
    assert [i for i, _ in sent] == [0, 1, 2]
    assert sent[2][1] - sent[0][1] == pytest.approx(0.1, abs=0.01)


async def test_replies_are_timed_from_the_events_channel(redis_url: str) -> None:
    async with e2e.Replies(redis_url) as replies:
        client = aioredis.Redis.from_url(redis_url)
        for role, conversation in [("customer", "c1"), ("bot", "c2"), ("agent", "c3")]:
            event = {"type": "entry", "conversation": conversation, "entry": {"role": role}}
            await client.publish(keys.EVENTS_CHANNEL, json.dumps(event))
        await replies.wait_for(["c2", "c3"], patience=5)
        await replies.wait_for(["c1"], patience=0.2)  # a customer's own message is no reply
        await client.aclose()
    assert set(replies.times) == {"c2", "c3"}


def test_the_rows_compare_each_figure_with_its_peer() -> None:
    results = Results(cpu="AMD EPYC", stack=("httptools", "uvloop"))
    results.api = Accept(rates=[700.0, 800.0], cpu_seconds=1.0)
    results.api.tally.ok_all_along = 2000
    results.bare = Accept(rates=[1000.0, 900.0], cpu_seconds=0.5)
    results.bare.tally.ok_all_along = 2000
    results.classifier = ClassifierSpeed(
        messages=100, predict_per_s=100.0, cpu_ms=10.5, with_triage_per_s=95.0
    )
    results.saturation = {
        1: e2e.Run(sent=10, replied=10, seconds=1.0, rate=50.0),
        2: e2e.Run(sent=10, replied=10, seconds=1.0, rate=90.0),
    }
    results.worker_cpu_ms = {1: 21.0, 2: 21.0}
    results.classifier_near = {1: 62.5}
    results.half_rate = {1: 25.0}
    results.latency = {1: e2e.Run(10, 10, 1.0, None, latencies_ms=[10.0] * 19 + [100.0])}
    results.rasa_note = "skipped"
    table = {row.what: row for row in rows(results)}
    accept = table["API accept, POST /webchat/messages"]
    assert (accept.value, accept.ratio) == (800.0, 0.8)  # the best round of each
    assert "server CPU 500 µs/msg vs 250 (0.50x)" in accept.note
    assert table["classifier alone (predict, 1 thread, in-process)"].peer == "skipped"
    one, two = table["end to end, 1 worker"], table["end to end, 2 workers"]
    # One worker against the classifier measured just before it; two against twice one.
    assert (one.peer, one.ratio, two.ratio) == ("classifier alone, just before: 62.5/s", 0.8, 0.9)
    assert "0.45x of 2 x classifier" in two.note  # no measurement just before: the first one
    assert "worker CPU 21.0 ms/msg (0.50x of the model work's 10.5)" in one.note
    [latency] = [row for what, row in table.items() if what.startswith("POST -> reply p95")]
    assert latency.value == pytest.approx(14.5) and "p50 10.0 ms" in latency.note
    assert "at 25.0 msg/s" in latency.what


async def test_the_accept_rounds_backlog_is_dropped_and_the_group_kept(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    await client.delete(keys.INBOX_STREAM)
    await client.xgroup_create(keys.INBOX_STREAM, keys.INBOX_GROUP, id="0", mkstream=True)
    for n in range(500):
        await client.xadd(keys.INBOX_STREAM, {"msg": n})
    await phases.forget_backlog(redis_url, keys.INBOX_STREAM)
    assert await client.xlen(keys.INBOX_STREAM) == 0
    assert await client.xreadgroup(keys.INBOX_GROUP, "w", {keys.INBOX_STREAM: ">"}) == []
    await client.aclose()
