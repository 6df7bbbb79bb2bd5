"""The admins' working copy of the intent set, kept in Redis until published or discarded.

Saves are optimistic: the draft carries a revision that every save and every discard bumps (a
counter that never goes back, so a draft started after a publish cannot be mistaken for the one
before). An editor sends the revision it loaded; when another admin saved in between, the save
is refused with ``DraftConflict`` carrying the current draft. Every read-modify-write runs
under WATCH, so even saves without a revision (the CLI, misses) never drop a concurrent edit.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from bot import keys
from bot.errors import Conflict, InvalidData
from bot.intent_versions import IntentVersions
from bot.intents import LANGUAGES, VARIANT_KEYS, Intent, IntentSet
from bot.understanding.triage_corpus import CLASSES as TRIAGE_CLASSES

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MAX_EXAMPLE_CHARS = 300


class DraftError(InvalidData):
    """An edit that cannot be applied (bad name, empty examples...)."""


class DraftConflict(Conflict):
    """The editor's revision is stale: another admin saved (or published) in between."""

    def __init__(self, current: Draft, expected: int) -> None:
        super().__init__(f"the draft is at revision {current.revision}, not {expected}")
        self.current = current
        self.expected = expected


@dataclass(frozen=True)
class Draft:
    intent_set: IntentSet
    based_on: int
    updated_by: str
    updated_at: float
    revision: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "intent_set": self.intent_set.to_dict(),
                "based_on": self.based_on,
                "updated_by": self.updated_by,
                "updated_at": self.updated_at,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str, revision: int) -> Draft:
        data = json.loads(raw)
        return cls(
            IntentSet.from_dict(data["intent_set"]),
            data["based_on"],
            data["updated_by"],
            data["updated_at"],
            revision,
        )


