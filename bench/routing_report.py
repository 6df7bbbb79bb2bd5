"""The routing benchmark's tables (Markdown, so that they paste into docs/benchmark.md)."""

from __future__ import annotations

from typing import Any

from bench.routing_metrics import BOT, PERSON, REPHRASE, TARGET_TEXT, target_kind


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def mark(passed: bool | None) -> str:
    return "" if passed is None else ("pass" if passed else "FAIL")


def key_figure(row: dict[str, Any]) -> str:
    """The figure the group's target is about."""
    if "error" in row:
        return "error"
    kind = target_kind(row["group"])
    if kind == "faq":
        text = f"P {pct(row['precision'])} C {pct(row['coverage'])}"
    elif kind == "negative":
        text = f"person {pct(row[PERSON])} FAQ {pct(row['faq_answered'])}"
    elif kind in ("chitchat", "offdomain"):
        text = f"FAQ {pct(row['faq_answered'])}"
    else:
        text = f"person {pct(row[PERSON])}"
    return f"{text} {mark(row.get('pass'))}".rstrip()


def routes(row: dict[str, Any]) -> str:
    if "error" in row:
        return "–"
    return "/".join(pct(row[r]) for r in (BOT, PERSON, REPHRASE))


def group_table(results: dict[str, Any], set_name: str) -> str:
    rows = [r for r in results["rows"] if r["set"] == set_name]
    systems = list(dict.fromkeys(r["system"] for r in rows))
    head = ["lang", "group", "n", "target"]
    for system in systems:
        head += [f"{system} bot/person/rephrase %", f"{system} vs target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    keys = list(dict.fromkeys((r["language"], r["group"]) for r in rows))
    for language, group in keys:
        cells = {r["system"]: r for r in rows if (r["language"], r["group"]) == (language, group)}
        first = next(iter(cells.values()))
        line = [language, group, str(first.get("n", "")), TARGET_TEXT.get(target_kind(group), "")]
        for system in systems:
            row = cells.get(system)
            line += [routes(row), key_figure(row)] if row else ["–", "–"]
        lines.append("| " + " | ".join(line) + " |")
    return "\n".join(lines)


def auroc_table(results: dict[str, Any]) -> str:
    rows = results.get("auroc", [])
    systems = list(dict.fromkeys(r["system"] for r in rows))
    head = ["set", "lang", *systems, "switchboard >= tfidf-lr"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for set_name, language in dict.fromkeys((r["set"], r["language"]) for r in rows):
        values = {
            r["system"]: r["auroc"]
            for r in rows
            if (r["set"], r["language"]) == (set_name, language)
        }
        ours, peer = values.get("switchboard"), values.get("tfidf-lr")
        passed = None if ours is None or peer is None else ours >= peer
        lines.append(
            "| "
            + " | ".join(
                [set_name, language, *(_three(values.get(s)) for s in systems), mark(passed)]
            )
            + " |"
        )
    return "\n".join(lines)


def _three(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def scoreboard(results: dict[str, Any]) -> str:
    """How many of the issue's targets each system meets, per set and language."""
    lines = []
    rows = [r for r in results["rows"] if r.get("pass") is not None]
    for set_name, language, system in dict.fromkeys(
        (r["set"], r["language"], r["system"]) for r in rows
    ):
        mine = [
            r
            for r in rows
            if (r["set"], r["language"], r["system"]) == (set_name, language, system)
        ]
        failed = [r["group"] for r in mine if not r["pass"]]
        lines.append(
            f"- {set_name} {language} {system}: {len(mine) - len(failed)}/{len(mine)} "
            f"group targets met" + (f" (missed: {', '.join(failed)})" if failed else "")
        )
    return "\n".join(lines)


def table(results: dict[str, Any]) -> str:
    parts = []
    for set_name in dict.fromkeys(r["set"] for r in results["rows"]):
        parts += [f"### {set_name}", "", group_table(results, set_name), ""]
    if results.get("auroc"):
        parts += [
            "### Out-of-scope AUROC (top-intent confidence; FAQ vs chit-chat + "
            "off-domain hold-out)",
            "",
            auroc_table(results),
            "",
        ]
    cost = results.get("triage_cost")
    if cost:
        parts += [
            f"Triage cost: classifier.predict {cost['predict_ms']} ms, assessor.assess "
            f"after it {cost['assess_ms']} ms (medians over {cost['messages']} distinct "
            f"messages): +{100 * cost['ratio']:.1f} % (target <= 10 %: "
            f"{mark(cost['pass'])}). CPU: {results.get('cpu_model', '?')}, "
            f"{results.get('cpus', '?')} cores.",
            "",
        ]
    parts += ["Targets met:", scoreboard(results)]
    return "\n".join(parts)
