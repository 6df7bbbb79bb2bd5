"""Stage 1c: messages that are not text for the classifier: media, welcomes, menu clicks.

Connectors say what they received in ``InboundMessage.kind`` (``bot.vocabulary.MessageKind``):
media, the ``start`` command, a follow (subscribe), a menu click. A photo with a caption is
understood by its caption; other media get a polite request for words (a person handling an
open case already saw it: stage 1 stopped).
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.brain import Brain
from bot.customers import CustomerStore
from bot.pipeline.turn import StopPipeline, Turn
from bot.policy import AutoAnswer
from bot.responder import pick_text, render
from bot.understanding.language import detect_language
from bot.vocabulary import MessageKind

_MARKER = re.compile(r"^\[[^\]]*\]\s*")
_DEFAULT_ASK = {
    "zh": "亲，我暂时只能看懂文字哦，麻烦用文字描述一下您的问题~",
    "en": "Sorry, I can only read text for now. Could you describe it in words?",
}


class SpecialMessageStage:
    name = "special"

    def __init__(self, brain: Brain, customers: CustomerStore | None = None) -> None:
        self.brain = brain
        self.customers = customers

    async def __call__(self, turn: Turn) -> None:
        kind, detail = turn.message.kind, turn.message.detail
        if kind is MessageKind.MEDIA:
            caption = _MARKER.sub("", turn.message.text).strip()
            if caption and not caption.startswith("http") and detect_language(caption, default=""):
                turn.message = replace(turn.message, text=caption)  # understood by its caption
                return
            turn.reply(self._system("ask_for_text", _DEFAULT_ASK, turn))
            raise StopPipeline(f"{kind} {detail}: asked for text")
        if kind is MessageKind.SUBSCRIBE or (kind is MessageKind.COMMAND and detail == "start"):
            # The welcome is the greet answer, in the variant for the customer's tier when it
            # has one (a returning VIP is welcomed as one).
            tier = ""
            if self.customers is not None:
                tier = (await self.customers.get(turn.message.customer_key)).tier
            turn.reply(self._answer("greet", turn, tier))
            raise StopPipeline(f"{kind} {detail}: welcomed")
        if kind is MessageKind.MENU_CLICK:
            key = detail
            if key in self.brain.intent_set.intents:
                turn.reply(self._answer(key, turn))
                raise StopPipeline(f"menu click answered with {key}")
            turn.message = replace(turn.message, text=key)  # a label: classify it as text

    def _answer(self, intent: str, turn: Turn, tier: str = "") -> str:
        if intent not in self.brain.intent_set.intents:
            return self._system("clarify", _DEFAULT_ASK, turn)
        return render(
            AutoAnswer(intent),
            self.brain.intent_set,
            _language(turn),
            tier=tier,
            channel=turn.message.channel,
        )

    def _system(self, key: str, default: dict[str, str], turn: Turn) -> str:
        return pick_text(self.brain.intent_set.system.get(key) or default, _language(turn))


def _language(turn: Turn) -> str:
    return turn.state.language or detect_language(turn.message.sender.display_name, default="zh")
