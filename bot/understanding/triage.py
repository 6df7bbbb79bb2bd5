"""Triage: what a message needs, whatever the brand's intents are.

One head over the embedding the intent head already computed (no second encoder pass) gives,
per message, a probability for each class in ``triage_corpus.CLASSES``: neutral (a question
the bot may answer), chit-chat, a request for a person, a complaint, negative emotion, a harm
or crisis report, abuse. It is trained on data that ships with the project (see
``triage_corpus``), never on the brand's intent names, so a brand that brings its own FAQ
intents still has its complaints and its "get me a human" handed to a person.

The head is ``IntentHead`` (the same two views as the intent head: meaning from the embedding,
surface from character n-grams) fitted with per-source weights and balanced classes. Training
embeds a few thousand texts once per model (vectors are cached on disk), then the fitted head
is cached under a fingerprint of its data, so later starts load it in milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.understanding import head_store
from bot.understanding.encoder import Encoder
from bot.understanding.head import IntentHead
from bot.understanding.triage_corpus import (
    CHITCHAT,
    CLASSES,
    CRISIS,
    DATA_DIR,
    HUMAN_REQUEST,
    NEUTRAL,
    PERSON_CLASSES,
    UNHAPPY_CLASSES,
    TriageExample,
    fingerprint,
    training_examples,
)

logger = logging.getLogger(__name__)

# Weaker regularization than the intent head's default would over-fit the templated public
# sets; measured on the written hold-out (docs/assessment.md).
TRIAGE_MEANING_C = 10.0
TRIAGE_SURFACE_WEIGHT = 0.3
NEUTRAL_SHARE = 2.0
# The 30,000 most frequent character n-grams: as good as all 290,000 on the hold-out, and the
# head small enough to ship.
TRIAGE_MAX_FEATURES = 30_000
# Heads trained on the shipped data for the built-in model, so that a first start does not
# embed twelve thousand texts (``python -m bot.understanding.triage --ship`` writes them).
SHIPPED_HEADS = DATA_DIR / "heads"


@dataclass(frozen=True, slots=True)
class Triage:
    """One message's class probabilities (they sum to 1)."""

    scores: dict[str, float]

    def __getitem__(self, label: str) -> float:
        return self.scores.get(label, 0.0)

    @property
    def person(self) -> float:
        """How likely the message needs a person: every class but neutral and chit-chat."""
        return round(sum(self[label] for label in PERSON_CLASSES), 4)

    @property
    def unhappy(self) -> float:
        """Complaint, negative emotion, crisis and abuse together: the negativity score."""
        return round(sum(self[label] for label in UNHAPPY_CLASSES), 4)

    @property
    def top_person_class(self) -> str:
        return max(PERSON_CLASSES, key=self.__getitem__)

    @property
    def top(self) -> str:
        return max(self.scores, key=self.scores.__getitem__)

    def to_dict(self) -> dict[str, float]:
        return dict(self.scores)


@dataclass(frozen=True)
class TriageConfig:
    reviews_per_class: int = 600
    surface_weight: float = TRIAGE_SURFACE_WEIGHT
    meaning_c: float = TRIAGE_MEANING_C
    max_features: int = TRIAGE_MAX_FEATURES
    neutral_share: float = NEUTRAL_SHARE

    def key(self) -> str:
        return (
            f"{self.reviews_per_class}:{self.surface_weight}:{self.meaning_c}:"
            f"{self.max_features}:{self.neutral_share}"
        )


