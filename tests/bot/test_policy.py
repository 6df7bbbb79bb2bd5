from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.conversations import ConversationState
from bot.intents import load_intent_set
from bot.policy import AutoAnswer, Clarify, Handoff, decide
from bot.responder import render
from bot.understanding.result import IntentScore, Understanding
from bot.vocabulary import HandoverReason

INTENTS = load_intent_set(Path(__file__).resolve().parents[2] / "intents")


def _understood(intent: str | None, language: str = "en") -> Understanding:
    top = intent or "greet"
    return Understanding(
        intent=intent,
        confidence=0.9 if intent else 0.2,
        ranking=(IntentScore(top, 0.9),),
        out_of_scope=intent is None,
        language=language,
        reasons=() if intent else ("confidence 0.20 < 0.45",),
    )


def test_a_known_faq_is_answered() -> None:
    decision = decide(
        _understood("return_policy"), ConversationState(), INTENTS, max_misunderstood=2
    )
    assert decision == AutoAnswer("return_policy")
    assert "7 days" in render(decision, INTENTS, "en")
    assert "7天" in render(decision, INTENTS, "zh")


def test_out_of_scope_asks_to_rephrase_then_hands_over() -> None:
    state = ConversationState()
    first = decide(_understood(None), state, INTENTS, max_misunderstood=2)
    assert isinstance(first, Clarify)
    assert "rephrase" in render(first, INTENTS, "en")
    state.misunderstood_in_a_row = 1
    second = decide(_understood(None), state, INTENTS, max_misunderstood=2)
    assert second == Handoff(reason=HandoverReason.parse("repeated_failure"))
    assert "colleague" in render(second, INTENTS, "en")


@pytest.mark.parametrize("intent", ["contact_human", "complaint"])
def test_always_human_intents_hand_over_with_their_own_words(intent: str) -> None:
    # By the intent's handoff mark, not its name; severity comes from the triage alone.
    decision = decide(_understood(intent, "zh"), ConversationState(), INTENTS, max_misunderstood=2)
    assert decision == Handoff(reason=HandoverReason.parse(f"intent:{intent}"), severity="normal")
    assert render(decision, INTENTS, "zh") == INTENTS.intents[intent].answers["zh"]


def test_a_renamed_handoff_intent_works_the_same() -> None:
    renamed = INTENTS.intents["complaint"]
    intents = type(INTENTS)(
        {**INTENTS.intents, "beschwerde": replace(renamed, name="beschwerde")}, INTENTS.system
    )
    decision = decide(_understood("beschwerde"), ConversationState(), intents, max_misunderstood=2)
    assert decision == Handoff(reason=HandoverReason.parse("intent:beschwerde"), severity="normal")


def test_a_complaint_on_an_faq_topic_goes_to_a_person_with_the_faq_as_suggestion() -> None:
    faq = replace(
        _understood("refund_status", "zh"),
        severity="negative",
        negativity=0.8,
        person_reason="complaint 0.91",
    )
    decision = decide(faq, ConversationState(), INTENTS, max_misunderstood=2)
    assert decision == Handoff(
        reason=HandoverReason.parse("complaint 0.91"),
        severity="negative",
        suggested_intent="refund_status",
    )


def test_no_suggestion_when_nothing_matched() -> None:
    lost = replace(_understood(None), severity="negative", person_reason="negative 0.88")
    decision = decide(lost, ConversationState(), INTENTS, max_misunderstood=2)
    assert decision == Handoff(reason=HandoverReason.parse("negative 0.88"), severity="negative")


def test_small_talk_gets_a_friendly_line_and_is_no_misunderstanding() -> None:
    state = ConversationState(misunderstood_in_a_row=1)
    chat = replace(_understood(None), chitchat=True)
    decision = decide(chat, state, INTENTS, max_misunderstood=2)
    assert decision == Clarify(reason="small talk", prompt="chitchat")
    assert render(decision, INTENTS, "en") == INTENTS.system["chitchat"]["en"]
    # Small talk that lands near a hand-over intent ("are you a bot?") is still small talk.
    near = replace(_understood("contact_human"), chitchat=True)
    assert decide(near, state, INTENTS, max_misunderstood=2).kind == "clarify"


def test_a_missing_language_falls_back_to_another() -> None:
    decision = AutoAnswer("greet")
    assert render(decision, INTENTS, "fr") == INTENTS.intents["greet"].answers["zh"]


def test_how_the_customer_sounds_outweighs_what_they_asked() -> None:
    faq = _understood("shipping_time")
    crisis = replace(faq, severity="crisis", assessment_reasons=("crisis keyword 过敏",))
    assert decide(crisis, ConversationState(), INTENTS, max_misunderstood=2) == Handoff(
        reason=HandoverReason.parse("crisis"), severity="crisis"
    )
    angry = replace(faq, severity="negative", negativity=0.9)
    assert decide(angry, ConversationState(), INTENTS, max_misunderstood=2).severity == "negative"
    asks = replace(faq, human_requested=True, person_reason="asked for a person: 'agent'")
    assert decide(asks, ConversationState(), INTENTS, max_misunderstood=2) == Handoff(
        reason=HandoverReason.parse("asked for a person: 'agent'"),
        severity="normal",
        suggested_intent="shipping_time",
    )
