"""The admins' working copy of the intent set, kept in Redis until published or discarded."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, replace
from typing import Any

from redis.asyncio import Redis

from bot import keys
from bot.intent_versions import IntentVersions
from bot.intents import LANGUAGES, VARIANT_KEYS, Intent, IntentSet

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MAX_EXAMPLE_CHARS = 300


class DraftError(ValueError):
    """An edit that cannot be applied (bad name, empty examples...)."""


@dataclass(frozen=True)
class Draft:
    intent_set: IntentSet
    based_on: int
    updated_by: str
    updated_at: float

    def to_json(self) -> str:
        return json.dumps({"intent_set": self.intent_set.to_dict(), "based_on": self.based_on,
                           "updated_by": self.updated_by, "updated_at": self.updated_at},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Draft:
        data = json.loads(raw)
        return cls(IntentSet.from_dict(data["intent_set"]), data["based_on"],
                   data["updated_by"], data["updated_at"])


class Drafts:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.versions = IntentVersions(redis)

    async def current(self) -> Draft:
        """The draft, or a fresh copy of the live version when nobody is editing."""
        raw = await self.redis.get(keys.INTENTS_DRAFT)
        if raw:
            return Draft.from_json(raw)
        live = await self.versions.live()
        if live is None:
            raise DraftError("no live intent set yet; start the service once to seed it")
        return Draft(live.intent_set, live.number, "", 0.0)

    async def put_intent(self, name: str, data: dict[str, Any], by: str,
                         rename_from: str | None = None) -> Draft:
        """Create or replace one intent (renaming it when ``rename_from`` is given)."""
        if not _NAME.match(name):
            raise DraftError("intent names: 2-64 lower-case letters, digits or '_', "
                             "starting with a letter")
        draft = await self.current()
        intents = dict(draft.intent_set.intents)
        if rename_from and rename_from != name:
            if rename_from not in intents:
                raise DraftError(f"no intent {rename_from!r} to rename")
            if name in intents:
                raise DraftError(f"an intent {name!r} exists already")
            intents.pop(rename_from)
        intents[name] = _intent(name, data)
        return await self._save(replace(draft.intent_set, intents=intents), draft, by)

    async def delete_intent(self, name: str, by: str) -> Draft:
        draft = await self.current()
        if name not in draft.intent_set.intents:
            raise DraftError(f"no intent {name!r}")
        intents = {k: v for k, v in draft.intent_set.intents.items() if k != name}
        return await self._save(replace(draft.intent_set, intents=intents), draft, by)

    async def add_examples(self, name: str, examples: list[str], by: str) -> Draft:
        draft = await self.current()
        intent = draft.intent_set.intents.get(name)
        if intent is None:
            raise DraftError(f"no intent {name!r}")
        merged = tuple(dict.fromkeys([*intent.examples, *_examples(examples)]))
        intents = {**draft.intent_set.intents, name: replace(intent, examples=merged)}
        return await self._save(replace(draft.intent_set, intents=intents), draft, by)

    async def discard(self) -> None:
        await self.redis.delete(keys.INTENTS_DRAFT)

    async def save(self, intent_set: IntentSet, draft: Draft, by: str) -> Draft:
        """Replace the draft's content (keeping what it is based on)."""
        return await self._save(intent_set, draft, by)

    async def _save(self, intent_set: IntentSet, draft: Draft, by: str) -> Draft:
        saved = Draft(intent_set, draft.based_on, by, time.time())
        await self.redis.set(keys.INTENTS_DRAFT, saved.to_json())
        return saved


def _intent(name: str, data: dict[str, Any]) -> Intent:
    examples = _examples(data.get("examples", []))
    if len(examples) < 2:
        raise DraftError("an intent needs at least 2 examples")
    answers = _texts(data.get("answers", {}))
    variants = {}
    for key, texts in (data.get("variants") or {}).items():
        if key not in VARIANT_KEYS:
            raise DraftError(f"variant {key!r}: use one of {', '.join(VARIANT_KEYS)}")
        if _texts(texts):
            variants[key] = _texts(texts)
    return Intent(name, examples, answers, bool(data.get("handoff", False)), variants)


def _examples(lines: list[str]) -> tuple[str, ...]:
    cleaned = [line.strip() for line in lines if isinstance(line, str) and line.strip()]
    if any(len(line) > MAX_EXAMPLE_CHARS for line in cleaned):
        raise DraftError(f"examples are at most {MAX_EXAMPLE_CHARS} characters")
    return tuple(dict.fromkeys(cleaned))


def _texts(texts: dict[str, Any]) -> dict[str, str]:
    stripped = {lang: str(texts.get(lang) or "").strip() for lang in LANGUAGES}
    return {lang: text for lang, text in stripped.items() if text}
