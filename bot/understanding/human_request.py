"""Explicit requests for a person ("转人工", "can I talk to a real person?").

The triage head (``triage``) recognises these requests in any wording; the regular expressions
from the config (matched on normalized text, see ``text_match``) are extra evidence on top of
it: a phrase a brand lists always counts, however the head scores it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

from bot.understanding.text_match import normalize

logger = logging.getLogger(__name__)


class HumanRequestDetector:
    def __init__(self, patterns: Mapping[str, Iterable[str]]) -> None:
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

    def detect(self, text: str) -> str | None:
        """The reason the message asks for a person, or None."""
        normalized = normalize(text)
        for language, pattern in self._patterns:
            if pattern.search(normalized):
                return f"pattern ({language}) {pattern.pattern}"
        return None
