"""Peer: character n-gram TF-IDF + logistic regression (scikit-learn), no embeddings at all."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from bench.datasets import IntentSplit
from bench.systems import Scored


class TfidfPeer:
    name = "tfidf-lr"

    def __init__(self) -> None:
        self.settings = {"features": "char_wb 1-4-grams, sublinear tf", "C": 10.0}
        self._model: Pipeline | None = None

    def fit(self, split: IntentSplit) -> float:
        return self.fit_pairs([t for t, _ in split.train], [label for _, label in split.train])

    def fit_pairs(self, texts: Sequence[str], labels: Sequence[object]) -> float:
        started = time.perf_counter()
        self._model = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=2000),
        )
        self._model.fit(list(texts), list(labels))
        return time.perf_counter() - started

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        assert self._model is not None, "fit() first"
        return self._model.predict_proba(list(texts))

    def predict(self, texts: Sequence[str]) -> Scored:
        assert self._model is not None, "fit() first"
        started = time.perf_counter()
        probabilities = self.probabilities(texts)
        seconds = time.perf_counter() - started
        classes = [str(c) for c in self._model.classes_]
        top = probabilities.argmax(axis=1)
        confidence = probabilities.max(axis=1).tolist()
        return Scored([classes[i] for i in top], confidence, confidence, None, seconds)

    def close(self) -> None:
        self._model = None
