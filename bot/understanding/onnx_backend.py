"""ONNX copies of a sentence-transformers model (int8 and fp32), for fast CPU inference.

Measured on these 2-core machines (multilingual-e5-small, one thread, short questions): torch fp32
embeds one message in ~23 ms, the dynamically quantized ONNX model in ~6 ms, at cosine >= 0.99 to
the fp32 vectors. The copy is exported once (``onnx_export``: ``torch.onnx.export``, quantized with
onnxruntime's ``quantize_dynamic``), checked against the fp32 vectors on fixed texts, and cached
next to the model. Loading the cached copy needs neither torch nor sentence-transformers.

The fp32 copy (``onnx-fp32``) is the same export without quantization: torch's vectors (to float
rounding), often faster than torch itself. Which copy a machine runs is measured at first start
(``backend_choice``): int8 wins where the CPU has fast 8-bit dot products (VNNI), not everywhere.

Only mean- and CLS-pooled models are exported (e5, MiniLM, most sentence-transformers models);
anything else raises :class:`OnnxUnavailable` and the caller stays on torch.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import SetupError

logger = logging.getLogger(__name__)

MODEL_FILE = "model_int8.onnx"
FP32_MODEL_FILE = "model_fp32.onnx"
META_FILE = "switchboard_onnx.json"
# Bumped whenever the exported file changes; a cached copy of another format is exported anew.
# 2: the 250k x 384 word-embedding table is int8 too (fp32 it was 384 MB of the worker's memory).
# 3: only the word table: int8 position and token-type tables cost 0.3-0.5 points of accuracy.
FORMAT_VERSION = 3
FP32_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Variant:
    """One kind of ONNX copy: the backend name, its format, the file it is kept in, and the least
    cosine to torch's vectors its export must keep on the verification texts."""

    backend: str
    format: int
    model_file: str
    min_cosine: float

    @property
    def folder_name(self) -> str:
        # The format is in the name: a new format is exported beside the old folder, never over
        # it while another process (a worker still on the old code) may be reading it.
        return f"{self.backend}-v{self.format}"


# The least cosine to torch's fp32 vectors the int8 copy may have on the verification texts.
MIN_COSINE = 0.99
INT8 = Variant("onnx-int8", FORMAT_VERSION, MODEL_FILE, MIN_COSINE)
# The fp32 copy computes what torch does (measured min cosine 0.9999999): it shares torch's
# embedding cache and trained heads, so it must be that close.
FP32 = Variant("onnx-fp32", FP32_FORMAT_VERSION, FP32_MODEL_FILE, 0.9999)
VARIANTS: dict[str, Variant] = {v.backend: v for v in (INT8, FP32)}


class OnnxUnavailable(SetupError):
    """The model cannot be exported, or its copy drifted too far from fp32."""


