"""An int8 ONNX copy of a sentence-transformers model, for fast CPU inference.

Measured on these 2-core machines (multilingual-e5-small, one thread, short questions): torch fp32
embeds one message in ~23 ms, the dynamically quantized ONNX model in ~6 ms, at cosine >= 0.99 to
the fp32 vectors. The copy is exported once with ``torch.onnx.export``, quantized with
onnxruntime's ``quantize_dynamic`` (per-channel MatMul weights, which keeps the vectors closest to
fp32, and the embedding tables), checked against the fp32 vectors on fixed texts, and cached next
to the model. Loading the cached copy needs neither torch nor sentence-transformers.

Only mean- and CLS-pooled models are exported (e5, MiniLM, most sentence-transformers models);
anything else raises :class:`OnnxUnavailable` and the caller stays on torch.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import SetupError

logger = logging.getLogger(__name__)

MODEL_FILE = "model_int8.onnx"
META_FILE = "switchboard_onnx.json"
# Bumped whenever the exported file changes; a cached copy of another format is exported anew.
# 2: the 250k x 384 word-embedding table is int8 too (fp32 it was 384 MB of the worker's memory).
# 3: only the word table: int8 position and token-type tables cost 0.3-0.5 points of accuracy.
FORMAT_VERSION = 3
MIN_COSINE = 0.99
_VERIFY_TEXTS = (
    "退货政策是什么?",
    "what is your return policy?",
    "我的快递到哪了",
    "Can I change the delivery address after paying?",
    "asdf qwer",
    "客服电话打不通，请尽快处理！！",
    "👍🎉 thanks!!",
    "Ich möchte meine Bestellung stornieren.",
    "订单 #A-20931 的发票怎么开?",
    "hi",
)


class OnnxUnavailable(SetupError):
    """The model cannot be exported, or its int8 copy drifted too far from fp32."""


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
        self._session = ort.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
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
        """L2-normalized vectors, one text per run.

        Dynamic int8 quantization scales activations per tensor, so in a padded batch a text's
        vector depends on its neighbours (cosine ~0.996 to itself alone). One text per run keeps
        a message's vector, and so its intent, the same in training, in a batch and alone, and
        needs no padding; throughput comes from ``threads`` runs in parallel instead.
        """
        from tqdm import tqdm

        ids = self._tokenize([self._prompt + t for t in texts])
        runs = self._pool.map(self._embed, ids) if self._pool else map(self._embed, ids)
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, vector in enumerate(
            tqdm(
                runs,
                total=len(ids),
                disable=not show_progress_bar,
                file=sys.stderr,
                desc="Embedding",
                unit="text",
            )
        ):
            out[row] = vector
        return out

    def _embed(self, ids: list[int]) -> np.ndarray:
        input_ids = np.asarray([ids], dtype=np.int64)
        mask = np.ones_like(input_ids)
        hidden = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0][0]
        pooled = hidden[0] if self._pooling == "cls" else hidden.mean(axis=0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)


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


def load_onnx_int8(model: Any, folder: Path, threads: int) -> OnnxEncoder:
    """Return the int8 copy of the loaded SentenceTransformer ``model`` cached in ``folder``,
    exporting and verifying it first when it is missing."""
    if not cached_copy(folder):
        _export_and_publish(model, folder)
    return OnnxEncoder(folder, threads)


def cached_copy(folder: Path) -> bool:
    """Whether ``folder`` holds a finished copy of the current format."""
    try:
        meta = json.loads((folder / META_FILE).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("format") == FORMAT_VERSION


def _export_and_publish(model: Any, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.build-", dir=folder.parent))
    try:
        logger.info("Exporting the encoder to int8 ONNX in %s (once, ~1 min)", folder)
        meta = _export(model, work)
        (work / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        cosines = _verify(model, work)
        meta["verify_min_cosine"] = round(float(cosines.min()), 5)
        meta["verify_mean_cosine"] = round(float(cosines.mean()), 5)
        (work / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        for path in work.iterdir():
            path.chmod(0o644)
        work.chmod(0o755)
        try:
            os.replace(work, folder)
        except OSError as exc:  # another process published first; its copy is as good as ours
            if not cached_copy(folder):  # ... unless what is there is of another format
                raise OnnxUnavailable(f"{folder} holds an unusable ONNX copy: {exc}") from exc
            logger.info("Using the ONNX copy another process published at %s", folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _export(model: Any, work: Path) -> dict[str, Any]:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    transformer, pooling = model[0], _pooling_mode(model)
    tokenizer = model.tokenizer
    tokenizer.backend_tokenizer.save(str(work / "tokenizer.json"))
    _write_compact_tokenizer(work)
    sample = tokenizer(["query: hello", "你好"], padding=True, return_tensors="pt")

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    fp32 = work / "model_fp32.onnx"
    axes = {0: "batch", 1: "tokens"}
    # The legacy (TorchScript) exporter handles this model without onnxscript; its deprecation
    # and tracer warnings say nothing about the result, which _verify checks.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Hidden(transformer.auto_model.eval()),
            (sample["input_ids"], sample["attention_mask"]),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["hidden"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
            opset_version=17,
            dynamo=False,
        )
    # Per-channel MatMul weights: the setting that kept cosine to fp32 >= 0.99 here (per-tensor
    # int8 dropped some texts to 0.988). "Gather" makes the word-embedding table 8-bit too (per
    # tensor, dequantized after the lookup): 384 MB in fp32, 96 MB so, cosines to fp32 where
    # MatMul alone left them (min 0.996 on _VERIFY_TEXTS). The small position and token-type
    # tables stay fp32: they are added to every token, and quantizing them cost 0.3-0.5 points
    # of accuracy on CLINC150 full and BANKING77 full for a few hundred KB.
    quantize_dynamic(
        str(fp32),
        str(work / MODEL_FILE),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=False,
        op_types_to_quantize=["MatMul", "Gather"],
        nodes_to_exclude=_small_lookups(fp32),
    )
    fp32.unlink()
    return {
        "format": FORMAT_VERSION,
        "prompt": (model.prompts or {}).get(model.default_prompt_name or "", ""),
        "pooling": pooling,
        "dim": int(model.get_embedding_dimension()),
        "pad_id": int(tokenizer.pad_token_id or 0),
        "max_seq_length": int(model.max_seq_length or 512),
    }


def _write_compact_tokenizer(work: Path) -> None:
    from bot.understanding.sp_tokenizer import SpUnsupported
    from bot.understanding.sp_tokenizer_files import write_files

    try:
        write_files(work)
    except SpUnsupported as exc:  # OnnxEncoder falls back to HF tokenizers
        logger.warning("No compact tokenizer for this model: %s", exc)


def _small_lookups(path: Path, min_rows: int = 10_000) -> list[str]:
    """Names of the Gather nodes that look up a table of fewer than ``min_rows`` rows."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    rows = {init.name: (init.dims[0] if init.dims else 0) for init in graph.initializer}
    return [
        node.name
        for node in graph.node
        if node.op_type == "Gather"
        and node.input
        and node.input[0] in rows
        and rows[node.input[0]] < min_rows
    ]


def _pooling_mode(model: Any) -> str:
    names = [type(module).__name__ for module in model]
    if len(model) < 2 or names[1] != "Pooling" or names[2:] not in ([], ["Normalize"]):
        raise OnnxUnavailable(f"only Transformer + Pooling (+ Normalize) models, not {names}")
    pooling = model[1].pooling_mode
    if pooling not in ("mean", "cls"):
        raise OnnxUnavailable(f"pooling {pooling!r} is not supported by the ONNX backend")
    return str(pooling)


def _verify(model: Any, work: Path) -> np.ndarray:
    reference = model.encode(
        list(_VERIFY_TEXTS),
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    ours = OnnxEncoder(work, threads=1).encode(list(_VERIFY_TEXTS))
    cosines = np.sum(reference * ours, axis=1)
    logger.info("int8 ONNX vs fp32 cosines: mean %.4f, min %.4f", cosines.mean(), cosines.min())
    if cosines.min() < MIN_COSINE:
        worst = _VERIFY_TEXTS[int(cosines.argmin())]
        raise OnnxUnavailable(
            f"int8 ONNX vectors drift from fp32: cosine {cosines.min():.4f} < {MIN_COSINE} "
            f"on {worst!r}"
        )
    return cosines
