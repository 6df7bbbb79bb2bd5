"""The intent set: Rasa NLU YAML examples plus our answers file, loaded into plain dataclasses.

``nlu.yml`` is Rasa's training-data format (``- intent: name`` with an ``examples: |`` block of
``- text`` lines), so teams can move data between Rasa and Switchboard. ``answers.yml`` holds,
per intent, the reply in each language and whether the intent always goes to a human; its
``system:`` section holds the bot's own lines (fallback, hand-off acknowledgement).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.errors import InvalidData
from bot.vocabulary import TIERS, ChannelKind

LANGUAGES = ("zh", "en")
# Rasa annotates entities inline: "ship to [Berlin](city)" or "[Berlin]{"entity": "city"}".
_ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


class IntentDataError(InvalidData):
    """The intent files are missing, malformed or inconsistent."""


TRIAGE_FILE = "triage.yml"
# YAML files in an intents folder that hold no NLU examples.
_NOT_NLU = frozenset({"answers.yml", TRIAGE_FILE})

VARIANT_KEYS: tuple[str, ...] = tuple(str(key) for key in (*TIERS, *ChannelKind))


@dataclass(frozen=True)
class Intent:
    name: str
    examples: tuple[str, ...]
    answers: dict[str, str] = field(default_factory=dict)
    handoff: bool = False
    # Optional answer variants per customer tier or channel kind: key -> language -> text.
    variants: dict[str, dict[str, str]] = field(default_factory=dict)

    def answer_for(self, tier: str = "", channel: str = "") -> dict[str, str]:
        """The answer texts for this customer: a public comment's variant first (what may be
        said in public matters most), then the tier's, then the default."""
        for key in (channel, tier):
            if key and self.variants.get(key):
                return self.variants[key]
        return self.answers

    def to_dict(self) -> dict[str, Any]:
        return {
            "examples": list(self.examples),
            "answers": self.answers,
            "handoff": self.handoff,
            "variants": self.variants,
        }

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> Intent:
        return cls(
            name=name,
            examples=tuple(data.get("examples", ())),
            answers=dict(data.get("answers", {})),
            handoff=bool(data.get("handoff")),
            variants={k: dict(v) for k, v in data.get("variants", {}).items()},
        )


