"""Normalizing text for keyword and pattern matching, shared by human requests and severity."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII: "１２３１５" -> "12315"), lower case,
    one space between words, and no spaces between Han characters ("转 人 工" -> "转人工")."""
    folded = _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()
    return re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", folded)


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Chinese has no word boundaries: a Han keyword matches anywhere. Anything else matches
    whole words only, so "scam" does not fire inside "scampi" (nor "sue" inside "issue")."""
    escaped = re.escape(normalize(keyword)).replace(r"\ ", r"\s+")
    if _HAN.search(keyword):
        return re.compile(escaped)
    return re.compile(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])")


def first_keyword(text: str, patterns: dict[str, re.Pattern[str]]) -> str | None:
    """The first keyword (in list order) found in already-normalized ``text``."""
    for keyword, pattern in patterns.items():
        if pattern.search(text):
            return keyword
    return None
