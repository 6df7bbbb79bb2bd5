"""How the customer sounds, from one message: the triage classes, negativity, an explicit request
for a person, small talk, and severity. The burst rule needs history and lives in the assess
stage (``bot/pipeline/assess.py``); everything here is synchronous and needs no Redis.

The triage head decides; keyword lists are extra evidence on top of it (a configured pattern
such as "转人工" or a legal threat such as "12315" always counts), never the only way in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from bot.settings import AssessmentSettings
from bot.understanding.encoder import Encoder
from bot.understanding.human_request import HumanRequestDetector
from bot.understanding.result import Understanding
from bot.understanding.severity import SeverityRules, worse
from bot.understanding.triage import Triage, TriageConfig, TriageModel
from bot.understanding.triage_corpus import CHITCHAT, CRISIS, HUMAN_REQUEST, UNHAPPY_CLASSES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TriageThresholds:
    person: float = 0.5
    crisis: float = 0.5
    chitchat: float = 0.5

    @classmethod
    def from_settings(cls, settings: AssessmentSettings) -> TriageThresholds:
        return cls(settings.person_threshold, settings.crisis_threshold,
                   settings.chitchat_threshold)


class Assessor:
    def __init__(self, triage: TriageModel, human: HumanRequestDetector, rules: SeverityRules,
                 thresholds: TriageThresholds | None = None) -> None:
        self.triage = triage
        self.human = human
        self.rules = rules
        self.thresholds = thresholds or TriageThresholds()

    @classmethod
    def build(cls, encoder: Encoder, settings: AssessmentSettings, data_dir: Path,
              extra: Mapping[str, Iterable[str]] | None = None) -> Assessor:
        """Load (or train once per model and data: see ``TriageModel``) the triage head.
        ``extra`` holds the brand's own triage examples (class -> texts)."""
        config = TriageConfig(reviews_per_class=settings.reviews_per_class)
        return cls(
            TriageModel.load_or_train(encoder, data_dir, extra, config),
            HumanRequestDetector(settings.human_request_patterns),
            SeverityRules.from_settings(settings),
            TriageThresholds.from_settings(settings),
        )

    def assess(self, text: str, understanding: Understanding) -> Understanding:
        """``understanding`` with triage, negativity, human request, severity and reasons."""
        triage = self.triage.score(text)
        negativity = triage.unhappy
        severity, reasons = self.rules.assess(text, negativity)
        if triage[CRISIS] >= self.thresholds.crisis:
            severity = worse(severity, "crisis")
            reasons.append(f"crisis report {triage[CRISIS]:.2f}")
        person_reason = self._person_reason(text, triage, severity, reasons)
        human = person_reason.startswith("asked for a person")
        if person_reason and triage.top_person_class in UNHAPPY_CLASSES and not human:
            # A complaint is negative even when the wording is calm.
            severity = worse(severity, "negative")
        if person_reason and person_reason not in reasons:
            reasons.append(person_reason)
        chitchat = not person_reason and triage[CHITCHAT] >= self.thresholds.chitchat
        return replace(understanding, negativity=negativity, severity=severity,
                       human_requested=human, assessment_reasons=tuple(reasons),
                       triage=triage.to_dict(), person_reason=person_reason, chitchat=chitchat)

    def _person_reason(self, text: str, triage: Triage, severity: str,
                       reasons: list[str]) -> str:
        """Why this message needs a person whatever its intent, or "" when it does not."""
        pattern = self.human.detect(text)
        if pattern is not None:
            return f"asked for a person: {_quote(text)} ({pattern})"
        if severity == "crisis":
            return "crisis: " + "; ".join(reasons)
        if triage.person >= self.thresholds.person:
            top = triage.top_person_class
            if top == HUMAN_REQUEST:
                return f"asked for a person: {_quote(text)} ({HUMAN_REQUEST} {triage[top]:.2f})"
            return f"{top} {triage[top]:.2f}"
        if severity == "negative":
            return "negative: " + "; ".join(reasons)
        return ""


def _quote(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return f"'{one_line[:limit]}…'" if len(one_line) > limit else f"'{one_line}'"
