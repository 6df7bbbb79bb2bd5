"""``switchboard doctor``: this machine's CPU, the encoder backend it runs, and why.

Shows the record the backend choice keeps beside the model (``backend_choice``): every backend's
milliseconds per message and its drift from torch's vectors on this CPU. It measures when there
is no current record (a new machine, a new CPU) or when asked to (``--remeasure``). In Chinese
when the locale is Chinese (or ``--lang zh``), in English otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from typing import Any

from switchboard.settings import Settings

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "measuring": "Measuring the encoder backends on this CPU (once, about a minute)...",
        "cpu": "CPU",
        "cores": "cores",
        "runs": "Encoder",
        "forced": "set in config.yml; auto would pick {auto}",
        "auto": "fastest within tolerance, measured {when}, load average {load}",
        "record": "Record",
        "backend": "backend",
        "threads": "threads",
        "p50": "ms/message p50",
        "mean": "mean",
        "cosine": "min cosine to torch",
        "chosen": "<- runs",
        "reference": "reference",
        "drift": "drifts beyond {tolerance}",
        "budget": "over the threads budget",
        "stopped": "stopped after {n} texts: too slow to win",
        "failed": "unavailable: {error}",
        "none": "switchboard doctor: the backends could not be measured (see the log above)",
        "sep": "; ",
        "footer": "Distinct texts, one message per call. "
        "Measure again: switchboard doctor --remeasure",
    },
    "zh": {
        "measuring": "正在本机 CPU 上测量各编码器后端（仅一次，约一分钟）……",
        "cpu": "CPU",
        "cores": "核",
        "runs": "编码器",
        "forced": "由 config.yml 指定；auto 会选 {auto}",
        "auto": "容差内最快，测量于 {when}，负载 {load}",
        "record": "记录",
        "backend": "后端",
        "threads": "线程",
        "p50": "每条毫秒 p50",
        "mean": "平均",
        "cosine": "与 torch 最小余弦",
        "chosen": "<- 使用中",
        "reference": "基准",
        "drift": "偏差超出 {tolerance}",
        "budget": "超出线程预算",
        "stopped": "{n} 条后停止：太慢，不可能胜出",
        "failed": "不可用：{error}",
        "none": "switchboard doctor：无法测量各后端（见上方日志）",
        "sep": "；",
        "footer": "互不相同的文本，每次调用一条消息。重新测量：switchboard doctor --remeasure",
    },
}


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    doctor = commands.add_parser(
        "doctor", help="this CPU, the encoder backend it runs and each backend's speed"
    )
    doctor.add_argument("--remeasure", action="store_true", help="measure the backends again")
    doctor.add_argument("--json", action="store_true", help="print the record as JSON")
    doctor.add_argument("--lang", choices=["en", "zh"], help="output language (default: locale)")
    doctor.set_defaults(handler=run)


def language(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.understanding.backend_choice import current_record, record_path, resolve

    understanding = settings.understanding
    models_dir = settings.data_dir / "models"
    text = TEXT[language(args.lang)]
    if args.remeasure or not current_record(
        understanding.model, models_dir, max_threads=understanding.threads
    ):
        print(text["measuring"], file=sys.stderr, flush=True)
    choice = resolve(
        understanding.model,
        models_dir,
        max_threads=understanding.threads,
        remeasure=args.remeasure,
    )
    if choice.record is None:
        print(text["none"], file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(choice.record, indent=2, ensure_ascii=False))
        return 0
    forced = understanding.backend != "auto"
    runs = (understanding.backend, understanding.threads) if forced else None
    path = record_path(understanding.model, models_dir)
    print(report(choice.record, text, understanding.threads, runs, str(path)))
    return 0


def report(
    record: dict[str, Any],
    text: dict[str, str],
    budget: int,
    forced: tuple[str, int] | None,
    path: str,
) -> str:
    """The record as a person reads it: the CPU, what runs, one line per backend."""
    from bot.understanding.backend_choice import Measurement, choose

    cpu = record["cpu"]
    tolerance = float(record["tolerance"])
    measurements = [Measurement.from_dict(m) for m in record["measurements"]]
    auto = choose(measurements, max_threads=budget, tolerance=tolerance)
    running = forced or (auto.backend, auto.threads)
    how = (
        text["forced"].format(auto=auto.backend)
        if forced
        else text["auto"].format(
            when=record.get("measured_at", "?"),
            load=", ".join(str(x) for x in record.get("load_average", [])),
        )
    )
    label = max(_width(text[k]) for k in ("cpu", "runs", "record")) + 2
    lines = [
        _pad(f"{text['cpu']}:", label)
        + f"{cpu['name']} ({cpu['cpus']} {text['cores']}; {' '.join(cpu['notable_flags']) or '-'})",
        _pad(f"{text['runs']}:", label) + f"{running[0]} x{running[1]} ({how})",
        _pad(f"{text['record']}:", label) + path,
        "",
        _pad(text["backend"], 11)
        + "".join(
            _pad(text[key], width, right=True)
            for key, width in (("threads", 8), ("p50", 18), ("mean", 10), ("cosine", 22))
        ),
    ]
    for m in measurements:
        notes = _notes(m, text, tolerance, budget, running)
        figures = (
            ("-", "-", "-")
            if m.error
            else (f"{m.ms_p50 or 0:.2f}", f"{m.ms_mean or 0:.2f}", f"{m.min_cosine or 0:.4f}")
        )
        lines.append(
            (
                f"{m.backend:<11}{m.threads:>8}{figures[0]:>18}{figures[1]:>10}{figures[2]:>22}"
                f"  {notes}"
            ).rstrip()
        )
    lines += ["", text["footer"]]
    return "\n".join(lines)


def _notes(
    m: Any, text: dict[str, str], tolerance: float, budget: int, running: tuple[str, int]
) -> str:
    from bot.understanding.backend_texts import TEXTS

    if m.error:
        return text["failed"].format(error=m.error.splitlines()[0][:80])
    notes = []
    if m.backend == running[0] and (m.threads == running[1] or m.backend != "torch"):
        notes.append(text["chosen"])
    if (m.backend, m.threads) == ("torch", 1):
        notes.append(text["reference"])
    if (m.min_cosine or 0.0) < tolerance:
        notes.append(text["drift"].format(tolerance=tolerance))
    if m.threads > budget:
        notes.append(text["budget"])
    if m.texts and m.texts < len(TEXTS):
        notes.append(text["stopped"].format(n=m.texts))
    return text["sep"].join(notes)


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space
