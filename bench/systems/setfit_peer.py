"""Peer: SetFit 1.2.0 (contrastive fine-tuning + logistic head) on the same base model folder.

SetFit runs in the project venv: it works with sentence-transformers 6.2 / transformers 5.23
(checked). Its default of 20 pair iterations takes minutes per few-shot set on these CPUs, so
the benchmark uses the settings MODELS.md reports (5 iterations, 1 epoch), caps the steps, and
freezes the 250k-row word-embedding table (96M of the model's 118M weights, updated by Adam on
every step otherwise); the encoder layers are fine-tuned as usual. These settings are written
into the results.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.datasets import IntentSplit
from bench.systems import Scored

logger = logging.getLogger(__name__)

SETTINGS: dict[str, Any] = {
    "num_iterations": 5,
    "num_epochs": 1,
    "batch_size": 16,
    "max_steps": 100,
    "frozen": "word embeddings",
    "seed": 42,
}


class SetFitPeer:
    name = "setfit"

    def __init__(self, model_folder: Path, threads: int = 1) -> None:
        self.settings = dict(SETTINGS)
        self._folder = model_folder
        self._threads = threads
        self._model: Any = None
        self._labels: list[str] = []

    def fit(self, split: IntentSplit) -> float:
        import torch
        from datasets import Dataset
        from setfit import SetFitModel, Trainer, TrainingArguments

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        torch.set_num_threads(self._threads)
        self._labels = split.labels
        index = {label: i for i, label in enumerate(self._labels)}
        data = Dataset.from_dict(
            {
                "text": [t for t, _ in split.train],
                "label": [index[label] for _, label in split.train],
            }
        )
        started = time.perf_counter()
        model = SetFitModel.from_pretrained(str(self._folder), local_files_only=True)
        body = model.model_body[0].auto_model
        body.embeddings.word_embeddings.weight.requires_grad_(False)
        s = self.settings
        # Its checkpoints would land in ./checkpoints: a scratch folder, deleted after training.
        with tempfile.TemporaryDirectory(prefix="sb-setfit-") as scratch:
            args = TrainingArguments(
                output_dir=scratch,
                num_iterations=s["num_iterations"],
                num_epochs=s["num_epochs"],
                batch_size=s["batch_size"],
                max_steps=s["max_steps"],
                seed=s["seed"],
                show_progress_bar=False,
            )
            Trainer(model=model, args=args, train_dataset=data).train()
        self._model = model
        return time.perf_counter() - started

    def predict(self, texts: Sequence[str]) -> Scored:
        assert self._model is not None, "fit() first"
        started = time.perf_counter()
        probabilities = np.asarray(
            self._model.predict_proba(list(texts), batch_size=64, as_numpy=True)
        )
        seconds = time.perf_counter() - started
        top = probabilities.argmax(axis=1)
        confidence = probabilities.max(axis=1).tolist()
        return Scored([self._labels[i] for i in top], confidence, confidence, None, seconds)

    def close(self) -> None:
        self._model = None
