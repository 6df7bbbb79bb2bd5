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
    worker_cpu_ms: dict[int, float] = field(default_factory=dict)  # workers' CPU per message
    classifier_near: dict[int, float] = field(default_factory=dict)  # predict/s just before
    half_rate: dict[int, float] = field(default_factory=dict)
    latency: dict[int, Run] = field(default_factory=dict)
    rasa: float | None = None
    rasa_note: str = ""
    minutes: float = 0.0
    texts: int = 0
    load: list[float] = field(default_factory=list)  # 1-min load average, before and after

    def details(self) -> str:
        return "\n".join([*self._details(), _load_line(self.load)])

    def _details(self) -> list[str]:
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
        return lines


def _load_line(load: list[float]) -> str:
    if len(load) < 2:
        return ""
    return (
        f"Load average (1 min): {load[0]:.1f} before the run (other work on the machine), "
        f"{load[1]:.1f} at its end."
    )


def _rounds(accept: Accept) -> str:
    return " / ".join(f"{rate:.0f}" for rate in accept.rates) or "-"


def rows(r: Results) -> list[Row]:
    api, bare = _best(r.api), _best(r.bare)
    predict = r.classifier.predict_per_s if r.classifier else None
    triage = r.classifier.with_triage_per_s if r.classifier else None
    model_ms = r.classifier.cpu_ms if r.classifier else None
    cpu_note = ""
    if r.api.cpu_us and r.bare.cpu_us:
        cpu_note = (
            f"; server CPU {r.api.cpu_us:.0f} µs/msg vs {r.bare.cpu_us:.0f} "
            f"({r.bare.cpu_us / r.api.cpu_us:.2f}x)"
        )
    table = [
        Row(
            "API accept, POST /webchat/messages",
            api,
            "msg/s",
            _peer("bare FastAPI + redis-py, one XADD", bare, "/s"),
            ratio(api, bare),
            "target >= 0.8x" + cpu_note,
        ),
        Row(
            "classifier alone (predict, 1 thread, in-process)",
            predict,
            "msg/s",
            _peer("Rasa 3.6 DIET /model/parse", r.rasa, "/s") if r.rasa else r.rasa_note,
            ratio(predict, r.rasa),
            "target >= 3x Rasa"
            + (f"; with triage (predict + assess) {triage:.1f}/s" if triage else "")
            + (f", CPU {model_ms:.1f} ms/msg" if model_ms else ""),
        ),
    ]
    one = r.saturation.get(1)
    for workers, run in sorted(r.saturation.items()):
        near = r.classifier_near.get(workers, predict)
        if workers == 1:
            against = near
            peer = _peer("classifier alone, just before", near, "/s")
            note = "target >= 0.8x"
        else:
            against = workers * one.rate if one and one.rate else None
            peer = _peer(f"{workers} x end to end with 1 worker", against, "/s")
            note = "target >= 0.8x (linear)"
            if near:
                note += f"; {ratio(run.rate, workers * near) or 0:.2f}x of {workers} x classifier"
        if workers in r.worker_cpu_ms:
            cpu = r.worker_cpu_ms[workers]
            note += f"; worker CPU {cpu:.1f} ms/msg"
            if model_ms:
                note += f" ({model_ms / cpu:.2f}x of the model work's {model_ms:.1f})"
        what = f"end to end, {workers} worker{'s' if workers > 1 else ''}"
        table.append(Row(what, run.rate, "msg/s", peer, ratio(run.rate, against), note))
    for workers, run in sorted(r.latency.items()):
        what = (
            f"POST -> reply p95, {workers} worker{'s' if workers > 1 else ''}, "
            f"at {r.half_rate[workers]:.1f} msg/s (half saturation)"
        )
        note = f"p50 {run.p50:.1f} ms; target p95 <= 50 ms" if run.p50 is not None else ""
        table.append(Row(what, run.p95, "ms", note=note))
    return table


def _best(accept: Accept) -> float | None:
    return accept.best if accept.rates else None


def _peer(name: str, value: float | None, unit: str) -> str:
    if value is None:
        return f"{name}: not measured"
    return f"{name}: {value:,.1f}{unit}" if value < 100 else f"{name}: {value:,.0f}{unit}"
