"""Language detection for the languages we answer in (zh, en)."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str, default: str = "en") -> str:
    """Return ``zh`` when Han characters carry the message, else ``en``.

    Customers mix scripts ("我的order到哪了", "iPhone 15 有货吗"), so we weigh Han characters
    against Latin words rather than looking at the first character: one Han character counts
    about as much as one English word.
    """
    han = len(_HAN.findall(text))
    latin_words = len(_LATIN_WORD.findall(text))
    if han == 0 and latin_words == 0:
        return default
    return "zh" if han >= latin_words else "en"
