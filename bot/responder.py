"""Turns a decision into the words the customer reads, in their language."""

from __future__ import annotations

from bot.intents import LANGUAGES, IntentSet
from bot.policy import AutoAnswer, Clarify, Decision, Handoff
from bot.vocabulary import ReasonKind

# Used only when an intent set ships no `system:` lines of its own.
_DEFAULT_SYSTEM = {
    "clarify": {
        "zh": "抱歉，我没有理解您的问题，能换个说法吗？",
        "en": "Sorry, I didn't understand that. Could you rephrase it?",
    },
    "chitchat": {
        "zh": "您好！我是客服助手，可以帮您查询订单、退换货、配送和付款等问题，"
        "请问有什么可以帮您？",
        "en": "Hi! I'm the support assistant: I can help with orders, returns, shipping and "
        "payment. What can I do for you?",
    },
    "handoff": {
        "zh": "已为您转接人工客服，请稍候。",
        "en": "I've passed your conversation to a colleague, who will reply here shortly.",
    },
}


def render(
    decision: Decision, intent_set: IntentSet, language: str, *, tier: str = "", channel: str = ""
) -> str:
    """The reply text for ``decision`` in ``language`` (falling back to another language),
    using the intent's variant for the customer's tier or the channel kind when it has one."""
    if isinstance(decision, AutoAnswer):
        intent = intent_set.intents[decision.intent]
        return pick_text(intent.answer_for(tier=tier, channel=channel), language)
    if isinstance(decision, Handoff) and decision.reason.kind is ReasonKind.INTENT:
        intent = intent_set.intents.get(decision.reason.intent)
        if intent is not None and intent.answers:
            return pick_text(intent.answers, language)
    key = decision.prompt if isinstance(decision, Clarify) else "handoff"
    return pick_text(intent_set.system.get(key) or _DEFAULT_SYSTEM[key], language)


def pick_text(texts: dict[str, str], language: str) -> str:
    """``texts`` in ``language``, else in the first language that has it."""
    if texts.get(language):
        return texts[language]
    for other in LANGUAGES:
        if texts.get(other):
            return texts[other]
    raise LookupError("no text in any language")
