"""Static checks of an intent set that catch an admin's mistakes before they reach customers.

Errors make the bot answer wrongly (one example taught as two intents, an intent with nothing to
say); warnings make it answer worse (too few examples in a language, an answer missing a
language, an answer nobody can reach).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from bot.intents import LANGUAGES, IntentSet
from bot.understanding.language import detect_language

Severity = Literal["error", "warning"]
DEFAULT_MIN_EXAMPLES = 5
_TRAILING_PUNCT = re.compile(r"[\s?!.,;:~…。？！，、；：～]+$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # stable, for scripts: shared_example, too_few_examples, ...
    intent: str
    message: str


def normalize(text: str) -> str:
    """What makes two examples "the same" to the classifier: width, case, spaces, end marks."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    return _TRAILING_PUNCT.sub("", _SPACES.sub(" ", folded))


def validate(
    intent_set: IntentSet,
    answers_file: Path | None = None,
    *,
    min_examples: int = DEFAULT_MIN_EXAMPLES,
) -> list[Finding]:
    findings = [*_shared_examples(intent_set), *_too_few(intent_set, min_examples)]
    findings += _answers(intent_set)
    if answers_file is not None and answers_file.is_file():
        findings += _unknown_answers(intent_set, answers_file)
    return sorted(findings, key=lambda f: (f.severity != "error", f.intent, f.code))


def _shared_examples(intent_set: IntentSet) -> list[Finding]:
    owners: dict[str, dict[str, str]] = {}
    for name in intent_set.names:
        for example in intent_set.intents[name].examples:
            owners.setdefault(normalize(example), {}).setdefault(name, example)
    findings = []
    for by_intent in owners.values():
        if len(by_intent) > 1:
            names = sorted(by_intent)
            shown = " / ".join(f"{n}: {by_intent[n]!r}" for n in names)
            findings.append(
                Finding(
                    "error",
                    "shared_example",
                    names[0],
                    f"the same example is in {len(names)} intents ({shown})",
                )
            )
    return findings


def _too_few(intent_set: IntentSet, min_examples: int) -> list[Finding]:
    findings = []
    for name in intent_set.names:
        counts = Counter(detect_language(e) for e in intent_set.intents[name].examples)
        for language in LANGUAGES:
            if counts[language] < min_examples:
                findings.append(
                    Finding(
                        "warning",
                        "too_few_examples",
                        name,
                        f"{counts[language]} {language} example(s); at least {min_examples} "
                        f"recommended",
                    )
                )
    return findings


def _answers(intent_set: IntentSet) -> list[Finding]:
    findings = []
    for name in intent_set.names:
        intent = intent_set.intents[name]
        if not intent.answers:
            if not intent.handoff:
                findings.append(
                    Finding(
                        "error",
                        "no_answer",
                        name,
                        "no answer in answers.yml and not a handoff intent",
                    )
                )
            continue
        missing = [lang for lang in LANGUAGES if lang not in intent.answers]
        if missing:
            findings.append(
                Finding(
                    "warning", "answer_missing_language", name, f"no answer in {', '.join(missing)}"
                )
            )
    for key, lines in intent_set.system.items():
        missing = [lang for lang in LANGUAGES if lang not in lines]
        if missing:
            findings.append(
                Finding(
                    "warning",
                    "answer_missing_language",
                    f"system.{key}",
                    f"no line in {', '.join(missing)}",
                )
            )
    return findings


def _unknown_answers(intent_set: IntentSet, answers_file: Path) -> list[Finding]:
    document = yaml.safe_load(answers_file.read_text(encoding="utf-8")) or {}
    names = [str(n) for n in (document.get("answers") or {})]
    return [
        Finding(
            "warning",
            "answer_for_unknown_intent",
            name,
            "answers.yml has an answer for an intent with no examples (never used)",
        )
        for name in names
        if name not in intent_set.intents
    ]
