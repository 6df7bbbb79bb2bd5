"""What changed between two intent sets, in words an admin reads at a glance."""

from __future__ import annotations

from typing import Any

from bot.intents import IntentSet


def diff(old: IntentSet, new: IntentSet) -> dict[str, Any]:
    added = sorted(set(new.intents) - set(old.intents))
    removed = sorted(set(old.intents) - set(new.intents))
    changed = []
    for name in sorted(set(old.intents) & set(new.intents)):
        before, after = old.intents[name], new.intents[name]
        row: dict[str, Any] = {"intent": name}
        gained = [e for e in after.examples if e not in set(before.examples)]
        lost = [e for e in before.examples if e not in set(after.examples)]
        if gained:
            row["examples_added"] = gained
        if lost:
            row["examples_removed"] = lost
        if before.answers != after.answers:
            row["answers"] = {"before": before.answers, "after": after.answers}
        if before.variants != after.variants:
            row["variants"] = {"before": before.variants, "after": after.variants}
        if before.handoff != after.handoff:
            row["handoff"] = {"before": before.handoff, "after": after.handoff}
        if len(row) > 1:
            changed.append(row)
    return {"added": added, "removed": removed, "changed": changed, "triage": triage_diff(old, new)}


def triage_diff(old: IntentSet, new: IntentSet) -> list[dict[str, Any]]:
    """The brand's triage examples gained and lost, per class: ``[{"class", "added",
    "removed"}]`` (texts), only classes that changed."""
    rows = []
    for label in sorted(set(old.triage_examples) | set(new.triage_examples)):
        before = old.triage_examples.get(label, ())
        after = new.triage_examples.get(label, ())
        gained = [text for text in after if text not in set(before)]
        lost = [text for text in before if text not in set(after)]
        if gained or lost:
            rows.append({"class": label, "added": gained, "removed": lost})
    return rows
