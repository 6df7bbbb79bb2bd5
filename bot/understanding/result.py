"""What the understanding layer says about one message."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.vocabulary import Severity


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Understanding:
    """One result per message: the best intent, how sure, and why it may not count; then how
    the customer sounds (filled by the assess stage): the triage classes' probabilities,
    negativity, an explicit request for a person, severity, and the reasons for those
    (``reasons`` stays the fallback reasons). ``person_reason`` is set when the message needs a
    person whatever its intent ("complaint 0.94", "asked for a person: '转人工'")."""

    intent: str | None
    confidence: float
    ranking: tuple[IntentScore, ...]
    out_of_scope: bool
    language: str
    similarity: float = 0.0
    reasons: tuple[str, ...] = field(default_factory=tuple)
    negativity: float = 0.0
    severity: Severity = Severity.NORMAL
    human_requested: bool = False
    assessment_reasons: tuple[str, ...] = field(default_factory=tuple)
    triage: dict[str, float] = field(default_factory=dict)
    person_reason: str = ""
    # The same in parts: kind, score, quote, detail (``assessment.PersonReason``).
    person: dict[str, Any] = field(default_factory=dict)
    # The message is small talk (greeting, "are you a bot?", the weather): not an FAQ question.
    chitchat: bool = False

    @property
    def top_intent(self) -> str:
        """The classifier's best guess, even when it fell back."""
        return self.ranking[0].intent if self.ranking else ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ranking"] = [asdict(score) for score in self.ranking]
        data["reasons"] = list(self.reasons)
        data["assessment_reasons"] = list(self.assessment_reasons)
        return data
