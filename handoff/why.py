"""Why a ticket reached a person, in parts the console puts into words in the agent's language.

The assess stage records the reason in parts (``signals.person``: kind, score, quote, detail)
beside one English line (``person_reason``: "complaint 0.94", "asked for a person: 'get me a
human' (human_request 1.00)"). Tickets opened before the parts were recorded have the line only;
for them it is taken apart here.
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
    """``{"kind", "score", "quote", "detail", "text"}`` from the signals' ``person`` parts (or,
    for tickets opened before those were recorded, their ``person_reason`` line), or None when
    the triage did not ask for a person (the ticket's ``reason`` code says why)."""
    text = str(signals.get("person_reason") or "").strip()
    parts = signals.get("person")
    if isinstance(parts, dict) and parts.get("kind"):
        score = parts.get("score")
        return {
            "kind": str(parts["kind"]),
            "score": float(score) if isinstance(score, int | float) else None,
            "quote": str(parts.get("quote") or ""),
            "detail": str(parts.get("detail") or ""),
            "text": text,
        }
    if not text:
        return None
    asked = _ASKED.match(text)
    if asked:
        by = asked["by"]
        score = _SCORE_AT_END.search(by) if by.startswith("human_request") else None
        return {
            "kind": "human_request",
            "score": float(score["score"]) if score else None,
            "quote": asked["quote"],
            "detail": "" if score else by,
            "text": text,
        }
    plain = _CLASS_SCORE.match(text)
    if plain:
        return {
            "kind": plain["kind"],
            "score": float(plain["score"]),
            "quote": "",
            "detail": "",
            "text": text,
        }
    kind, _, detail = text.partition(": ")
    if detail and re.fullmatch(r"[a-z_]+", kind):
        return {"kind": kind, "score": None, "quote": "", "detail": detail, "text": text}
    return {"kind": "other", "score": None, "quote": "", "detail": text, "text": text}


def top_classes(signals: dict[str, Any], limit: int = TOP_CLASSES) -> list[dict[str, Any]]:
    """The triage classes, most likely first: ``[{"class", "p"}]``."""
    triage = signals.get("triage") or {}
    if not isinstance(triage, dict):
        return []
    ranked = sorted(
        ((str(k), float(v)) for k, v in triage.items() if isinstance(v, int | float)),
        key=lambda item: -item[1],
    )
    return [{"class": label, "p": round(p, 4)} for label, p in ranked[:limit]]
