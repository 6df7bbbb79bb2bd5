"""An ``IntentHead`` as plain arrays in one ``.npz`` file: no pickle, readable by any release of
scikit-learn we support, small enough to ship (the triage head is ~1 MB with its vocabulary).

Only what ``IntentHead.probabilities`` needs is kept: the classes, each logistic regression's
coefficients and intercepts, and the character n-gram vocabulary with its idf weights. Loading
gives objects that do scikit-learn's arithmetic on those arrays with numpy alone (importing
scikit-learn costs a start about a second); ``tests/bot/understanding/test_head_store.py``
checks that a loaded head gives the probabilities of the one saved, and the same n-grams.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from bot.understanding.head import IntentHead, softmax, tfidf_row

FORMAT = 1
# IntentHead.fit's vectorizer: TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4),
# sublinear_tf=True, lowercase=True). The vocabulary is only valid for that analyzer.
NGRAM_RANGE = (1, 4)
_WHITE_SPACES = re.compile(r"\s\s+")


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
        meaning = ArrayLinear(classes, data["meaning_coef"], data["meaning_intercept"])
        vectorizer = surface = None
        if "terms" in data:
            vocabulary = {str(t): i for i, t in enumerate(data["terms"])}
            vectorizer = ArrayNgrams(vocabulary, data["idf"].astype(np.float64))
            surface = ArrayLinear(classes, data["surface_coef"], data["surface_intercept"])
        return IntentHead(classes, meaning, vectorizer, surface, float(data["surface_weight"]))


class ArrayLinear:
    """A fitted logistic regression from its arrays: ``predict_proba`` is the softmax (the
    sigmoid for two classes) of ``X @ coef.T + intercept``, as in scikit-learn."""

    def __init__(self, classes: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes_ = classes
        self.coef_ = coef.astype(np.float64)
        self.intercept_ = intercept.astype(np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        return softmax(np.asarray(X @ self.coef_.T) + self.intercept_)


class ArrayNgrams:
    """A fitted ``TfidfVectorizer`` of ``IntentHead.fit``'s settings from its vocabulary and idf:
    the same n-grams (scikit-learn's ``char_wb``), sublinear tf, idf, L2-normalized rows."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary_ = vocabulary
        self.idf_ = idf

    def build_analyzer(self) -> Any:
        return char_wb_ngrams

    def transform(self, raw_documents: list[str]) -> Any:
        from scipy.sparse import csr_matrix  # scipy.sparse alone: a tenth of scikit-learn's import

        indptr, indices, values = [0], [], []
        for text in raw_documents:
            row, weights = tfidf_row(char_wb_ngrams(text), self.vocabulary_, self.idf_)
            indices.append(row)
            values.append(weights)
            indptr.append(indptr[-1] + len(row))
        return csr_matrix(
            (
                np.concatenate(values) if values else np.zeros(0),
                np.concatenate(indices) if indices else np.zeros(0, dtype=np.intp),
                np.asarray(indptr),
            ),
            shape=(len(raw_documents), len(self.idf_)),
        )


def char_wb_ngrams(text: str) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer, lower-cased: the 1-4-grams of each word padded with
    a space on either side (a word shorter than n gives itself once)."""
    low, high = NGRAM_RANGE
    grams: list[str] = []
    append = grams.append
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        word = f" {word} "
        length = len(word)
        for n in range(low, high + 1):
            offset = 0
            append(word[offset : offset + n])
            while offset + n < length:
                offset += 1
                append(word[offset : offset + n])
            if offset == 0:  # count a short word only once
                break
    return grams
