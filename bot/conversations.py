"""Per-conversation state the pipeline reads at the start of a turn and writes at its end."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from bot import keys


@dataclass
class ConversationState:
    """What the bot remembers about one conversation between turns."""

    language: str = ""
    last_intent: str = ""
    misunderstood_in_a_row: int = 0
    turns: int = 0
    updated_at: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | None) -> ConversationState:
        if not raw:
            return cls()
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in json.loads(raw).items() if k in known})


async def load_state(redis: Redis, conversation_key: str) -> ConversationState:
    return ConversationState.from_json(await redis.get(keys.conversation_state(conversation_key)))
