"""The systems the benchmark compares: ours and the peers, behind one small interface.

A system is fitted on a split's training pairs and returns, per test text, its top label, the
top label's confidence, an in-scope score (higher = more in scope; ranks texts for OOS AUROC)
and, where the system has one, its own out-of-scope decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bench.datasets import IntentSplit


@dataclass(frozen=True)
class Scored:
    predicted: list[str]
    confidence: list[float]
    in_scope: list[float]
    out_of_scope: list[bool] | None  # None: decide by a threshold on ``in_scope``
    seconds: float  # wall time of the whole prediction call


class System(Protocol):
    name: str
    settings: dict  # what the table's footnotes report (epochs, iterations, threshold...)

    def fit(self, split: IntentSplit) -> float:
        """Train on ``split.train``; return the training time in seconds."""
        ...

    def predict(self, texts: Sequence[str]) -> Scored: ...

    def close(self) -> None: ...
