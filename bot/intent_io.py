"""Moving intent sets in and out: Rasa NLU YAML and domain (with our answers file) and CSV.

Export writes what Rasa reads (``nlu.yml``: ``- intent:`` blocks with ``examples: |``;
``domain.yml``: the intents and an ``utter_<intent>`` response per answer; ``rules.yml``: one
rule per answered intent, so Rasa sends those responses) plus ``answers.yml``
beside them, which keeps what Rasa has no place for (tier and channel variants, ``handoff``),
so a set goes to Rasa and comes back without losing an example or an answer.
Import reads the same, a Rasa project (bot/rasa_project.py), or a CSV of ``text,intent`` rows
(a header row is allowed).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from bot.intents import LANGUAGES, Intent, IntentDataError, IntentSet
from bot.rasa_domain import domain_yaml, rules_yaml
from bot.rasa_project import Imported, read_rasa


def export_intent_set(intent_set: IntentSet, folder: Path) -> list[Path]:
    """Write ``nlu.yml``, ``domain.yml``, ``rules.yml`` and ``answers.yml`` into ``folder``;
    return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    nlu = folder / "nlu.yml"
    nlu.write_text(to_rasa_yaml(intent_set), encoding="utf-8")
    domain = folder / "domain.yml"
    domain.write_text(domain_yaml(intent_set), encoding="utf-8")
    rules = folder / "rules.yml"
    rules.write_text(rules_yaml(intent_set), encoding="utf-8")
    answers = folder / "answers.yml"
    answers.write_text(_answers_yaml(intent_set), encoding="utf-8")
    return [nlu, domain, rules, answers]


def to_rasa_yaml(intent_set: IntentSet) -> str:
    lines = ['version: "3.1"', "nlu:"]
    for name in intent_set.names:
        lines += [f"- intent: {name}", "  examples: |"]
        # A block scalar keeps every character as written; one example per line.
        lines += [f"    - {_one_line(example)}" for example in intent_set.intents[name].examples]
    return "\n".join(lines) + "\n"


def import_intent_set(path: Path) -> IntentSet:
    """A Rasa project folder or NLU YAML file, or a ``.csv`` of ``text,intent`` rows."""
    return read_intent_files([path]).intent_set


def read_intent_files(paths: list[Path]) -> Imported:
    """Rasa folders and files (NLU, domain, our answers), or one CSV; with warnings."""
    csv_files = [p for p in paths if p.suffix.lower() == ".csv"]
    if csv_files and len(paths) > 1:
        raise IntentDataError("a CSV is imported on its own, not with other files")
    if csv_files:
        return Imported(from_csv(csv_files[0].read_text(encoding="utf-8-sig")))
    return read_rasa(paths)


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
    return IntentSet(
        {name: Intent(name, tuple(dict.fromkeys(lines))) for name, lines in examples.items()}
    )


def merge(base: IntentSet, incoming: IntentSet) -> IntentSet:
    """``base`` with ``incoming``'s examples added (and its answers, language by language:
    a Rasa domain that answers only in English keeps the draft's Chinese answer)."""
    intents = dict(base.intents)
    for name, new in incoming.intents.items():
        old = intents.get(name)
        if old is None:
            intents[name] = new
            continue
        intents[name] = Intent(
            name,
            tuple(dict.fromkeys([*old.examples, *new.examples])),
            {**old.answers, **new.answers},
            new.handoff or old.handoff,
            new.variants or old.variants,
        )
    return IntentSet(intents, base.system | incoming.system)


def _answers_yaml(intent_set: IntentSet) -> str:
    answers: dict[str, Any] = {}
    for name in intent_set.names:
        intent = intent_set.intents[name]
        entry: dict[str, Any] = {
            lang: intent.answers[lang] for lang in LANGUAGES if lang in intent.answers
        }
        if intent.handoff:
            entry["handoff"] = True
        if intent.variants:
            entry["variants"] = intent.variants
        if entry:
            answers[name] = entry
    document = {"answers": answers, "system": intent_set.system}
    return "# Exported by switchboard intents export.\n" + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, width=100
    )


def _one_line(example: str) -> str:
    return " ".join(example.split())
