"""Moving intent sets in and out: Rasa NLU YAML (with our answers file) and CSV.

Export writes what Rasa reads (``nlu.yml``: ``- intent:`` blocks with ``examples: |``) plus
``answers.yml`` beside it, so a set goes to Rasa and comes back without losing an example.
Import reads the same, or a CSV of ``text,intent`` rows (a header row is allowed).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from bot.intents import LANGUAGES, Intent, IntentDataError, IntentSet, load_intent_set


def export_intent_set(intent_set: IntentSet, folder: Path) -> list[Path]:
    """Write ``nlu.yml`` and ``answers.yml`` into ``folder``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    nlu = folder / "nlu.yml"
    nlu.write_text(to_rasa_yaml(intent_set), encoding="utf-8")
    answers = folder / "answers.yml"
    answers.write_text(_answers_yaml(intent_set), encoding="utf-8")
    return [nlu, answers]


def to_rasa_yaml(intent_set: IntentSet) -> str:
    lines = ['version: "3.1"', "nlu:"]
    for name in intent_set.names:
        lines += [f"- intent: {name}", "  examples: |"]
        # A block scalar keeps every character as written; one example per line.
        lines += [f"    - {_one_line(example)}" for example in intent_set.intents[name].examples]
    return "\n".join(lines) + "\n"


def import_intent_set(path: Path) -> IntentSet:
    """A Rasa NLU YAML file or folder, or a ``.csv`` of ``text,intent`` rows."""
    if path.suffix.lower() == ".csv":
        return from_csv(path.read_text(encoding="utf-8-sig"))
    return load_intent_set(path)


def from_csv(text: str) -> IntentSet:
    examples: dict[str, list[str]] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1 and [c.strip().lower() for c in row[:2]] == ["text", "intent"]:
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise IntentDataError(f"CSV row {number}: expected text,intent, got {row!r}")
        examples.setdefault(row[1].strip(), []).append(row[0].strip())
    if not examples:
        raise IntentDataError("the CSV holds no text,intent rows")
    return IntentSet({name: Intent(name, tuple(dict.fromkeys(lines)))
                      for name, lines in examples.items()})


def merge(base: IntentSet, incoming: IntentSet) -> IntentSet:
    """``base`` with ``incoming``'s examples added (and its answers, where it has some)."""
    intents = dict(base.intents)
    for name, new in incoming.intents.items():
        old = intents.get(name)
        if old is None:
            intents[name] = new
            continue
        intents[name] = Intent(name, tuple(dict.fromkeys([*old.examples, *new.examples])),
                               new.answers or old.answers, new.handoff or old.handoff,
                               new.variants or old.variants)
    return IntentSet(intents, base.system | incoming.system)


def _answers_yaml(intent_set: IntentSet) -> str:
    answers: dict[str, Any] = {}
    for name in intent_set.names:
        intent = intent_set.intents[name]
        entry: dict[str, Any] = {lang: intent.answers[lang] for lang in LANGUAGES
                                 if lang in intent.answers}
        if intent.handoff:
            entry["handoff"] = True
        if intent.variants:
            entry["variants"] = intent.variants
        if entry:
            answers[name] = entry
    document = {"answers": answers, "system": intent_set.system}
    return "# Exported by switchboard intents export.\n" + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, width=100)


def _one_line(example: str) -> str:
    return " ".join(example.split())
