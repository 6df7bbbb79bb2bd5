"""Where each message went, and the routing benchmark's figures and targets (issue #11)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.metrics import auroc

BOT, PERSON, REPHRASE = "bot", "person", "rephrase"
ROUTES = (BOT, PERSON, REPHRASE)
# Answering "hi" with the greeting is small talk, not an FAQ answer.
SMALL_TALK_INTENTS = frozenset({"greet", "thanks", "goodbye"})
MISSES_KEPT = 5


@dataclass(frozen=True)
class Outcome:
    """One message, routed as the first message of a fresh conversation."""

    route: str  # BOT (answered), PERSON (handed over) or REPHRASE (asked to rephrase)
    intent: str = ""  # the intent answered with; the top intent otherwise
    confidence: float = 0.0  # the top intent's confidence, for out-of-scope AUROC
    small_talk: bool = False  # the bot's small-talk line (a chit-chat reply, not a rephrase)
    reason: str = ""

    @property
    def answered_faq(self) -> bool:
        return self.route == BOT and self.intent not in SMALL_TALK_INTENTS


def threshold_route(
    intent: str,
    confidence: float,
    second: float,
    handoff: set[str],
    threshold: float = 0.3,
    ambiguity: float = 0.1,
) -> Outcome:
    """A peer's route with Rasa's FallbackClassifier defaults: a low or ambiguous top intent
    asks to rephrase, an intent marked ``handoff`` goes to a person, any other is answered."""
    if confidence < threshold:
        return Outcome(REPHRASE, intent, confidence, reason=f"confidence {confidence:.2f}")
    if confidence - second < ambiguity:
        return Outcome(REPHRASE, intent, confidence, reason=f"gap {confidence - second:.2f}")
    if intent in handoff:
        return Outcome(PERSON, intent, confidence, reason=f"intent:{intent}")
    return Outcome(BOT, intent, confidence)


def share(flags: Sequence[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def misrouted(group: str, outcome: Outcome) -> bool:
    """A message of a non-FAQ group that went where it should not: small talk and off-domain
    messages answered with an FAQ or handed over, the others not handed over."""
    if target_kind(group) in ("chitchat", "offdomain"):
        return outcome.answered_faq or outcome.route == PERSON
    return outcome.route != PERSON


def group_row(
    outcomes: Sequence[Outcome], texts: Sequence[str], intents: Sequence[str] = (), group: str = ""
) -> dict[str, Any]:
    """The shares of one group; with true ``intents`` (an FAQ group) precision and coverage.
    ``misses`` keeps a few misrouted messages to read."""
    row: dict[str, Any] = {"n": len(outcomes)}
    for route in ROUTES:
        row[route] = share([o.route == route for o in outcomes])
    row["small_talk"] = share(
        [o.small_talk or (o.route == BOT and not o.answered_faq) for o in outcomes]
    )
    row["faq_answered"] = share([o.answered_faq for o in outcomes])
    if intents:
        answered = [
            (o, truth) for o, truth in zip(outcomes, intents, strict=True) if o.route == BOT
        ]
        right = sum(o.intent == truth for o, truth in answered)
        row["precision"] = round(right / len(answered), 4) if answered else 0.0
        row["coverage"] = row[BOT]
        wrong = [
            (t, o, i)
            for t, o, i in zip(texts, outcomes, intents, strict=True)
            if o.route != BOT or o.intent != i
        ]
        row["misses"] = [
            f"{t} -> {o.route}:{o.intent} (want {i}) {o.reason}".rstrip()
            for t, o, i in wrong[:MISSES_KEPT]
        ]
    else:
        row["misses"] = [
            f"{t} -> {o.route}:{o.intent} {o.reason}".rstrip()
            for t, o in zip(texts, outcomes, strict=True)
            if misrouted(group, o)
        ][:MISSES_KEPT]
    return row


# --- targets ----------------------------------------------------------------------------------

TARGET_TEXT = {
    "complaint": "person >= 95%",
    "human_request": "person >= 97%",
    "negative": "person >= 85%, FAQ <= 1%",
    "faq": "precision >= 99% at coverage >= 95%",
    "chitchat": "FAQ <= 5%",
    "offdomain": "FAQ <= 5%",
}


def target_kind(group: str) -> str:
    """The hold-out group whose target a public group shares."""
    return {
        "complaint_bitext": "complaint",
        "human_request_bitext": "human_request",
        "negative_reviews": "negative",
        "offdomain_public": "offdomain",
    }.get(group, group)


def meets_target(group: str, row: dict[str, Any]) -> bool | None:
    """Whether ``row`` meets the issue's target for its group (None: the group has none)."""
    kind = target_kind(group)
    if kind == "complaint":
        return row[PERSON] >= 0.95
    if kind == "human_request":
        return row[PERSON] >= 0.97
    if kind == "negative":
        return row[PERSON] >= 0.85 and row["faq_answered"] <= 0.01
    if kind == "faq":
        return row["precision"] >= 0.99 and row["coverage"] >= 0.95
    if kind in ("chitchat", "offdomain"):
        return row["faq_answered"] <= 0.05
    return None


def oos_auroc(in_scope: Sequence[float], out_of_scope: Sequence[float]) -> float | None:
    """How well the top intent's confidence ranks FAQ questions above chit-chat and off-domain
    messages (1.0: always; 0.5: chance)."""
    if not in_scope or not out_of_scope:
        return None
    labels = [1] * len(in_scope) + [0] * len(out_of_scope)
    return round(auroc(labels, [*in_scope, *out_of_scope]), 4)


def triage_cost(
    predict_seconds: Sequence[float], assess_seconds: Sequence[float]
) -> dict[str, Any]:
    """Median time of the intent classifier alone and of the assessment after it, per message;
    the issue's target: the triage adds at most 10 % to one message."""
    predict = statistics.median(predict_seconds)
    assess = statistics.median(assess_seconds)
    ratio = assess / predict if predict > 0 else float("inf")
    return {
        "messages": len(predict_seconds),
        "predict_ms": round(predict * 1000, 2),
        "assess_ms": round(assess * 1000, 2),
        "ratio": round(ratio, 4),
        "pass": ratio <= 0.10,
    }
