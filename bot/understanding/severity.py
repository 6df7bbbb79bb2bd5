"""Severity of a message: ``normal``, ``negative`` or ``crisis``.

- ``negative``: the negativity score reaches the configured threshold.
- ``crisis``, from the message alone, by two kinds of keyword:

  * ``crisis_keywords`` (起诉, 12315, 报警, food poisoning, lawsuit ...) are a crisis wherever
    they appear, even in a question: a customer who asks "你们被起诉过吗" is probing, and what a
    brand says about lawsuits or regulators is for a person to say, not a bot.
  * ``harm_keywords`` (过敏, 烂脸, rash, allergy, scam ...) are also what careful buyers ask about
    before buying ("敏感肌会过敏吗", "is it safe with a nut allergy?"). Each occurrence is read in
    its clause (the text between punctuation marks): a question pattern starting *before* the
    keyword ("会不会烂脸", "will it cause a rash") makes it hypothetical; otherwise a report
    marker anywhere in the clause ("过敏了", "用了之后", "I got", "had ... after") makes it
    something that happened. A reported harm is a crisis; a hypothetical one is not (the score
    alone may still make the message negative); one that is neither is a crisis only when the
    negativity score reaches ``harm_negativity``.

- ``crisis`` by a burst: ``count`` different customers sent negative messages on one topic
  within ``window_seconds``. One angry customer repeating himself is not a burst; three customers
  complaining about the same thing in ten minutes is how a product recall starts.

Every verdict leaves a reason ("crisis keyword 过敏 in a question: not a crisis"). The rules are
pure and testable without Redis; the burst bookkeeping (a sorted set per topic of customer ids
scored by time) is the one async function, ``record_negative``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from redis.asyncio import Redis

from bot import keys
from bot.understanding.result import Understanding
from bot.understanding.text_match import first_keyword, keyword_pattern, normalize
from bot.vocabulary import Severity

if TYPE_CHECKING:
    from bot.settings import AssessmentSettings

_CLAUSE_END = re.compile(r"(?<=[,.!?;:。、…~])")  # split after each mark, keeping it ("吗?")


@dataclass(frozen=True)
class _Harm:
    """How one harm keyword occurrence reads: ``kind`` is report, question or plain."""

    keyword: str
    kind: Literal["report", "question", "plain"]
    marker: str = ""


def _compile(expressions: Mapping[str, Iterable[str]], what: str) -> list[re.Pattern[str]]:
    compiled = []
    for language, patterns in expressions.items():
        for expression in patterns:
            try:
                compiled.append(re.compile(expression, re.IGNORECASE))
            except re.error as exc:
                raise ValueError(
                    f"{what} {expression!r} ({language}) is not a valid regular expression: {exc}"
                ) from exc
    return compiled


def _keywords(lists: Mapping[str, Iterable[str]]) -> dict[str, re.Pattern[str]]:
    return {
        keyword: keyword_pattern(keyword)
        for words in lists.values()
        for keyword in words
        if keyword.strip()
    }


@dataclass(frozen=True)
class SeverityRules:
    """Built with ``crisis_keywords`` only (the original form) every keyword is a crisis wherever
    it appears; ``harm_keywords`` and the two pattern lists add the report/question reading."""

    negativity_threshold: float
    crisis_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    harm_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    report_markers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    question_patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    harm_negativity: float = 0.6

    def __post_init__(self) -> None:
        harm = _keywords(self.harm_keywords)
        # A word on both lists is a harm word: a config written before the split lists 过敏
        # among crisis_keywords, and adding harm_keywords must be enough to upgrade it.
        always = {k: p for k, p in _keywords(self.crisis_keywords).items() if k not in harm}
        object.__setattr__(self, "_always", always)
        object.__setattr__(self, "_harm", harm)
        object.__setattr__(self, "_patterns", {**always, **harm})
        object.__setattr__(self, "_reports", _compile(self.report_markers, "report marker"))
        object.__setattr__(self, "_questions", _compile(self.question_patterns, "question pattern"))

    @classmethod
    def from_lists(
        cls,
        negativity_threshold: float,
        crisis_keywords: Mapping[str, Iterable[str]],
        *,
        harm_keywords: Mapping[str, Iterable[str]] | None = None,
        report_markers: Mapping[str, Iterable[str]] | None = None,
        question_patterns: Mapping[str, Iterable[str]] | None = None,
        harm_negativity: float = 0.6,
    ) -> SeverityRules:
        def tuples(lists: Mapping[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
            return {language: tuple(words) for language, words in (lists or {}).items()}

        return cls(
            negativity_threshold,
            tuples(crisis_keywords),
            tuples(harm_keywords),
            tuples(report_markers),
            tuples(question_patterns),
            harm_negativity,
        )

    @classmethod
    def from_settings(cls, settings: AssessmentSettings) -> SeverityRules:
        return cls.from_lists(
            settings.negativity_threshold,
            settings.crisis_keywords,
            harm_keywords=settings.harm_keywords,
            report_markers=settings.harm_report_markers,
            question_patterns=settings.harm_question_patterns,
            harm_negativity=settings.harm_negativity,
        )

    def crisis_keyword(self, text: str) -> str | None:
        """The first crisis or harm keyword in ``text``, whether or not it makes a crisis (every
        language's list is checked: customers mix scripts, "my face 过敏 after using it")."""
        return first_keyword(normalize(text), self._patterns)  # type: ignore[attr-defined]

    def assess(self, text: str, negativity: float) -> tuple[Severity, list[str]]:
        """Severity from the message alone (the burst needs history: see ``record_negative``)."""
        normalized = normalize(text)
        always = first_keyword(normalized, self._always)  # type: ignore[attr-defined]
        if always is not None:
            crisis, reasons = True, [f"crisis keyword: {always} (always a crisis)"]
        else:
            crisis, reasons = self._judge_harm(self._read_harm(normalized), negativity)
        if negativity >= self.negativity_threshold:
            reasons.append(f"negativity {negativity:.2f} >= {self.negativity_threshold:.2f}")
        if crisis:
            return "crisis", reasons
        negative = negativity >= self.negativity_threshold
        return ("negative" if negative else "normal"), reasons

    def _read_harm(self, normalized: str) -> list[_Harm]:
        found: list[_Harm] = []
        for clause in _CLAUSE_END.split(normalized):
            for keyword, pattern in self._harm.items():  # type: ignore[attr-defined]
                for match in pattern.finditer(clause):
                    found.append(self._read_occurrence(clause, keyword, match.start()))
        return found

    def _read_occurrence(self, clause: str, keyword: str, start: int) -> _Harm:
        for question in self._questions:  # type: ignore[attr-defined]
            asked = question.search(clause)
            if asked is not None and asked.start() < start:
                return _Harm(keyword, "question", asked.group(0))
        for report in self._reports:  # type: ignore[attr-defined]
            reported = report.search(clause)
            if reported is not None:
                return _Harm(keyword, "report", reported.group(0))
        return _Harm(keyword, "plain")

    def _judge_harm(self, found: list[_Harm], negativity: float) -> tuple[bool, list[str]]:
        """Reported beats plain beats question; the reason names the occurrence that decided."""
        by_kind = {
            kind: next((h for h in found if h.kind == kind), None)
            for kind in ("report", "plain", "question")
        }
        report, plain, question = by_kind["report"], by_kind["plain"], by_kind["question"]
        if report is not None:
            return True, [
                f"crisis keyword: {report.keyword}",
                f"{report.keyword} reported ({report.marker.strip()})",
            ]
        if plain is not None and negativity >= self.harm_negativity:
            return True, [
                f"crisis keyword: {plain.keyword}",
                f"{plain.keyword} with negativity {negativity:.2f} >= {self.harm_negativity:.2f}",
            ]
        if question is not None:
            return False, [
                f"crisis keyword {question.keyword} in a question "
                f"({question.marker.strip()}): not a crisis"
            ]
        if plain is not None:
            return False, [
                f"crisis keyword {plain.keyword} neither reported nor negative "
                f"({negativity:.2f} < {self.harm_negativity:.2f}): not a crisis"
            ]
        return False, []


@dataclass(frozen=True)
class BurstRule:
    count: int
    window_seconds: float
    topic: str = "intent"  # "intent": per top intent (or crisis keyword); "any": one topic

    def topic_of(
        self,
        understanding: Understanding,
        keyword: str | None,
        subjects: Iterable[str] | None = None,
    ) -> str:
        """What a negative message is about, for counting customers who say the same.

        ``subjects`` are the intents that name a subject (an FAQ topic), as opposed to a tone:
        an intent marked ``handoff`` (a complaint intent, say) tells how the customer feels,
        not what about, so the best-ranked subject intent is the topic. Three customers angry
        about refunds then count together even when one reads a little more like "complaint"
        than "refund_status" on some CPU's arithmetic."""
        if self.topic == "any":
            return "any"
        if keyword is not None:
            return f"keyword:{keyword}"
        if subjects is not None:
            allowed = set(subjects)
            for score in understanding.ranking:
                if score.intent in allowed:
                    return f"intent:{score.intent}"
        return f"intent:{understanding.top_intent or 'none'}"

    def fires(self, distinct_customers: int) -> bool:
        return distinct_customers >= self.count


async def record_negative(
    redis: Redis, topic: str, customer: str, now: float, window_seconds: float
) -> int:
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


def worse(a: str, b: str) -> Severity:
    return Severity.worst(a, b)
