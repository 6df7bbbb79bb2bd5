"""The example-embedding cache shared by several processes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.understanding.encoder import _VectorStore


def test_two_writers_keep_each_others_vectors(tmp_path: Path) -> None:
    path = tmp_path / "cache.npz"
    first, second = _VectorStore(path), _VectorStore(path)  # two processes, same file
    first.put("退货政策是什么", np.ones(4, dtype=np.float32))
    first.save()
    second.put("where is my order", np.zeros(4, dtype=np.float32))
    second.save()  # must not drop what the first one saved
    reread = _VectorStore(path)
    assert reread.get("退货政策是什么") is not None
    assert reread.get("where is my order") is not None
    assert second.get("退货政策是什么") is not None  # the merge is visible to the saver too
