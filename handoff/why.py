"""Why a ticket reached a person, in parts the console puts into words in the agent's language.

The assess stage writes its reason as one English line ("complaint 0.94", "asked for a person:
'get me a human' (human_request 1.00)", "crisis: crisis keyword: 过敏; ..."). The console shows
it in Chinese or English, so the line is taken apart here once, for the queue and the ticket.
"""

from __future__ import annotations

import re
from typing import Any

# "asked for a person: '<quote>' (<pattern or class score>)"; the quote may hold quotes itself.
_ASKED = re.compile(r"^asked for a person: '(?P<quote>.*)' \((?P<by>[^()]*)\)$", re.S)
_CLASS_SCORE = re.compile(r"^(?P<kind>[a-z_]+) (?P<score>\d(?:\.\d+)?)$")
_SCORE_AT_END = re.compile(r"(?P<score>\d(?:\.\d+)?)$")
TOP_CLASSES = 4


def why(signals: dict[str, Any]) -> dict[str, Any] | None:
    """``{"kind", "score", "quote", "detail", "text"}`` from the signals' ``person_reason``, or
    None when the triage did not ask for a person (the ticket's ``reason`` code says why)."""
    text = str(signals.get("person_reason") or "").strip()
    if not text:
        return None
    asked = _ASKED.match(text)
    if asked:
        by = asked["by"]
        score = _SCORE_AT_END.search(by) if by.startswith("human_request") else None
        return {"kind": "human_request", "score": float(score["score"]) if score else None,
                "quote": asked["quote"], "detail": "" if score else by, "text": text}
    plain = _CLASS_SCORE.match(text)
    if plain:
        return {"kind": plain["kind"], "score": float(plain["score"]), "quote": "",
                "detail": "", "text": text}
    kind, _, detail = text.partition(": ")
    if detail and re.fullmatch(r"[a-z_]+", kind):
        return {"kind": kind, "score": None, "quote": "", "detail": detail, "text": text}
    return {"kind": "other", "score": None, "quote": "", "detail": text, "text": text}


def top_classes(signals: dict[str, Any], limit: int = TOP_CLASSES) -> list[dict[str, Any]]:
    """The triage classes, most likely first: ``[{"class", "p"}]``."""
    triage = signals.get("triage") or {}
    if not isinstance(triage, dict):
        return []
    ranked = sorted(((str(k), float(v)) for k, v in triage.items()
                     if isinstance(v, int | float)), key=lambda item: -item[1])
    return [{"class": label, "p": round(p, 4)} for label, p in ranked[:limit]]
