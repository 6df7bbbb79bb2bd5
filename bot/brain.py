"""The intent set and trained classifier a process is answering with right now.

Stages read ``brain.classifier`` on every turn instead of holding their own reference, so a
newly published intent set can be swapped in without restarting anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.intents import IntentSet
from bot.understanding.classifier import IntentClassifier


@dataclass
class Brain:
    classifier: IntentClassifier

    @property
    def intent_set(self) -> IntentSet:
        return self.classifier.intent_set