class OnnxEncoder:
    """Mirrors the slice of ``SentenceTransformer`` that :class:`Encoder` uses."""

    def __init__(self, folder: Path, threads: int) -> None:
        import onnxruntime as ort

        meta = json.loads((folder / META_FILE).read_text())
        self._prompt: str = meta["prompt"]
        self._pooling: str = meta["pooling"]
        self._dim = int(meta["dim"])
        self._tokenize = _load_tokenizer(folder, int(meta["max_seq_length"]))
        options = ort.SessionOptions()
        # One thread per run; ``threads`` runs side by side (see ``encode``).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        model_file = meta.get("file", MODEL_FILE)
        self._session = ort.InferenceSession(
            str(folder / model_file), options, providers=["CPUExecutionProvider"]
        )
        # fp32 has no per-batch quantization scale: a batch of texts of one token length (no
        # padding) gives each text its vector alone, many times faster than one run per text.
        self._same_length_batches = model_file == FP32_MODEL_FILE
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def get_embedding_dimension(self) -> int:
        return self._dim

    def encode(
        self,
        texts: Sequence[str],
        *,
        show_progress_bar: bool = False,
        **_: Any,
    ) -> np.ndarray:
        """L2-normalized vectors, each as the text would get alone.

        Dynamic int8 quantization scales activations per tensor, so in a batch a text's vector
        depends on its neighbours (cosine ~0.996 to itself alone). The int8 copy runs one text
        per run, which keeps a message's vector, and so its intent, the same in training, in a
        batch and alone, and needs no padding; throughput comes from ``threads`` runs in
        parallel instead. The fp32 copy runs batches of texts of equal token length.
        """
        from tqdm import tqdm

        ids = self._tokenize([self._prompt + t for t in texts])
        groups = (
            _same_length_groups(ids)
            if self._same_length_batches
            else [[i] for i in range(len(ids))]
        )
        batches = [[ids[i] for i in rows] for rows in groups]
        runs = self._pool.map(self._embed, batches) if self._pool else map(self._embed, batches)
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        with tqdm(
            total=len(ids),
            disable=not show_progress_bar,
            file=sys.stderr,
            desc="Embedding",
            unit="text",
        ) as bar:
            for rows, vectors in zip(groups, runs, strict=True):
                out[rows] = vectors
                bar.update(len(rows))
        return out

    def _embed(self, batch: list[list[int]]) -> np.ndarray:
        input_ids = np.asarray(batch, dtype=np.int64)  # one token length: a rectangle
        mask = np.ones_like(input_ids)
        hidden = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        pooled = hidden[:, 0] if self._pooling == "cls" else hidden.mean(axis=1)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)


BATCH_SIZE = 32


def _same_length_groups(ids: Sequence[list[int]]) -> list[list[int]]:
    """Row numbers of ``ids`` in groups of up to ``BATCH_SIZE`` texts of one token length."""
    by_length: dict[int, list[int]] = {}
    for row, tokens in enumerate(ids):
        by_length.setdefault(len(tokens), []).append(row)
    return [
        rows[start : start + BATCH_SIZE]
        for rows in by_length.values()
        for start in range(0, len(rows), BATCH_SIZE)
    ]


def _load_tokenizer(folder: Path, max_length: int) -> Callable[[list[str]], list[list[int]]]:
    """Token ids for texts: the compact copy of tokenizer.json (same ids, ~280 MB less resident
    than HF ``tokenizers``, see sp_tokenizer), or ``tokenizers`` when it cannot be made."""
    from bot.understanding.sp_tokenizer import SpUnsupported
    from bot.understanding.sp_tokenizer_files import load

    try:
        return load(folder, max_length).encode_batch
    except (SpUnsupported, ImportError, OSError) as exc:  # OSError: read-only
        logger.warning("Tokenizing with HF tokenizers (~280 MB more memory): %s", exc)
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return lambda texts: [e.ids for e in tokenizer.encode_batch(texts)]


def load_onnx(
    model: Any, folder: Path, threads: int, variant: Variant = INT8, fp32_copy: Path | None = None
) -> OnnxEncoder:
    """Return the ``variant`` copy of the loaded SentenceTransformer ``model`` cached in
    ``folder``, exporting and verifying it first when it is missing (int8 from ``fp32_copy``
    when that folder holds a finished fp32 copy)."""
    if not cached_copy(folder, variant):
        from bot.understanding.onnx_export import export_and_publish

        export_and_publish(model, folder, variant, fp32_copy)
    return OnnxEncoder(folder, threads)


def cached_copy(folder: Path, variant: Variant = INT8) -> bool:
    """Whether ``folder`` holds a finished copy of ``variant`` in its current format."""
    try:
        meta = json.loads((folder / META_FILE).read_text())
    except (OSError, ValueError):
        return False
    return (
        isinstance(meta, dict)
        and meta.get("format") == variant.format
        and meta.get("file", MODEL_FILE) == variant.model_file  # int8 copies before "file"
    )
