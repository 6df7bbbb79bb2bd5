"""How the customer sounds, from one message: negativity, an explicit request for a person, and
severity by score and crisis keywords. The burst rule needs history and lives in the assess
stage (``bot/pipeline/assess.py``); everything here is synchronous and needs no Redis."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from bot.intents import IntentSet
from bot.settings import AssessmentSettings
from bot.understanding.encoder import Encoder
from bot.understanding.human_request import HumanRequestDetector
from bot.understanding.negativity import NegativityConfig, NegativityModel
from bot.understanding.result import Understanding
from bot.understanding.severity import SeverityRules

logger = logging.getLogger(__name__)


class Assessor:
    def __init__(self, negativity: NegativityModel, human: HumanRequestDetector,
                 rules: SeverityRules) -> None:
        self.negativity = negativity
        self.human = human
        self.rules = rules

    @classmethod
    def build(cls, encoder: Encoder, intent_set: IntentSet, settings: AssessmentSettings,
              data_dir: Path) -> Assessor:
        """Load (or train, seconds; once per model and intent set) the negativity head."""
        config = NegativityConfig(reviews_per_class=settings.reviews_per_class,
                                  vader_weight=settings.english_lexicon_weight)
        return cls(
            NegativityModel.load_or_train(encoder, intent_set, data_dir, config),
            HumanRequestDetector(settings.human_request_patterns),
            SeverityRules.from_settings(settings),
        )

    def assess(self, text: str, understanding: Understanding) -> Understanding:
        """``understanding`` with negativity, human request, severity and their reasons."""
        negativity = self.negativity.score(text)
        severity, reasons = self.rules.assess(text, negativity)
        human = self.human.detect(text, understanding)
        if human is not None:
            reasons.append(human)
        return replace(understanding, negativity=negativity, severity=severity,
                       human_requested=human is not None, assessment_reasons=tuple(reasons))
