"""The decision: answer from an FAQ, ask the customer to rephrase, or hand over to a person."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversations import ConversationState
from bot.intents import IntentSet
from bot.understanding.result import Understanding
from bot.vocabulary import HandoverReason, ReasonKind, Severity


@dataclass(frozen=True, slots=True)
class AutoAnswer:
    intent: str
    kind: str = "auto_answer"


@dataclass(frozen=True, slots=True)
class Clarify:
    reason: str
    # The system line to answer with: "clarify" (please rephrase) or "chitchat" (small talk:
    # a friendly line saying what the bot can help with, not counted as a misunderstanding).
    prompt: str = "clarify"
    kind: str = "clarify"


@dataclass(frozen=True, slots=True)
class Handoff:
    reason: HandoverReason
    severity: Severity = Severity.NORMAL
    # An FAQ intent that matched: its answer is offered to the agent, never sent to a customer
    # who needs a person.
    suggested_intent: str = ""
    kind: str = "handoff"


Decision = AutoAnswer | Clarify | Handoff


def decide(
    understanding: Understanding,
    state: ConversationState,
    intent_set: IntentSet,
    *,
    max_misunderstood: int,
) -> Decision:
    """Choose what to do with one understood message.

    An angry customer answered with a canned FAQ is worse than a hand-over, so how the customer
    sounds is weighed before what they asked: a crisis, a request for a person, a complaint and
    negativity all go to a person, whatever the intent (the triage says so in
    ``person_reason``). No rule here looks at an intent's name; an intent the brand marks
    ``handoff: true`` goes to a person by that mark.
    """
    if understanding.person_reason or understanding.severity != "normal":
        reason = (
            HandoverReason(ReasonKind.TRIAGE, understanding.person_reason)
            if understanding.person_reason
            else HandoverReason(ReasonKind.SEVERITY, understanding.severity)
        )
        # A crisis gets a person's own words, never a canned FAQ, even as a suggestion.
        crisis = understanding.severity == "crisis"
        return Handoff(
            reason=reason,
            severity=Severity(understanding.severity),
            suggested_intent="" if crisis else _answerable(understanding, intent_set),
        )
    if understanding.out_of_scope or understanding.intent is None:
        if understanding.chitchat:
            return Clarify(reason="small talk", prompt="chitchat")
        # The customer already had to rephrase: asking again would be a loop, not help.
        if state.misunderstood_in_a_row + 1 >= max_misunderstood:
            return Handoff(HandoverReason(ReasonKind.REPEATED_FAILURE))
        return Clarify(reason="; ".join(understanding.reasons) or "out of scope")
    intent = intent_set.intents.get(understanding.intent)
    if intent is None:
        return Clarify(reason=f"intent {understanding.intent!r} is not in the live intent set")
    if intent.handoff:
        if understanding.chitchat:
            # "你是机器人吗" scores close to a contact intent, but the triage hears small talk.
            return Clarify(reason=f"small talk, not {intent.name}", prompt="chitchat")
        return Handoff(
            HandoverReason(ReasonKind.INTENT, intent.name), Severity(understanding.severity)
        )
    if not intent.answers:
        return Handoff(HandoverReason(ReasonKind.NO_ANSWER, intent.name))
    return AutoAnswer(intent=intent.name)


def _answerable(understanding: Understanding, intent_set: IntentSet) -> str:
    """The matched FAQ intent whose answer an agent might send, or ""."""
    if understanding.out_of_scope or understanding.intent is None:
        return ""
    intent = intent_set.intents.get(understanding.intent)
    if intent is None or intent.handoff or not intent.answers:
        return ""
    return intent.name
