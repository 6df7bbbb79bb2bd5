"""An ``IntentHead`` as plain arrays in one ``.npz`` file: no pickle, readable by any release of
scikit-learn we support, small enough to ship (the triage head is ~1 MB with its vocabulary).

Only what ``IntentHead.probabilities`` needs is kept: the classes, each logistic regression's
coefficients and intercepts, and the character n-gram vocabulary with its idf weights. Loading
rebuilds fitted scikit-learn objects from them; ``tests/bot/understanding/test_head_store.py``
checks that a loaded head gives the probabilities of the one saved.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.understanding.head import IntentHead

FORMAT = 1
# Must match IntentHead.fit's vectorizer: the vocabulary is only valid for the same analyzer.
_VECTORIZER = {
    "analyzer": "char_wb",
    "ngram_range": (1, 4),
    "sublinear_tf": True,
    "lowercase": True,
}


def save(head: IntentHead, path: Path) -> None:
    """Write ``head`` to ``path`` atomically (a reader never sees half a file)."""
    arrays: dict[str, np.ndarray] = {
        "format": np.asarray(FORMAT),
        "classes": np.asarray([str(c) for c in head.classes]),
        "meaning_coef": head.meaning.coef_.astype(np.float32),
        "meaning_intercept": head.meaning.intercept_.astype(np.float32),
        "surface_weight": np.asarray(head.surface_weight),
    }
    if head.surface is not None and head.surface_model is not None:
        vocabulary = head.surface.vocabulary_
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        arrays |= {
            "terms": np.asarray(terms),
            "idf": head.surface.idf_.astype(np.float32),
            "surface_coef": head.surface_model.coef_.astype(np.float32),
            "surface_intercept": head.surface_model.intercept_.astype(np.float32),
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    np.savez_compressed(temporary, **arrays)
    os.replace(temporary, path)


def load(path: Path) -> IntentHead:
    """The head saved in ``path``; ``ValueError`` when it is not one of ours."""
    with np.load(path, allow_pickle=False) as data:
        if "format" not in data or int(data["format"]) != FORMAT:
            raise ValueError(f"{path} is not an intent head of format {FORMAT}")
        classes = data["classes"].astype(object)
        meaning = _regression(classes, data["meaning_coef"], data["meaning_intercept"])
        vectorizer = surface = None
        if "terms" in data:
            vectorizer = TfidfVectorizer(
                **_VECTORIZER, vocabulary={str(t): i for i, t in enumerate(data["terms"])}
            )
            vectorizer.idf_ = data["idf"].astype(np.float64)
            surface = _regression(classes, data["surface_coef"], data["surface_intercept"])
        return IntentHead(classes, meaning, vectorizer, surface, float(data["surface_weight"]))


def _regression(
    classes: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
) -> LogisticRegression:
    model = LogisticRegression()
    model.classes_ = classes
    model.coef_ = coef.astype(np.float64)
    model.intercept_ = intercept.astype(np.float64)
    model.n_features_in_ = coef.shape[1]
    return model
