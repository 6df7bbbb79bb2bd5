"""Answers in Rasa's ``domain.yml``: ``responses:`` named ``utter_<intent>``, read and written.

Rasa keeps a bot's replies in the domain, not beside the NLU examples, so a team that brings
only ``nlu.yml`` loses every answer. Reading: each response ``utter_<intent>`` gives that
intent its answer per language. The language of a text comes, in this order, from a
conditional variation on a language slot (``condition: [{type: slot, name: language, value:
zh}]``), from the file's path (``domain/zh.yml``, ``responses.en.yml``, ``en/domain.yml``), or
from the text itself. Rasa picks one of several texts at random; Switchboard sends one reviewed
answer per language, so the first text per language is kept (a conditional variation before
a default one, as Rasa prefers it) and the rest are reported.
Buttons, images and custom payloads are dropped with a warning: our replies are text.

Writing: ``utter_<intent>`` per answered intent. With both languages, Chinese is a conditional
variation on the ``language`` slot and English the default Rasa sends when nothing else matches
(an unset slot included); the slot is declared so that ``rasa data validate`` accepts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.intents import LANGUAGES, IntentDataError, IntentSet
from bot.understanding.language import detect_language

LANGUAGE_SLOT = "language"
_PREFIX = "utter_"
# Keys of a response variation that carry no content we could lose.
_QUIET_KEYS = {"text", "condition", "id", "metadata"}
# Condition values and path words that name one of our languages.
_LANGUAGE_WORDS = {
    "zh": "zh",
    "cn": "zh",
    "chinese": "zh",
    "中文": "zh",
    "en": "en",
    "english": "en",
    "英文": "en",
}
_WORD = re.compile(r"[^\W_]+")
# Rasa fills "{name}" from a slot; Switchboard sends an answer as written.
_SLOT_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass
class DomainAnswers:
    """What the domain files said: intent -> language -> text, and what did not fit."""

    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # (intent, language) pairs whose text came from a condition, which beats a guessed language
    conditioned: set[tuple[str, str]] = field(default_factory=set)


def is_domain(document: dict[str, Any]) -> bool:
    """Whether a parsed YAML file is (part of) a Rasa domain."""
    return any(
        key in document
        for key in (
            "responses",
            "templates",
            "intents",
            "slots",
            "session_config",
            "forms",
            "actions",
        )
    )


def language_of_path(parts: list[str]) -> str | None:
    """``zh``/``en`` when the folder or file names say so (``domain/zh.yml``), else None."""
    found = {
        _LANGUAGE_WORDS[word]
        for part in parts
        for word in _WORD.findall(part.lower())
        if word in _LANGUAGE_WORDS
    }
    return found.pop() if len(found) == 1 else None


def read_responses(
    documents: list[tuple[Path, dict[str, Any], str | None]], intent_names: set[str]
) -> DomainAnswers:
    """Answers from domain documents, each given as (path, parsed YAML, language of its path)."""
    result = DomainAnswers()
    extra: dict[str, dict[str, int]] = {}
    dropped: dict[str, set[str]] = {}
    for path, document, path_language in documents:
        if "templates" in document and "responses" not in document:
            result.warnings.append(
                f"{path}: 'templates:' is Rasa 1.x; rename it to "
                "'responses:' to import these answers"
            )
        responses = document.get("responses") or {}
        if not isinstance(responses, dict):
            raise IntentDataError(f"{path}: 'responses:' must map response names to lists")
        for name, variations in responses.items():
            name = str(name)
            if not isinstance(variations, list):
                raise IntentDataError(f"{path}: response {name!r} must be a list of variations")
            intent = name[len(_PREFIX) :] if name.startswith(_PREFIX) else None
            if intent not in intent_names:
                result.warnings.append(f"{name}: no intent named {intent or name!r}; not imported")
                continue
            for variation in variations:
                _read_variation(
                    result,
                    name,
                    intent,
                    variation,
                    path_language,
                    extra.setdefault(name, {}),
                    dropped.setdefault(name, set()),
                )
    for name, counts in extra.items():
        for language, count in counts.items():
            result.warnings.append(
                f"{name}: {count} more {language} text(s) not imported "
                "(Switchboard sends one answer per language)"
            )
    for name, keys in dropped.items():
        if keys:
            result.warnings.append(
                f"{name}: kept the text, dropped {', '.join(sorted(keys))} "
                "(Switchboard replies are text)"
            )
    return result


def _read_variation(
    result: DomainAnswers,
    name: str,
    intent: str,
    variation: Any,
    path_language: str | None,
    extra: dict[str, int],
    dropped: set[str],
) -> None:
    if not isinstance(variation, dict):
        raise IntentDataError(f"response {name!r}: each variation must be a mapping")
    if variation.get("channel"):
        result.warnings.append(
            f"{name}: variation for channel {variation['channel']!r} not imported"
        )
        return
    text = str(variation.get("text") or "").strip()
    other = sorted(str(key) for key in variation if key not in _QUIET_KEYS)
    if not text:
        result.warnings.append(
            f"{name}: a variation without text ({', '.join(other)}) not imported"
        )
        return
    language = _condition_language(result, name, variation.get("condition"))
    if language == "":
        return  # conditioned on something we do not model; already reported
    dropped.update(other)
    explicit = language is not None
    if language is None:
        detected = detect_language(text, default="")
        if path_language and detected and detected != path_language:
            result.warnings.append(
                f"{name}: a text in a {path_language} file reads as "
                f"{detected}; filed under {path_language}"
            )
        language = path_language or detected or "en"
    answers = result.answers.setdefault(intent, {})
    if language in answers:
        if answers[language] != text:
            extra[language] = extra.get(language, 0) + 1
        # Rasa sends a matching conditional variation rather than a default one: so do we.
        if not explicit or (intent, language) in result.conditioned:
            return
    answers[language] = text
    if explicit:
        result.conditioned.add((intent, language))
    if placeholder := _SLOT_PLACEHOLDER.search(text):
        result.warnings.append(
            f"{name}: the {language} text fills {placeholder.group()} "
            "from a slot; Switchboard sends it as written, so edit the answer"
        )


def _condition_language(result: DomainAnswers, name: str, condition: Any) -> str | None:
    """The language a conditional variation is for; None without a condition; "" to skip."""
    if not condition:
        return None
    if not isinstance(condition, list):
        raise IntentDataError(f"response {name!r}: 'condition' must be a list")
    languages = []
    for constraint in condition:
        slot = str(constraint.get("name", "")) if isinstance(constraint, dict) else ""
        if "lang" not in slot.lower() and slot.lower() != "locale":
            result.warnings.append(
                f"{name}: variation conditioned on slot {slot!r} not "
                "imported (only a language slot maps to our answers)"
            )
            return ""
        value = str(constraint.get("value", "")).strip().lower()
        language = _LANGUAGE_WORDS.get(re.split(r"[-_]", value)[0])
        if language is None:
            result.warnings.append(
                f"{name}: variation for language {value!r} not imported "
                f"(Switchboard answers in {', '.join(LANGUAGES)})"
            )
            return ""
        languages.append(language)
    if len(set(languages)) > 1:
        result.warnings.append(f"{name}: variation conditioned on two languages not imported")
        return ""
    return languages[0]


def domain_yaml(intent_set: IntentSet) -> str:
    """A Rasa 3.1 domain: the intents, ``utter_<intent>`` per answer, the language slot."""
    responses: dict[str, list[dict[str, Any]]] = {}
    conditioned = False
    for name in intent_set.names:
        answers = intent_set.intents[name].answers
        present = [lang for lang in LANGUAGES if answers.get(lang)]
        if not present:
            continue
        default = "en" if "en" in present else present[0]
        variations = []
        for language in present:
            text = answers[language]
            # A text goes without a condition only when reading it back detects its language.
            if language == default and detect_language(text, default=language) == language:
                variations.append({"text": text})
            else:
                variations.append(
                    {
                        "text": text,
                        "condition": [{"type": "slot", "name": LANGUAGE_SLOT, "value": language}],
                    }
                )
                conditioned = True
        responses[_PREFIX + name] = variations
    document: dict[str, Any] = {"intents": intent_set.names}
    if conditioned:
        document["slots"] = {
            LANGUAGE_SLOT: {
                "type": "categorical",
                "values": list(LANGUAGES),
                "influence_conversation": False,
                "mappings": [{"type": "custom"}],
            }
        }
    document["responses"] = responses
    return (
        "# Exported by switchboard intents export: utter_<intent> answers each intent.\n"
        '# Set the "language" slot (zh or en) from a custom action to pick the Chinese text.\n'
        'version: "3.1"\n'
        + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1_000_000)
    )  # one line per text


def rules_yaml(intent_set: IntentSet) -> str:
    """Rasa rules that answer each answered intent with its ``utter_<intent>``, so the exported
    project replies in Rasa too (and ``rasa data validate`` finds every response used)."""
    rules = [
        {"rule": f"answer {name}", "steps": [{"intent": name}, {"action": _PREFIX + name}]}
        for name in intent_set.names
        if any(intent_set.intents[name].answers.values())
    ]
    return '# Exported by switchboard intents export.\nversion: "3.1"\n' + yaml.safe_dump(
        {"rules": rules}, allow_unicode=True, sort_keys=False
    )
