"""The intent head: which intent a message is, as probabilities, from two views of it.

- Meaning: logistic regression on the sentence embedding. It knows paraphrases, other wordings
  and the other language, but blurs surface details: product names, codes, a telling word.
- Surface: logistic regression on character 1-4-gram TF-IDF of the text (what Rasa's
  ``CountVectorsFeaturizer`` with ``char_wb`` sees). Character n-grams need no tokenizer, so
  they work for Chinese as they are.

The two are combined as a weighted geometric mean of their probabilities (a product of experts),
renormalized: an intent wins when both views find it plausible. Measured on the benchmark's splits
with the int8 encoder (top-intent accuracy, embedding head alone -> combined with weight 0.3):
CLINC150 full 95.4 -> 95.6 (out-of-scope AUROC 0.958 -> 0.967), BANKING77 91.2 -> 92.7,
BANKING77 10-shot 81.9 -> 83.0, SMP2019 (Chinese) 90.8 -> 93.8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from bot.settings import UnderstandingSettings

# Embeddings are unit vectors whose cosines differ by little, so the meaning head needs weak
# regularization for probabilities that separate close intents. TF-IDF rows are sparse and
# high-dimensional: the usual, stronger regularization suits them.
MEANING_C = 20.0
SURFACE_C = 10.0
DEFAULT_SURFACE_WEIGHT: float = UnderstandingSettings.model_fields["surface_weight"].default
_FLOOR = 1e-9  # keeps log() finite for an intent one view rules out completely


@dataclass(frozen=True)
class IntentHead:
    classes: np.ndarray
    meaning: LogisticRegression
    surface: TfidfVectorizer | None
    surface_model: LogisticRegression | None
    surface_weight: float

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        vectors: np.ndarray,
        labels: Sequence[str],
        surface_weight: float = DEFAULT_SURFACE_WEIGHT,
        *,
        sample_weight: np.ndarray | None = None,
        meaning_c: float = MEANING_C,
        max_features: int | None = None,
    ) -> IntentHead:
        """Fit both views on the same examples; ``surface_weight`` 0 uses the embedding only.
        ``sample_weight`` weighs examples (the triage head balances its sources with it)."""
        labels = np.asarray(labels)
        meaning = LogisticRegression(C=meaning_c, max_iter=2000)
        vectorizer: TfidfVectorizer | None = None
        surface: LogisticRegression | None = None
        # One BLAS thread: on a busy 2-core machine two threads made these fits 25x slower.
        with threadpool_limits(limits=1):
            meaning.fit(vectors, labels, sample_weight=sample_weight)
            if surface_weight > 0:
                vectorizer = TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 4),
                    sublinear_tf=True,
                    lowercase=True,
                    max_features=max_features,
                )
                # The default tolerance: 1e-3 halved the fit time but cost 0.4-0.5 points of
                # accuracy on CLINC150 full and BANKING77 full.
                surface = LogisticRegression(C=SURFACE_C, max_iter=2000)
                surface.fit(
                    vectorizer.fit_transform(list(texts)), labels, sample_weight=sample_weight
                )
        return cls(meaning.classes_, meaning, vectorizer, surface, surface_weight)

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """One row per text, one column per intent in ``classes`` order; rows sum to 1.

        No ``threadpool_limits`` here: it scans the process's loaded libraries on every call
        (3.5 ms measured, more than the encoder), and a message's products are too small for
        BLAS threads to matter."""
        if len(texts) <= _FEW:
            meaning = _softmax(vectors @ self.meaning.coef_.T + self.meaning.intercept_)
        else:
            meaning = self.meaning.predict_proba(vectors)
        if self.surface is None or self.surface_model is None:
            return meaning
        if len(texts) <= _FEW:
            surface = np.vstack([self._scorer().probabilities(text) for text in texts])
        else:
            surface = self.surface_model.predict_proba(self.surface.transform(list(texts)))
        weight = self.surface_weight
        log_mix = (1.0 - weight) * np.log(meaning + _FLOOR) + weight * np.log(surface + _FLOOR)
        mixed = np.exp(log_mix - log_mix.max(axis=1, keepdims=True))
        return mixed / mixed.sum(axis=1, keepdims=True)

    def _scorer(self) -> _SurfaceScorer:
        scorer = self.__dict__.get("_surface_scorer")
        if scorer is None:
            assert self.surface is not None and self.surface_model is not None
            scorer = _SurfaceScorer(self.surface, self.surface_model)
            object.__setattr__(self, "_surface_scorer", scorer)  # frozen: cache by hand
        return scorer


# Up to this many texts (one message, in the worker) the probabilities are computed with numpy
# directly: scikit-learn's input checks and scipy's sparse matrices cost ~1 ms a call, more
# than the arithmetic; for evaluation batches its vectorized path is the faster one.
_FEW = 4


def _softmax(logits: np.ndarray) -> np.ndarray:
    if logits.shape[1] == 1:  # two classes: scikit-learn keeps one row of coefficients
        positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
        return np.column_stack([1.0 - positive, positive])
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class _SurfaceScorer:
    """The surface view for one text: what ``TfidfVectorizer.transform`` (sublinear tf, idf,
    L2 norm over the known n-grams) and ``predict_proba`` compute, on the text's few n-grams
    only. ``tests/bot/understanding/test_head.py`` checks it against scikit-learn."""

    def __init__(self, vectorizer: TfidfVectorizer, model: LogisticRegression) -> None:
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._weights = np.ascontiguousarray(model.coef_.T)  # one row per n-gram
        self._intercept = np.asarray(model.intercept_, dtype=np.float64)

    def probabilities(self, text: str) -> np.ndarray:
        counts: dict[int, int] = {}
        for gram in self._analyze(text):
            index = self._vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        logits = self._intercept
        if counts:
            indices = np.fromiter(counts, dtype=np.intp, count=len(counts))
            values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            values *= self._idf[indices]
            values /= np.linalg.norm(values)
            logits = logits + values @ self._weights[indices]
        return _softmax(logits[None, :])[0]
