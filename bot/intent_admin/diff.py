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
    return {"added": added, "removed": removed, "changed": changed}
