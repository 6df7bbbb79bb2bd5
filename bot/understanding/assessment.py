"""How the customer sounds, from one message: the triage classes, negativity, an explicit request
for a person, small talk, and severity. The burst rule needs history and lives in the assess
stage (``bot/pipeline/assess.py``); everything here is synchronous and needs no Redis.

The triage head decides; keyword lists are extra evidence on top of it (a configured pattern
such as "转人工" or a legal threat such as "12315" always counts), never the only way in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
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
        return cls(
            settings.person_threshold, settings.crisis_threshold, settings.chitchat_threshold
        )


class Assessor:
    def __init__(
        self,
        triage: TriageModel,
        human: HumanRequestDetector,
        rules: SeverityRules,
        thresholds: TriageThresholds | None = None,
    ) -> None:
        self.triage = triage
        self.human = human
        self.rules = rules
        self.thresholds = thresholds or TriageThresholds()

    @classmethod
    def build(
        cls,
        encoder: Encoder,
        settings: AssessmentSettings,
        data_dir: Path,
        extra: Mapping[str, Iterable[str]] | None = None,
    ) -> Assessor:
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
        person = self._person(text, triage, severity, reasons)
        person_reason = person.text if person is not None else ""
        human = person is not None and person.kind == HUMAN_REQUEST
        if person_reason and triage.top_person_class in UNHAPPY_CLASSES and not human:
            # A complaint is negative even when the wording is calm.
            severity = worse(severity, "negative")
        if person_reason and person_reason not in reasons:
            reasons.append(person_reason)
        chitchat = not person_reason and triage[CHITCHAT] >= self.thresholds.chitchat
        return replace(
            understanding,
            negativity=negativity,
            severity=severity,
            human_requested=human,
            assessment_reasons=tuple(reasons),
            triage=triage.to_dict(),
            person_reason=person_reason,
            person=asdict(person) if person is not None else {},
            chitchat=chitchat,
        )

    def _person(
        self, text: str, triage: Triage, severity: str, reasons: list[str]
    ) -> PersonReason | None:
        """Why this message needs a person whatever its intent, or None when it does not."""
        pattern = self.human.detect(text)
        if pattern is not None:
            return PersonReason(HUMAN_REQUEST, None, _quote(text), pattern)
        if severity == "crisis":
            return PersonReason(CRISIS, None, "", "; ".join(reasons))
        if triage.person >= self.thresholds.person:
            top = triage.top_person_class
            return PersonReason(top, triage[top], _quote(text) if top == HUMAN_REQUEST else "")
        if severity == "negative":
            return PersonReason("negative", None, "", "; ".join(reasons))
        return None


@dataclass(frozen=True)
class PersonReason:
    """Why a message goes to a person, in parts (the console words them in the agent's
    language): the triage class, its probability when it decided, the customer's words for a
    request, and the rule that decided otherwise."""

    kind: str
    score: float | None = None
    quote: str = ""
    detail: str = ""

    @property
    def text(self) -> str:
        """The same in one English line: "complaint 0.94", "asked for a person: '转人工'
        (pattern (zh) 转人工)", "crisis: crisis keyword: 过敏; ..."."""
        if self.kind == HUMAN_REQUEST:
            by = self.detail or f"{HUMAN_REQUEST} {self.score:.2f}"
            return f"asked for a person: '{self.quote}' ({by})"
        if self.score is not None:
            return f"{self.kind} {self.score:.2f}"
        return f"{self.kind}: {self.detail}"


def _quote(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return f"{one_line[:limit]}…" if len(one_line) > limit else one_line