class TriageModel:
    def __init__(self, encoder: Encoder, head: IntentHead) -> None:
        self.encoder = encoder
        self.head = head
        self._labels = [str(label) for label in head.classes]

    @classmethod
    def load_or_train(
        cls,
        encoder: Encoder,
        cache_dir: Path,
        extra: Mapping[str, Iterable[str]] | None = None,
        config: TriageConfig | None = None,
    ) -> TriageModel:
        """The head for this encoder and data: the one shipped with Switchboard when it was
        trained on exactly this, else one trained here before, else trained now (and kept)."""
        config = config or TriageConfig()
        examples = training_examples(config.reviews_per_class, extra)
        name = f"{fingerprint(examples, encoder.model_id, config.key())}.npz"
        for path in (SHIPPED_HEADS / name, cache_dir / "triage" / name):
            if path.is_file():
                try:
                    return cls(encoder, head_store.load(path))
                except (OSError, ValueError, KeyError) as exc:
                    logger.warning("Ignoring unreadable triage head %s: %s", path, exc)
        model = cls.train(encoder, examples, config)
        head_store.save(model.head, cache_dir / "triage" / name)
        return model

    @classmethod
    def train(
        cls, encoder: Encoder, examples: list[TriageExample], config: TriageConfig
    ) -> TriageModel:
        started = time.perf_counter()
        texts = [e.text for e in examples]
        labels = [e.label for e in examples]
        vectors = encoder.encode_cached(texts, progress=len(texts) > 2000)
        head = IntentHead.fit(
            texts,
            vectors,
            labels,
            config.surface_weight,
            sample_weight=balanced_weights(examples, config.neutral_share),
            meaning_c=config.meaning_c,
            max_features=config.max_features,
        )
        logger.info(
            "Trained the triage head on %d examples in %.1f s",
            len(texts),
            time.perf_counter() - started,
        )
        return cls(encoder, head)

    def score(self, text: str, vector: np.ndarray | None = None) -> Triage:
        """Triage one message; pass its embedding when the caller already has it."""
        if vector is None:
            vector = self.encoder.encode_one(text)
        return self.score_vectors([text], vector[None, :])[0]

    def score_many(self, texts: list[str]) -> list[Triage]:
        return self.score_vectors(texts, self.encoder.encode(texts))

    def score_vectors(self, texts: list[str], vectors: np.ndarray) -> list[Triage]:
        if not texts:
            return []
        rows = self.head.probabilities(texts, vectors)
        return [
            Triage({label: round(float(row[i]), 4) for i, label in enumerate(self._labels)})
            for row in rows
        ]


def balanced_weights(
    examples: list[TriageExample], neutral_share: float = NEUTRAL_SHARE
) -> np.ndarray:
    """Each example's source weight, scaled so that each class weighs the same in total
    (neutral texts outnumber abuse ten to one, and the head must not learn that rarity), except
    neutral, which weighs ``neutral_share`` times a class: five person classes against one
    neutral class would otherwise tilt every doubtful question towards a person."""
    weights = np.asarray([e.weight for e in examples], dtype=np.float64)
    labels = np.asarray([e.label for e in examples])
    present = [label for label in CLASSES if (labels == label).any()]
    total = weights.sum() / len(present)
    for label in present:
        mask = labels == label
        share = neutral_share if label == NEUTRAL else 1.0
        weights[mask] *= share * total / weights[mask].sum()
    return weights


# One head per kind of vectors: int8's, and fp32's (torch and the fp32 ONNX copy share them), so
# a first start loads a head whichever backend this CPU picked. The fp32 head is built with the
# ONNX copy, whose same-length batches need no padding (torch's batches of 32 pad to the longest).
SHIPPED_BACKENDS = ("onnx-int8", "onnx-fp32")


def ship(model: str = "builtin:multilingual-e5-small") -> list[Path]:
    """Write the heads for the shipped data and ``model`` into ``SHIPPED_HEADS``, training those
    that are missing (a maintainer's step after changing the data; other heads are removed)."""
    from bot.settings import EngineSettings
    from bot.understanding.encoder import model_id

    settings = EngineSettings()
    config = TriageConfig(reviews_per_class=settings.assessment.reviews_per_class)
    examples = training_examples(config.reviews_per_class)
    paths = {
        backend: SHIPPED_HEADS
        / f"{fingerprint(examples, model_id(model, backend), config.key())}.npz"
        for backend in SHIPPED_BACKENDS
    }
    for old in SHIPPED_HEADS.glob("*.npz"):
        if old not in paths.values():
            old.unlink()
    for backend, path in paths.items():
        if not path.is_file():
            encoder = Encoder(
                model, settings.data_dir, threads=settings.understanding.threads, backend=backend
            )
            head_store.save(TriageModel.train(encoder, examples, config).head, path)
    return list(paths.values())


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO)
    if sys.argv[1:] != ["--ship"]:
        sys.exit("usage: python -m bot.understanding.triage --ship")
    print("\n".join(str(path) for path in ship()))


__all__ = [
    "CHITCHAT",
    "CRISIS",
    "HUMAN_REQUEST",
    "NEUTRAL",
    "Triage",
    "TriageConfig",
    "TriageModel",
]