class Drafts:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.versions = IntentVersions(redis)

    async def current(self) -> Draft:
        """The draft, or a fresh copy of the live version when nobody is editing."""
        return await self._read(self.redis)

    async def put_intent(
        self,
        name: str,
        data: dict[str, Any],
        by: str,
        rename_from: str | None = None,
        revision: int | None = None,
    ) -> Draft:
        """Create or replace one intent (renaming it when ``rename_from`` is given)."""
        if not _NAME.match(name):
            raise DraftError(
                "intent names: 2-64 lower-case letters, digits or '_', starting with a letter"
            )
        new = _intent(name, data)

        def change(intent_set: IntentSet) -> IntentSet:
            intents = dict(intent_set.intents)
            if rename_from and rename_from != name:
                if rename_from not in intents:
                    raise DraftError(f"no intent {rename_from!r} to rename")
                if name in intents:
                    raise DraftError(f"an intent {name!r} exists already")
                intents.pop(rename_from)
            intents[name] = new
            return replace(intent_set, intents=intents)

        return await self._edit(change, by, revision)

    async def delete_intent(self, name: str, by: str, revision: int | None = None) -> Draft:
        def change(intent_set: IntentSet) -> IntentSet:
            if name not in intent_set.intents:
                raise DraftError(f"no intent {name!r}")
            return replace(
                intent_set, intents={k: v for k, v in intent_set.intents.items() if k != name}
            )

        return await self._edit(change, by, revision)

    async def add_examples(self, name: str, examples: list[str], by: str) -> Draft:
        added = _examples(examples)

        def change(intent_set: IntentSet) -> IntentSet:
            intent = intent_set.intents.get(name)
            if intent is None:
                raise DraftError(f"no intent {name!r}")
            merged = tuple(dict.fromkeys([*intent.examples, *added]))
            return replace(
                intent_set, intents={**intent_set.intents, name: replace(intent, examples=merged)}
            )

        return await self._edit(change, by, None)

    async def add_triage_examples(
        self, label: str, texts: list[str], by: str, revision: int | None = None
    ) -> Draft:
        """Teach the triage head ``texts`` as ``label`` (e.g. neutral: no person needed)."""
        _triage_class(label)
        added = _examples(texts)
        if not added:
            raise DraftError("no texts to add")

        def change(intent_set: IntentSet) -> IntentSet:
            # Taught as one class, a text stops being an example of any other.
            examples = {
                k: kept
                for k, v in intent_set.triage_examples.items()
                if (kept := v if k == label else tuple(t for t in v if t not in added))
            }
            return replace(intent_set, triage_examples=examples).with_triage_examples(
                label, list(added)
            )

        return await self._edit(change, by, revision)

    async def remove_triage_examples(
        self, label: str, texts: list[str], by: str, revision: int | None = None
    ) -> Draft:
        """Take ``texts`` out of the draft's triage examples of ``label``."""
        _triage_class(label)
        gone = set(_examples(texts))

        def change(intent_set: IntentSet) -> IntentSet:
            current = intent_set.triage_examples.get(label, ())
            if not gone & set(current):
                raise DraftError(f"no such triage examples under {label!r}")
            kept = tuple(text for text in current if text not in gone)
            examples = {k: v for k, v in intent_set.triage_examples.items() if k != label}
            if kept:
                examples[label] = kept
            return replace(intent_set, triage_examples=examples)

        return await self._edit(change, by, revision)

    async def discard(self, revision: int | None = None) -> None:
        """Throw the draft away (only if still at ``revision``, when given)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(keys.INTENTS_DRAFT, keys.INTENTS_DRAFT_REVISION)
                    if revision is not None:
                        current = await self._read(pipe)
                        if current.revision != revision:
                            raise DraftConflict(current, revision)
                    pipe.multi()
                    pipe.delete(keys.INTENTS_DRAFT)
                    pipe.incr(keys.INTENTS_DRAFT_REVISION)
                    await pipe.execute()
                    return
                except WatchError:
                    continue

    async def save(self, intent_set: IntentSet, draft: Draft, by: str) -> Draft:
        """Replace the draft's content (keeping what it is based on); refused with
        ``DraftConflict`` if the draft changed since ``draft`` was read."""
        return await self._edit(lambda _: intent_set, by, draft.revision)

    async def _edit(
        self, change: Callable[[IntentSet], IntentSet], by: str, revision: int | None
    ) -> Draft:
        """Apply ``change`` to the current draft atomically; with ``revision``, only if the
        draft is still at that revision."""
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(keys.INTENTS_DRAFT, keys.INTENTS_DRAFT_REVISION)
                    draft = await self._read(pipe)
                    if revision is not None and draft.revision != revision:
                        raise DraftConflict(draft, revision)
                    saved = Draft(
                        change(draft.intent_set),
                        draft.based_on,
                        by,
                        time.time(),
                        draft.revision + 1,
                    )
                    pipe.multi()
                    pipe.set(keys.INTENTS_DRAFT, saved.to_json())
                    pipe.set(keys.INTENTS_DRAFT_REVISION, saved.revision)
                    await pipe.execute()
                    return saved
                except WatchError:
                    continue  # saved by someone else meanwhile: read again (and compare again)

    async def _read(self, client: Redis | Pipeline) -> Draft:
        raw = await client.get(keys.INTENTS_DRAFT)
        revision = int(await client.get(keys.INTENTS_DRAFT_REVISION) or 0)
        if raw:
            return Draft.from_json(raw, revision)
        live = await self.versions.live()
        if live is None:
            raise DraftError("no live intent set yet; start the service once to seed it")
        return Draft(live.intent_set, live.number, "", 0.0, revision)


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


def _triage_class(label: str) -> None:
    if label not in TRIAGE_CLASSES:
        raise DraftError(f"triage class {label!r}: use one of {', '.join(TRIAGE_CLASSES)}")


def _examples(lines: list[str]) -> tuple[str, ...]:
    cleaned = [line.strip() for line in lines if isinstance(line, str) and line.strip()]
    if any(len(line) > MAX_EXAMPLE_CHARS for line in cleaned):
        raise DraftError(f"examples are at most {MAX_EXAMPLE_CHARS} characters")
    return tuple(dict.fromkeys(cleaned))


def _texts(texts: dict[str, Any]) -> dict[str, str]:
    stripped = {lang: str(texts.get(lang) or "").strip() for lang in LANGUAGES}
    return {lang: text for lang, text in stripped.items() if text}
