"""The benchmark's printed table and its bar chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLUMNS = (  # (key in a result row, header, format)
    ("accuracy", "acc", "pct"),
    ("in_scope_accuracy", "in-scope acc", "pct"),
    ("oos_recall", "OOS recall", "pct"),
    ("oos_precision", "OOS prec", "pct"),
    ("oos_auroc", "OOS AUROC", "num"),
    ("negativity_auroc", "neg AUROC", "num"),
    ("train_seconds", "train s", "sec"),
    ("messages_per_s", "msg/s", "int"),
)


def table(results: dict[str, Any]) -> str:
    rows = results["rows"]
    header = ["data set", "system", *(title for _, title, _ in COLUMNS)]
    lines = [
        [row["task"], row["system"], *(_cell(row, key, kind) for key, _, kind in COLUMNS)]
        for row in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    out = [fmt(header), fmt(["-" * w for w in widths]), *(fmt(line) for line in lines)]
    errors = [f"  {r['task']} / {r['system']}: {r['error']}" for r in rows if "error" in r]
    if errors:
        out += ["", "Failed:", *errors]
    if "speed" in results:
        out += ["", *_speed_lines(results["speed"])]
    return "\n".join(out)


def _cell(row: dict[str, Any], key: str, kind: str) -> str:
    value = row.get(key)
    if value is None:
        return "-"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "num":
        return f"{value:.3f}"
    if kind == "sec":
        return f"{value:.1f}"
    return f"{value:.0f}"


def _speed_lines(speed: dict[str, Any]) -> list[str]:
    lines = ["Speed (switchboard):"]
    for item in speed.get("throughput", []):
        lines.append(
            f"  throughput, {item['threads']} thread(s): {item['messages_per_s']:.0f} "
            f"messages/s ({item['messages']} distinct messages, predict_many)"
        )
    for item in speed.get("latency", []):
        lines.append(
            f"  one message ({item['backend']}): p50 {item['p50_ms']:.1f} ms, "
            f"p95 {item['p95_ms']:.1f} ms"
        )
    for item in speed.get("train", []):
        lines.append(
            f"  training on {item['split']} ({item['examples']} examples, nothing "
            f"cached, {item['threads']} thread(s)): {item['seconds']:.1f} s"
        )
    rss = speed.get("worker_rss", {})
    if "peak_rss_mb" in rss:
        lines.append(
            f"  worker peak resident memory ({rss['backend']}): {rss['peak_rss_mb']:.0f} MB"
        )
    return lines


def chart(results: dict[str, Any], path: Path) -> Path:
    """Accuracy (or AUROC for negativity) per data set, one bar per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    rows = [r for r in results["rows"] if "error" not in r]
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    systems = list(dict.fromkeys(r["system"] for r in rows))
    width = 0.8 / max(len(systems), 1)
    fig, ax = plt.subplots(figsize=(max(8, 1.3 * len(tasks)), 5))
    for i, system in enumerate(systems):
        values = []
        for task in tasks:
            row = next((r for r in rows if r["task"] == task and r["system"] == system), {})
            values.append(row.get("accuracy", row.get("negativity_auroc", np.nan)))
        ax.bar(np.arange(len(tasks)) + i * width, values, width, label=system)
    ax.set_xticks(
        np.arange(len(tasks)) + width * (len(systems) - 1) / 2, tasks, rotation=30, ha="right"
    )
    # From 0.5: every system scores above it, and the differences are what the chart is for.
    ax.set_ylim(0.5, 1)
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylabel("accuracy (negativity: AUROC)")
    ax.set_title("Intent benchmark: Switchboard and peers on the same splits")
    if systems:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from several runs on the same seeded splits (e.g. a peers-only run of DIET
    beside a run of ours): a later run's row for a (data set, system) replaces an earlier one,
    failed rows never replace measured ones, and the speed section is the last run's that has
    one."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    merged: dict[str, Any] = {"merged_from": [run.get("started") for run in runs]}
    for run in runs:
        for row in run.get("rows", []):
            key = (row["task"], row["system"])
            if "error" in row and key in rows and "error" not in rows[key]:
                continue
            rows[key] = row
        if "speed" in run:
            merged["speed"] = run["speed"]
    merged["rows"] = sorted(
        rows.values(),
        key=lambda r: (_task_order(runs, r["task"]), r["system"] != "switchboard", r["system"]),
    )
    return merged


def _task_order(runs: list[dict[str, Any]], task: str) -> int:
    order = list(dict.fromkeys(r["task"] for run in runs for r in run.get("rows", [])))
    return order.index(task)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.report RESULTS.json...``: the table (and chart) of one or more runs."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m bench.report", description=main.__doc__)
    parser.add_argument("results", type=Path, nargs="+", help="JSON files written by bench.run")
    parser.add_argument("--chart", type=Path, help="also write the bar chart to this PNG")
    args = parser.parse_args(argv)
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in args.results]
    results = runs[0] if len(runs) == 1 else merge(runs)
    print(table(results))
    if args.chart:
        print(f"\nWrote {chart(results, args.chart)}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
