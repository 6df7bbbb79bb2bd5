"""Severity of a message: ``normal``, ``negative`` or ``crisis``.

- ``negative``: the negativity score reaches the configured threshold.
- ``crisis``: a crisis keyword (allergy, food safety, lawsuit, 12315...) appears, whatever the
  score; or a burst: ``count`` different customers sent negative messages on one topic within
  ``window_seconds``. One angry customer repeating himself is not a burst; three customers
  complaining about the same thing in ten minutes is how a product recall starts.

The rules are pure and testable without Redis; the burst bookkeeping (a sorted set per topic of
customer ids scored by time) is the one async function, ``record_negative``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bot import keys
from bot.understanding.result import Severity, Understanding
from bot.understanding.text_match import first_keyword, keyword_pattern, normalize

SEVERITY_ORDER: dict[str, int] = {"normal": 0, "negative": 1, "crisis": 2}


@dataclass(frozen=True)
class SeverityRules:
    negativity_threshold: float
    crisis_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        patterns = {
            keyword: keyword_pattern(keyword)
            for words in self.crisis_keywords.values()
            for keyword in words
            if keyword.strip()
        }
        object.__setattr__(self, "_patterns", patterns)

    @classmethod
    def from_lists(cls, negativity_threshold: float,
                   crisis_keywords: Mapping[str, Iterable[str]]) -> SeverityRules:
        return cls(negativity_threshold,
                   {language: tuple(words) for language, words in crisis_keywords.items()})

    def crisis_keyword(self, text: str) -> str | None:
        """The first crisis keyword in ``text`` (every language's list is checked: customers
        mix scripts, "my face 过敏 after using it")."""
        return first_keyword(normalize(text), self._patterns)  # type: ignore[attr-defined]

    def assess(self, text: str, negativity: float) -> tuple[Severity, list[str]]:
        """Severity from the message alone (the burst needs history: see ``record_negative``)."""
        reasons: list[str] = []
        keyword = self.crisis_keyword(text)
        if keyword is not None:
            reasons.append(f"crisis keyword: {keyword}")
        if negativity >= self.negativity_threshold:
            reasons.append(f"negativity {negativity:.2f} >= {self.negativity_threshold:.2f}")
        if keyword is not None:
            return "crisis", reasons
        return ("negative" if reasons else "normal"), reasons


@dataclass(frozen=True)
class BurstRule:
    count: int
    window_seconds: float
    topic: str = "intent"  # "intent": per top intent (or crisis keyword); "any": one topic

    def topic_of(self, understanding: Understanding, keyword: str | None) -> str:
        """What a negative message is about, for counting customers who say the same."""
        if self.topic == "any":
            return "any"
        if keyword is not None:
            return f"keyword:{keyword}"
        return f"intent:{understanding.top_intent or 'none'}"

    def fires(self, distinct_customers: int) -> bool:
        return distinct_customers >= self.count


async def record_negative(redis: Redis, topic: str, customer: str, now: float,
                          window_seconds: float) -> int:
    """Note that ``customer`` sent a negative message on ``topic`` at ``now``; return how many
    different customers did so within the window (this one included).

    One sorted set per topic, member = customer, score = time of the latest message: a customer
    repeating himself moves his score but never counts twice. One transaction, so concurrent
    workers all see a consistent count.
    """
    key = keys.negative_burst(topic)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(key, {customer: now})
        pipe.zremrangebyscore(key, "-inf", f"({now - window_seconds}")
        pipe.zcard(key)
        pipe.expire(key, max(1, int(window_seconds) + 1))
        _, _, count, _ = await pipe.execute()
    return int(count)


def worse(a: Severity, b: Severity) -> Severity:
    return a if SEVERITY_ORDER[a] >= SEVERITY_ORDER[b] else b
