"""What the understanding layer says about one message."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Understanding:
    """One result per message: the best intent, how sure, and why it may not count."""

    intent: str | None
    confidence: float
    ranking: tuple[IntentScore, ...]
    out_of_scope: bool
    language: str
    similarity: float = 0.0
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def top_intent(self) -> str:
        """The classifier's best guess, even when it fell back."""
        return self.ranking[0].intent if self.ranking else ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ranking"] = [asdict(score) for score in self.ranking]
        data["reasons"] = list(self.reasons)
        return data
