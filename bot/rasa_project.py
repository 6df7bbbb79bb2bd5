"""Reading a Rasa project (or loose Rasa files) into an intent set, with what did not fit.

A folder is searched recursively, so Rasa's layouts all work: ``data/nlu.yml`` or
``data/nlu/*.yml`` beside ``domain.yml`` or a ``domain/`` folder, per-language domain files
(``domain/zh.yml``, ``en/domain.yml``), and our own export (``nlu.yml``, ``domain.yml``,
``answers.yml`` side by side). Each YAML file is recognised by what it holds, as Rasa does:
``nlu:`` gives examples, domain keys (``responses:``, ``intents:``...) give answers, and
``answers.yml`` is ours. Stories, rules, config and everything else are skipped; so are the
``tests``, ``models``, ``results`` and ``actions`` folders and hidden ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.intents import LANGUAGES, Intent, IntentDataError, IntentSet, load_answers, parse_rasa_nlu
from bot.rasa_domain import is_domain, language_of_path, read_responses

_SKIP_DIRS = {"tests", "models", "results", "actions", "__pycache__", "node_modules"}
_ANSWERS = "answers.yml"


@dataclass
class Imported:
    intent_set: IntentSet
    warnings: list[str] = field(default_factory=list)


def read_rasa(paths: list[Path]) -> Imported:
    """Examples from every NLU file, answers from ``answers.yml`` and the domain's responses.

    Where ``answers.yml`` and the domain both answer an intent in a language, ``answers.yml``
    wins (it is what Switchboard exported, with tier and channel variants the domain lacks).
    """
    examples: dict[str, list[str]] = {}
    domains: list[tuple[Path, dict[str, Any], str | None]] = []
    answer_files: list[Path] = []
    for file, name_parts in _yaml_files(paths):
        if file.name == _ANSWERS:
            answer_files.append(file)
            continue
        document = _load(file)
        if "nlu" in document:
            for name, lines in parse_rasa_nlu(file).items():
                examples.setdefault(name, []).extend(lines)
        if is_domain(document):
            domains.append((file, document, language_of_path(name_parts)))
    if not examples:
        raise IntentDataError(
            f"No intents with examples found in {', '.join(str(p) for p in paths)}"
        )
    ours, system = _our_answers(answer_files)
    domain = read_responses(domains, set(examples))
    warnings = list(domain.warnings)
    intents = {}
    for name, lines in examples.items():
        entry = ours.get(name, {})
        text = dict(entry.get("text", {}))
        for language, theirs in domain.answers.get(name, {}).items():
            if language not in text:
                text[language] = theirs
            elif text[language] != theirs:
                warnings.append(
                    f"utter_{name}: the {language} text differs from {_ANSWERS}; kept {_ANSWERS}"
                )
        intents[name] = Intent(
            name=name,
            examples=tuple(dict.fromkeys(lines)),
            answers={lang: text[lang] for lang in LANGUAGES if lang in text},
            handoff=bool(entry.get("handoff", False)),
            variants=dict(entry.get("variants", {})),
        )
    return Imported(IntentSet(intents=intents, system=system), warnings)


def _yaml_files(paths: list[Path]) -> list[tuple[Path, list[str]]]:
    """Each YAML file once, with the names that may say its language."""
    found: dict[Path, list[str]] = {}
    for path in paths:
        if path.is_file():
            found.setdefault(path.resolve(), [path.stem])  # a loose file: its own name only
            beside = path.with_name(_ANSWERS)
            if beside.is_file():  # as before: nlu.yml brings the answers.yml next to it
                found.setdefault(beside.resolve(), [])
        elif path.is_dir():
            for folder, subfolders, files in os.walk(path):
                subfolders[:] = sorted(
                    d for d in subfolders if d not in _SKIP_DIRS and not d.startswith(".")
                )
                relative = Path(folder).relative_to(path).parts
                for name in sorted(files):
                    if name.endswith((".yml", ".yaml")) and not name.startswith("."):
                        found.setdefault(
                            (Path(folder) / name).resolve(), [*relative, Path(name).stem]
                        )
        else:
            raise IntentDataError(f"No intent data at {path}")
    return list(found.items())


def _load(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise IntentDataError(f"{path}: not valid YAML: {exc}") from exc
    return document if isinstance(document, dict) else {}


def _our_answers(files: list[Path]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    answers: dict[str, dict[str, Any]] = {}
    system: dict[str, dict[str, str]] = {}
    for file in files:
        more_answers, more_system = load_answers(file)
        answers = {**more_answers, **answers}  # the first file to answer an intent wins
        system = {**more_system, **system}
    return answers, system
