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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from bot.settings import UnderstandingSettings

# Embeddings are unit vectors whose cosines differ by little, so the meaning head needs weak
# regularization for probabilities that separate close intents. TF-IDF rows are sparse and
# high-dimensional: the usual, stronger regularization suits them.
MEANING_C = 20.0
SURFACE_C = 10.0
DEFAULT_SURFACE_WEIGHT: float = UnderstandingSettings.model_fields["surface_weight"].default
_FLOOR = 1e-9  # keeps log() finite for an intent one view rules out completely


class Linear(Protocol):
    """A fitted logistic regression: scikit-learn's, or its arrays loaded by ``head_store``."""

    classes_: np.ndarray
    coef_: np.ndarray
    intercept_: np.ndarray

    def predict_proba(self, X: Any) -> np.ndarray: ...


class Ngrams(Protocol):
    """A fitted character n-gram TF-IDF: scikit-learn's, or loaded by ``head_store``."""

    vocabulary_: dict[str, int]
    idf_: np.ndarray

    def build_analyzer(self) -> Callable[[str], list[str]]: ...

    def transform(self, raw_documents: list[str]) -> Any: ...


@dataclass(frozen=True)
class IntentHead:
    classes: np.ndarray
    meaning: Linear
    surface: Ngrams | None
    surface_model: Linear | None
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
        # Imported here: a start whose heads are cached never needs scikit-learn (~1 s to import).
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

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
            meaning = softmax(vectors @ self.meaning.coef_.T + self.meaning.intercept_)
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


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logistic-regression logits (one column: the binary case)."""
    if logits.shape[1] == 1:  # two classes: scikit-learn keeps one row of coefficients
        positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
        return np.column_stack([1.0 - positive, positive])
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class _SurfaceScorer:
    """The surface view for one text: what ``TfidfVectorizer.transform`` (sublinear tf, idf,
    L2 norm over the known n-grams) and ``predict_proba`` compute, on the text's few n-grams
    only. ``tests/bot/understanding/test_head.py`` checks it against scikit-learn."""

    def __init__(self, vectorizer: Ngrams, model: Linear) -> None:
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._weights = np.ascontiguousarray(model.coef_.T)  # one row per n-gram
        self._intercept = np.asarray(model.intercept_, dtype=np.float64)

    def probabilities(self, text: str) -> np.ndarray:
        indices, values = tfidf_row(self._analyze(text), self._vocabulary, self._idf)
        logits = self._intercept
        if len(indices):
            logits = logits + values @ self._weights[indices]
        return softmax(logits[None, :])[0]


def tfidf_row(
    grams: Sequence[str], vocabulary: dict[str, int], idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One text's TF-IDF row as (column indices, values): sublinear tf times idf over the known
    n-grams, L2-normalized, as ``TfidfVectorizer(sublinear_tf=True)`` computes it."""
    counts: dict[int, int] = {}
    for gram in grams:
        index = vocabulary.get(gram)
        if index is not None:
            counts[index] = counts.get(index, 0) + 1
    indices = np.fromiter(counts, dtype=np.intp, count=len(counts))
    if not counts:
        return indices, np.zeros(0)
    values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
    values *= idf[indices]
    values /= np.linalg.norm(values)
    return indices, values
