"""The load benchmark's printed table: one row per measurement, its peer and their ratio."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    what: str
    value: float | None  # None: not measured (the note says why)
    unit: str
    peer: str = ""
    ratio: float | None = None
    note: str = ""


def _number(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def format_table(rows: list[Row], cpu: str) -> str:
    """A Markdown table (it goes into docs/benchmark.md as printed), with the CPU above it."""
    lines = [
        f"CPU: {cpu}",
        "",
        "| measurement | value | peer (same run) | ratio | note |",
        "|---|---:|---|---:|---|",
    ]
    for row in rows:
        value = "-" if row.value is None else f"{_number(row.value)} {row.unit}"
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        lines.append(f"| {row.what} | {value} | {row.peer} | {ratio} | {row.note} |")
    return "\n".join(lines)


def cpu_name(cpuinfo: str) -> str:
    """The ``model name`` line of /proc/cpuinfo, with the number of logical CPUs."""
    names = [
        line.split(":", 1)[1].strip()
        for line in cpuinfo.splitlines()
        if line.startswith("model name")
    ]
    if not names:
        return "unknown CPU"
    return f"{names[0]} ({len(names)} logical CPUs)"
