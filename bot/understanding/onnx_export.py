"""Exporting a loaded SentenceTransformer to ONNX (fp32, or quantized to int8), once per model.

The export runs ``torch.onnx.export`` on the transformer, keeps the fp32 file for ``onnx-fp32``
or quantizes it with onnxruntime's ``quantize_dynamic`` for ``onnx-int8``, checks the copy's
vectors against the torch model's on fixed texts (``MIN_COSINE``) and publishes the folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from bot.understanding.onnx_backend import (
    FP32,
    INT8,
    META_FILE,
    MODEL_FILE,
    OnnxEncoder,
    OnnxUnavailable,
    Variant,
    cached_copy,
)

logger = logging.getLogger(__name__)

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


def export_and_publish(
    model: Any, folder: Path, variant: Variant, fp32_copy: Path | None = None
) -> None:
    """Export ``model`` as ``variant`` into a scratch folder beside ``folder``, verify it against
    torch and move it into place (atomically: readers see no copy or a whole one). The int8
    copy is quantized from ``fp32_copy`` when that holds a finished fp32 copy: one torch export
    instead of two at a first start that makes both."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.build-", dir=folder.parent))
    try:
        logger.info("Exporting the encoder to %s in %s (once, ~1 min)", variant.backend, folder)
        if variant == INT8 and fp32_copy is not None and cached_copy(fp32_copy, FP32):
            meta = _quantized_from(fp32_copy, work)
        else:
            meta = _export(model, work, quantize=variant == INT8)
        (work / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        cosines = _verify(model, work, variant.min_cosine)
        meta["verify_min_cosine"] = round(float(cosines.min()), 5)
        meta["verify_mean_cosine"] = round(float(cosines.mean()), 5)
        (work / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        for path in work.iterdir():
            path.chmod(0o644)
        work.chmod(0o755)
        try:
            os.replace(work, folder)
        except OSError as exc:  # another process published first; its copy is as good as ours
            if not cached_copy(folder, variant):  # ... unless what is there is of another format
                raise OnnxUnavailable(f"{folder} holds an unusable ONNX copy: {exc}") from exc
            logger.info("Using the ONNX copy another process published at %s", folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _quantized_from(fp32_copy: Path, work: Path) -> dict[str, Any]:
    """The int8 copy made from a published fp32 copy: its tokenizer files, its model quantized."""
    for path in fp32_copy.iterdir():
        if path.name not in (FP32.model_file, META_FILE):
            shutil.copyfile(path, work / path.name)
    _quantize(fp32_copy / FP32.model_file, work / MODEL_FILE)
    meta = json.loads((fp32_copy / META_FILE).read_text())
    kept = {k: v for k, v in meta.items() if not k.startswith("verify_")}
    return {**kept, "format": INT8.format, "file": INT8.model_file}


def _export(model: Any, work: Path, *, quantize: bool = True) -> dict[str, Any]:
    import torch

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
    meta = {
        "prompt": (model.prompts or {}).get(model.default_prompt_name or "", ""),
        "pooling": pooling,
        "dim": int(model.get_embedding_dimension()),
        "pad_id": int(tokenizer.pad_token_id or 0),
        "max_seq_length": int(model.max_seq_length or 512),
    }
    if not quantize:
        return {"format": FP32.format, "file": FP32.model_file, **meta}
    _quantize(fp32, work / MODEL_FILE)
    fp32.unlink()
    return {"format": INT8.format, "file": INT8.model_file, **meta}


def _quantize(fp32: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel MatMul weights: the setting that kept cosine to fp32 >= 0.99 here (per-tensor
    # int8 dropped some texts to 0.988). "Gather" makes the word-embedding table 8-bit too (per
    # tensor, dequantized after the lookup): 384 MB in fp32, 96 MB so, cosines to fp32 where
    # MatMul alone left them (min 0.996 on _VERIFY_TEXTS). The small position and token-type
    # tables stay fp32: they are added to every token, and quantizing them cost 0.3-0.5 points
    # of accuracy on CLINC150 full and BANKING77 full for a few hundred KB.
    root = logging.getLogger()
    root.addFilter(_quantizer_chatter)
    try:
        quantize_dynamic(
            str(fp32),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=False,
            op_types_to_quantize=["MatMul", "Gather"],
            nodes_to_exclude=_small_lookups(fp32),
        )
    finally:
        root.removeFilter(_quantizer_chatter)


def _quantizer_chatter(record: logging.LogRecord) -> bool:
    """Drop the quantizer's INFO lines (70 of "Quantization parameters for tensor ... not
    specified" on a first start's console); its warnings still show."""
    return record.levelno >= logging.WARNING or "onnxruntime" not in record.pathname


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


def _verify(model: Any, work: Path, min_cosine: float) -> np.ndarray:
    reference = model.encode(
        list(_VERIFY_TEXTS),
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    ours = OnnxEncoder(work, threads=1).encode(list(_VERIFY_TEXTS))
    cosines = np.sum(reference * ours, axis=1)
    logger.info("ONNX vs torch fp32 cosines: mean %.6f, min %.6f", cosines.mean(), cosines.min())
    if cosines.min() < min_cosine:
        worst = _VERIFY_TEXTS[int(cosines.argmin())]
        raise OnnxUnavailable(
            f"ONNX vectors drift from fp32: cosine {cosines.min():.6f} < {min_cosine} on {worst!r}"
        )
    return cosines
