"""The int8 ONNX encoder backend against the torch fp32 model it was exported from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.understanding import onnx_backend
from bot.understanding.encoder import Encoder, onnx_folder
from tests.conftest import CACHE_DIR, ROOT

TEXTS = ["退货政策是什么?", "where is my package", "asdf qwer", "能开发票吗，公司抬头"]


@pytest.fixture(scope="module")
def int8() -> Encoder:
    return Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="onnx-int8")


def test_int8_vectors_stay_close_to_fp32(int8: Encoder) -> None:
    fp32 = Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="torch")
    cosines = np.sum(int8.encode(TEXTS) * fp32.encode(TEXTS), axis=1)
    assert cosines.min() >= onnx_backend.MIN_COSINE
    assert int8.model_id != fp32.model_id  # separate embedding caches
    assert int8.dim == fp32.dim == 384


def test_the_fp32_copy_gives_torchs_vectors_and_shares_its_caches(int8: Encoder) -> None:
    fp32 = Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="onnx-fp32")
    torch = Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="torch")
    assert fp32.backend == "onnx-fp32"
    cosines = np.sum(fp32.encode(TEXTS) * torch.encode(TEXTS), axis=1)
    assert cosines.min() >= onnx_backend.FP32.min_cosine
    # Same vectors, same embedding cache and trained heads; int8 keeps its own.
    assert fp32.model_id == torch.model_id != int8.model_id


def test_an_int8_copy_is_not_taken_for_an_fp32_one(tmp_path: Path) -> None:
    meta = {"format": onnx_backend.FORMAT_VERSION, "prompt": "", "pooling": "mean", "dim": 384}
    (tmp_path / onnx_backend.META_FILE).write_text(json.dumps(meta))
    assert onnx_backend.cached_copy(tmp_path, onnx_backend.INT8)
    assert not onnx_backend.cached_copy(tmp_path, onnx_backend.FP32)
    meta |= {"format": onnx_backend.FP32.format, "file": onnx_backend.FP32.model_file}
    (tmp_path / onnx_backend.META_FILE).write_text(json.dumps(meta))
    assert onnx_backend.cached_copy(tmp_path, onnx_backend.FP32)
    assert not onnx_backend.cached_copy(tmp_path, onnx_backend.INT8)


def test_the_fp32_copy_batches_texts_of_one_length_to_the_vectors_they_get_alone() -> None:
    fp32 = Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="onnx-fp32")
    texts = [*TEXTS, "order 1", "order 2", "order 3", "退货", "发票", "hi"]
    groups = onnx_backend._same_length_groups(fp32._model._tokenize(texts))
    assert max(len(group) for group in groups) >= 3  # real batches, not one text per run
    batch = fp32.encode(texts)
    alone = np.stack([fp32.encode([t])[0] for t in texts])
    np.testing.assert_allclose(batch, alone, atol=1e-5)


def test_the_quantizer_info_chatter_is_dropped_and_its_warnings_kept() -> None:
    import logging

    from bot.understanding.onnx_export import _quantizer_chatter

    path = "/venv/lib/python3.11/site-packages/onnxruntime/quantization/onnx_quantizer.py"
    info = logging.makeLogRecord({"levelno": logging.INFO, "pathname": path})
    warning = logging.makeLogRecord({"levelno": logging.WARNING, "pathname": path})
    ours = logging.makeLogRecord({"levelno": logging.INFO, "pathname": "/app/bot/cli.py"})
    assert [_quantizer_chatter(r) for r in (info, warning, ours)] == [False, True, True]


def test_a_text_gets_the_same_vector_alone_and_in_a_batch(int8: Encoder) -> None:
    batch = int8.encode(TEXTS)
    alone = np.stack([int8.encode([t])[0] for t in TEXTS])
    np.testing.assert_allclose(batch, alone, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_an_unknown_backend_is_refused(tmp_path: object) -> None:
    with pytest.raises(ValueError, match="backend"):
        Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="tensorrt")


def test_the_cached_copy_is_current_and_its_embedding_table_is_8_bit(int8: Encoder) -> None:
    import onnx
    from onnx import TensorProto

    folder = onnx_folder(int8.model_name, CACHE_DIR / "models")
    assert onnx_backend.cached_copy(folder)
    model = onnx.load(str(folder / onnx_backend.MODEL_FILE))
    # An fp32 250k x 384 word-embedding table (384 MB resident in every worker) would be the
    # only float initializer this large; the int8 MatMul weights are at most 1536 x 384.
    big_floats = [
        init.name
        for init in model.graph.initializer
        if init.data_type == TensorProto.FLOAT and np.prod(init.dims) > 2_000_000
    ]
    assert big_floats == []
    assert (folder / onnx_backend.MODEL_FILE).stat().st_size < 150_000_000


def test_a_copy_of_an_older_format_is_not_taken_as_cached(tmp_path: Path) -> None:
    meta: dict[str, object] = {
        "prompt": "query: ",
        "pooling": "mean",
        "dim": 384,
        "pad_id": 1,
        "max_seq_length": 512,
    }  # what format 1 wrote: no "format"
    (tmp_path / onnx_backend.META_FILE).write_text(json.dumps(meta))
    assert not onnx_backend.cached_copy(tmp_path)
    (tmp_path / onnx_backend.META_FILE).write_text("{not json")
    assert not onnx_backend.cached_copy(tmp_path)
    meta["format"] = onnx_backend.FORMAT_VERSION
    (tmp_path / onnx_backend.META_FILE).write_text(json.dumps(meta))
    assert onnx_backend.cached_copy(tmp_path)


def test_a_new_format_is_exported_beside_the_old_folder_not_over_it() -> None:
    builtin = onnx_folder("builtin:multilingual-e5-small", CACHE_DIR / "models")
    other = onnx_folder("some/model", CACHE_DIR / "models")
    for folder in (builtin, other):
        assert f"-v{onnx_backend.FORMAT_VERSION}" in folder.name
        assert folder.name != "onnx-int8"  # format 1's folder, which old workers may still read


def test_loading_the_cached_copy_imports_no_torch(int8: Encoder) -> None:
    # torch + transformers + sentence-transformers cost a worker hundreds of MB for nothing
    # once the ONNX copy exists; a module-level import anywhere on this path would bring them.
    code = (
        "import sys; from pathlib import Path; from bot.understanding.encoder import Encoder; "
        f"e = Encoder('builtin:multilingual-e5-small', Path({str(CACHE_DIR)!r}), "
        "backend='onnx-int8'); e.encode(['hi']); "
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=ROOT,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_int8_quantized_from_the_fp32_copy_is_the_int8_copy(int8: Encoder, tmp_path: Path) -> None:
    from bot.understanding.encoder import _load_sentence_transformer

    models = CACHE_DIR / "models"
    Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="onnx-fp32")  # made if missing
    fp32_copy = onnx_folder(int8.model_name, models, onnx_backend.FP32)
    torch_model = _load_sentence_transformer(int8.model_name, models, 1)
    made = onnx_backend.load_onnx(
        torch_model, tmp_path / "int8", 1, onnx_backend.INT8, fp32_copy=fp32_copy
    )
    assert onnx_backend.cached_copy(tmp_path / "int8", onnx_backend.INT8)
    assert not (tmp_path / "int8" / onnx_backend.FP32.model_file).exists()
    np.testing.assert_allclose(made.encode(TEXTS), int8.encode(TEXTS), atol=1e-6)
