"""Explicit requests for a person ("转人工", "can I talk to a real person?").

Two independent signals, so that neither an odd wording nor a weak classification loses one:
regular expressions from the config (matched on normalized text, see ``text_match``) and the
intent set's human-contact intent when the classifier is confident about it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

from bot.understanding.result import Understanding
from bot.understanding.text_match import normalize

logger = logging.getLogger(__name__)


class HumanRequestDetector:
    def __init__(self, patterns: Mapping[str, Iterable[str]],
                 intent: str = "contact_human") -> None:
        self.intent = intent
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        for language, expressions in patterns.items():
            for expression in expressions:
                try:
                    self._patterns.append((language, re.compile(expression, re.IGNORECASE)))
                except re.error as exc:
                    raise ValueError(
                        f"human request pattern {expression!r} ({language}) is not a valid "
                        f"regular expression: {exc}"
                    ) from exc

    def detect(self, text: str, understanding: Understanding | None = None) -> str | None:
        """The reason the message asks for a person, or None."""
        normalized = normalize(text)
        for language, pattern in self._patterns:
            if pattern.search(normalized):
                return f"human request pattern ({language}): {pattern.pattern}"
        if understanding is not None and self.intent and understanding.intent == self.intent:
            return f"human request intent: {self.intent} ({understanding.confidence:.2f})"
        return None
