"""The int8 ONNX encoder backend against the torch fp32 model it was exported from."""

from __future__ import annotations

import numpy as np
import pytest

from bot.understanding import onnx_backend
from bot.understanding.encoder import Encoder
from tests.conftest import CACHE_DIR

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


def test_a_text_gets_the_same_vector_alone_and_in_a_batch(int8: Encoder) -> None:
    batch = int8.encode(TEXTS)
    alone = np.stack([int8.encode([t])[0] for t in TEXTS])
    np.testing.assert_allclose(batch, alone, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_an_unknown_backend_is_refused(tmp_path: object) -> None:
    with pytest.raises(ValueError, match="backend"):
        Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="tensorrt")
