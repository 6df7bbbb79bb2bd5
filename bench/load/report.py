"""What a load run measured, and the table rows and notes it prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.load.e2e import Run
from bench.load.peers import ClassifierSpeed
from bench.load.phases import Accept
from bench.load.stats import ratio
from bench.load.table import Row


@dataclass
class Results:
    cpu: str
    stack: tuple[str, str]  # (HTTP parser, event loop) the servers ran on
    classifier: ClassifierSpeed | None = None
    api: Accept = field(default_factory=Accept)
    bare: Accept = field(default_factory=Accept)
    saturation: dict[int, Run] = field(default_factory=dict)  # workers -> run
    half_rate: dict[int, float] = field(default_factory=dict)
    latency: dict[int, Run] = field(default_factory=dict)
    rasa: float | None = None
    rasa_note: str = ""
    minutes: float = 0.0
    texts: int = 0

    def details(self) -> str:
        lines = [
            f"Servers: uvicorn on {self.stack[0]} + {self.stack[1]}, one process each; "
            f"{self.texts:,} distinct texts; {self.minutes:.1f} min in all.",
            f"Accept rounds (2xx/s): Switchboard {_rounds(self.api)}, bare {_rounds(self.bare)}; "
            f"answers: Switchboard {self.api.tally.statuses}, bare {self.bare.tally.statuses}.",
        ]
        for workers, run in sorted(self.saturation.items()):
            lines.append(
                f"{workers} worker(s), saturated: {run.replied}/{run.sent} replied in "
                f"{run.seconds:.1f} s; answers {run.tally.statuses}."
            )
        for workers, run in sorted(self.latency.items()):
            lines.append(
                f"{workers} worker(s) at {self.half_rate[workers]:.1f}/s: {run.replied}/"
                f"{run.sent} replied; max {max(run.latencies_ms, default=0):.0f} ms."
            )
        return "\n".join(lines)


def _rounds(accept: Accept) -> str:
    return " / ".join(f"{rate:.0f}" for rate in accept.rates) or "-"


def rows(r: Results) -> list[Row]:
    api, bare = _best(r.api), _best(r.bare)
    predict = r.classifier.predict_per_s if r.classifier else None
    triage = r.classifier.with_triage_per_s if r.classifier else None
    table = [
        Row(
            "API accept, POST /webchat/messages",
            api,
            "msg/s",
            _peer("bare FastAPI + redis-py, one XADD", bare, "/s"),
            ratio(api, bare),
            "target >= 0.8x",
        ),
        Row(
            "classifier alone (predict, 1 thread, in-process)",
            predict,
            "msg/s",
            _peer("Rasa 3.6 DIET /model/parse", r.rasa, "/s") if r.rasa else r.rasa_note,
            ratio(predict, r.rasa),
            "target >= 3x Rasa"
            + (f"; with triage (predict + assess) {triage:.1f}/s" if triage else ""),
        ),
    ]
    one = r.saturation.get(1)
    for workers, run in sorted(r.saturation.items()):
        value = run.rate
        if workers == 1:
            peer, against, note = (
                _peer("classifier alone", predict, "/s"),
                predict,
                "target >= 0.8x",
            )
        else:
            linear = workers * one.rate if one and one.rate else None
            peer = _peer(f"{workers} x end to end with 1 worker", linear, "/s")
            against = linear
            note = "target >= 0.8x (linear)"
            if predict:
                note += f"; {ratio(value, workers * predict) or 0:.2f}x of {workers} x classifier"
        table.append(
            Row(
                f"end to end, {workers} worker(s)",
                value,
                "msg/s",
                peer,
                ratio(value, against),
                note,
            )
        )
    for workers, run in sorted(r.latency.items()):
        table.append(
            Row(
                f"POST -> reply p95, {workers} worker(s), at {r.half_rate[workers]:.1f} msg/s "
                "(half saturation)",
                run.p95,
                "ms",
                note=f"p50 {run.p50:.1f} ms; target p95 <= 50 ms" if run.p50 is not None else "",
            )
        )
    return table


def _best(accept: Accept) -> float | None:
    return accept.best if accept.rates else None


def _peer(name: str, value: float | None, unit: str) -> str:
    if value is None:
        return f"{name}: not measured"
    return f"{name}: {value:,.1f}{unit}" if value < 100 else f"{name}: {value:,.0f}{unit}"