@dataclass(frozen=True)
class IntentSet:
    intents: dict[str, Intent]
    system: dict[str, dict[str, str]] = field(default_factory=dict)
    # The brand's own triage examples, triage class -> texts (``triage.yml``): messages an
    # admin marked as not needing a person ("neutral"), or the reverse. They train the triage
    # head on top of the shipped data and are versioned, evaluated and published with the
    # intents.
    triage_examples: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return sorted(self.intents)

    def training_pairs(self) -> tuple[list[str], list[str]]:
        texts: list[str] = []
        labels: list[str] = []
        for name in self.names:
            for example in self.intents[name].examples:
                texts.append(example)
                labels.append(name)
        return texts, labels

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "intents": {n: self.intents[n].to_dict() for n in self.names},
            "system": self.system,
        }
        if self.triage_examples:
            data["triage"] = {k: list(v) for k, v in sorted(self.triage_examples.items())}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IntentSet:
        return cls(
            intents={
                name: Intent.from_dict(name, item) for name, item in data.get("intents", {}).items()
            },
            system={k: dict(v) for k, v in data.get("system", {}).items()},
            triage_examples={k: tuple(v) for k, v in (data.get("triage") or {}).items()},
        )

    def with_triage_examples(self, label: str, texts: list[str]) -> IntentSet:
        """This set with ``texts`` added to the brand's triage examples of ``label``."""
        merged = dict(self.triage_examples)
        merged[label] = tuple(dict.fromkeys([*merged.get(label, ()), *texts]))
        return IntentSet(self.intents, self.system, merged)

    def fingerprint(self) -> str:
        """Changes whenever the examples change; names a trained head."""
        payload = json.dumps(
            {n: list(self.intents[n].examples) for n in self.names}, ensure_ascii=False
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def load_intent_set(path: Path) -> IntentSet:
    """Load a folder (``nlu.yml`` + optional ``answers.yml``) or a single Rasa NLU YAML file."""
    if path.is_dir():
        nlu_files = sorted(p for p in path.glob("*.yml") if p.name not in _NOT_NLU)
        nlu_files += sorted(path.glob("*.yaml"))
        answers_file = path / "answers.yml"
        triage_file = path / TRIAGE_FILE
    elif path.is_file():
        nlu_files, answers_file = [path], path.with_name("answers.yml")
        triage_file = path.with_name(TRIAGE_FILE)
    else:
        raise IntentDataError(f"No intent data at {path}")
    examples: dict[str, list[str]] = {}
    for nlu_file in nlu_files:
        for name, lines in parse_rasa_nlu(nlu_file).items():
            examples.setdefault(name, []).extend(lines)
    if not examples:
        raise IntentDataError(f"No intents with examples found in {path}")
    answers, system = load_answers(answers_file) if answers_file.is_file() else ({}, {})
    intents = {
        name: Intent(
            name=name,
            examples=tuple(dict.fromkeys(lines)),  # drop repeats, keep order
            answers=dict(answers.get(name, {}).get("text", {})),
            handoff=bool(answers.get(name, {}).get("handoff", False)),
            variants=dict(answers.get(name, {}).get("variants", {})),
        )
        for name, lines in examples.items()
    }
    triage = load_triage_examples(triage_file) if triage_file.is_file() else {}
    return IntentSet(intents=intents, system=system, triage_examples=triage)


def load_triage_examples(path: Path) -> dict[str, tuple[str, ...]]:
    """``triage.yml``: ``triage: {<class>: [texts]}`` (classes as in ``triage_corpus``)."""
    from bot.understanding.triage_corpus import CLASSES

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise IntentDataError(f"{path}: not valid YAML: {exc}") from exc
    section = document.get("triage") if isinstance(document, dict) else None
    if not isinstance(section, dict):
        raise IntentDataError(f"{path}: expected a mapping 'triage: {{class: [texts]}}'")
    result: dict[str, tuple[str, ...]] = {}
    for label, texts in section.items():
        if label not in CLASSES:
            raise IntentDataError(
                f"{path}: unknown triage class {label!r}; known: {', '.join(CLASSES)}"
            )
        if not isinstance(texts, list):
            raise IntentDataError(f"{path}: triage class {label!r} needs a list of texts")
        result[str(label)] = tuple(dict.fromkeys(str(t).strip() for t in texts if str(t).strip()))
    return result


def parse_rasa_nlu(path: Path) -> dict[str, list[str]]:
    """Return intent -> examples from one Rasa NLU YAML file (other NLU entries are skipped)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise IntentDataError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise IntentDataError(f"{path}: expected a mapping with an 'nlu:' list")
    result: dict[str, list[str]] = {}
    for position, item in enumerate(document.get("nlu") or [], start=1):
        if not isinstance(item, dict) or "intent" not in item:
            continue  # synonyms, regexes and lookup tables carry no intent examples
        block = item.get("examples")
        if not isinstance(block, str):
            raise IntentDataError(f"{path}: nlu item {position} has no 'examples: |' block")
        lines = [_example_text(line) for line in block.splitlines()]
        result.setdefault(str(item["intent"]), []).extend(line for line in lines if line)
    return result


def _example_text(line: str) -> str:
    stripped = line.strip()
    if not stripped.startswith("-"):
        return ""
    return _ENTITY_MARKUP.sub(r"\1", stripped[1:].strip())


def load_answers(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise IntentDataError(f"{path}: not valid YAML: {exc}") from exc
    answers: dict[str, dict[str, Any]] = {}
    for name, entry in (document.get("answers") or {}).items():
        if not isinstance(entry, dict):
            raise IntentDataError(f"{path}: answer for {name!r} must be a mapping")
        text = {lang: str(entry[lang]).strip() for lang in LANGUAGES if entry.get(lang)}
        variants = {}
        for key, texts in (entry.get("variants") or {}).items():
            if key not in VARIANT_KEYS or not isinstance(texts, dict):
                raise IntentDataError(
                    f"{path}: {name}: variant {key!r} must be one of "
                    f"{VARIANT_KEYS} with texts per language"
                )
            variants[str(key)] = {
                lang: str(texts[lang]).strip() for lang in LANGUAGES if texts.get(lang)
            }
        answers[str(name)] = {
            "text": text,
            "handoff": bool(entry.get("handoff", False)),
            "variants": variants,
        }
    system = {
        str(key): {lang: str(value[lang]).strip() for lang in LANGUAGES if value.get(lang)}
        for key, value in (document.get("system") or {}).items()
    }
    return answers, system
