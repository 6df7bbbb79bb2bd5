"""A compact copy of an XLM-R style (Unigram) ``tokenizer.json`` that gives the same ids.

HF ``tokenizers`` holds the 250k-piece XLM-R vocabulary in structures that take ~280 MB
resident (measured: 18 MB -> 299 MB for ``Tokenizer.from_file``). This module redoes its
pipeline in plain Python over a dict of pieces (tens of MB):

1. special tokens written in the text ("<s>", "<mask>", ...) are cut out first and become their
   own ids; every other stretch is encoded alone;
2. the ``Precompiled`` normalizer: the nmt_nfkc charsmap (a double-array trie), applied per
   grapheme cluster exactly as tokenizers does (a cluster under 6 bytes is replaced by the
   mapping of its *shortest* prefix in the trie, else each character by its own mapping);
3. ``WhitespaceSplit`` + ``Metaspace`` ("▁" before every word, split before every "▁");
4. the Unigram Viterbi in float64 with tokenizers' order and tie rule, unknown characters
   fused into one <unk>;
5. <s> ... </s> around, truncated to ``max_length`` keeping </s> last.

Why not the ``sentencepiece`` package: it holds the same model in ~20 MB, but its Viterbi adds
scores in float32, so segmentations whose scores tie exactly in float64 (e.g. "▁ 好 好好" vs
"▁ 好好 好" in "好好好") come out in another order: 5 of 4,000 Chinese reviews got other ids.

The vocabulary and charsmap are written beside tokenizer.json (:data:`VOCAB_FILE`,
:data:`META_FILE`) at export time, or on first load, and only after they gave the same ids as
``tokenizers`` on :data:`CHECK_TEXTS`. Any tokenizer.json of another shape raises
:class:`SpUnsupported`, and the caller stays on ``tokenizers``.
"""

from __future__ import annotations

import base64
import logging
import re
import struct
import unicodedata
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from bot.errors import SetupError

logger = logging.getLogger(__name__)

VOCAB_FILE = "tokenizer_unigram.tsv"  # "score<TAB>piece" per line, in id order
META_FILE = "tokenizer_unigram.json"  # unk/bos/eos ids, special tokens, the charsmap
_FORMAT = 1
_K_UNK_PENALTY = 10.0  # tokenizers' unk score is the lowest score minus this
# Rust's char::is_whitespace (Unicode White_Space), which tokenizers' WhitespaceSplit uses;
# Python's str.split() would also split on U+001C..U+001F.
_WHITESPACE = re.compile(
    "[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
_METASPACE = "\u2581"


class SpUnsupported(SetupError):
    """The tokenizer.json is not one this module copies exactly."""


class _Charsmap:
    """sentencepiece's precompiled charsmap: a double-array trie over UTF-8 bytes whose values
    point into a blob of NUL-terminated replacements (the spm_precompiled crate's reading)."""

    def __init__(self, blob: bytes) -> None:
        (trie_size,) = struct.unpack_from("<I", blob)
        self._units = struct.unpack_from(f"<{trie_size // 4}I", blob, 4)
        self._normalized = blob[4 + trie_size :]
        self._cache: dict[str, str | None] = {}

    def transform(self, chunk: str) -> str | None:
        """The replacement for the shortest prefix of ``chunk`` in the trie, if any."""
        if chunk in self._cache:
            return self._cache[chunk]
        units, pos, found = self._units, 0, None
        pos ^= (units[0] >> 10) << ((units[0] & (1 << 9)) >> 6)
        for byte in chunk.encode():
            if byte == 0:
                break
            pos ^= byte
            unit = units[pos]
            if unit & ((1 << 31) | 0xFF) != byte:
                break
            pos ^= (unit >> 10) << ((unit & (1 << 9)) >> 6)
            if (unit >> 8) & 1:
                start = units[pos] & ((1 << 31) - 1)
                found = self._normalized[start : self._normalized.index(0, start)].decode()
                break  # tokenizers takes the first (shortest) match
        if len(self._cache) < 100_000:
            self._cache[chunk] = found
        return found


class SpTokenizer:
    """``encode_batch`` like HF ``tokenizers`` (no padding), returning lists of ids."""

    def __init__(
        self, pieces: dict[str, int], scores: Sequence[float], meta: dict[str, Any], max_length: int
    ) -> None:
        import regex  # grapheme clusters (\X); a dependency of transformers, so always here

        self._graphemes = regex.compile(r"\X")
        self._pieces, self._scores = pieces, scores
        self._unk = int(meta["unk_id"])
        self._unk_score = min(scores) - _K_UNK_PENALTY
        self._max_piece = max(map(len, pieces))
        self._charsmap = _Charsmap(base64.b64decode(meta["charsmap"]))
        self._specials: dict[str, int] = meta["specials"]
        names = sorted(self._specials, key=len, reverse=True)  # leftmost-longest, as tokenizers
        self._split = re.compile("(" + "|".join(map(re.escape, names)) + ")") if names else None
        self._bos, self._eos = int(meta["bos"]), int(meta["eos"])
        self._max_content = max(max_length - 2, 0)

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        parts = self._split.split(text) if self._split else [text]
        for i, part in enumerate(parts):
            if i % 2:  # the separators re.split keeps: a special token
                ids.append(self._specials[part])
            elif part:
                for word in _WHITESPACE.split(self._normalize(part)):
                    if word:
                        self._encode_word(word, ids)
        return [self._bos, *ids[: self._max_content], self._eos]

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.encode(text) for text in texts]

    def _normalize(self, text: str) -> str:
        if text.isascii() and text.isprintable():
            return text  # printable ASCII is never in the nmt_nfkc charsmap (checked at build)
        out = []
        transform = self._charsmap.transform
        for grapheme in self._clusters(text):
            if len(grapheme.encode()) < 6:
                whole = transform(grapheme)
                if whole is not None:
                    out.append(whole)
                    continue
            for char in grapheme:
                mapped = transform(char)
                out.append(char if mapped is None else mapped)
        return "".join(out)

    def _clusters(self, text: str) -> list[str]:
        clusters = self._graphemes.findall(text)
        if text.isascii():
            return clusters
        # regex follows a newer Unicode than tokenizers' Rust crate: a code point unassigned in
        # Python's (older) table, e.g. U+05C8, may be a combining mark to regex but not to
        # tokenizers. Such a character starts a cluster of its own, as tokenizers sees it.
        out = []
        for cluster in clusters:
            if len(cluster) > 1 and any(unicodedata.category(c) == "Cn" for c in cluster[1:]):
                out.extend(
                    re.split(
                        "(?=["
                        + "".join(
                            re.escape(c) for c in cluster[1:] if unicodedata.category(c) == "Cn"
                        )
                        + "])",
                        cluster,
                    )
                )
            else:
                out.append(cluster)
        return [cluster for cluster in out if cluster]

    def _encode_word(self, word: str, ids: list[int]) -> None:
        # Metaspace: "▁" before the word unless it starts with one, then a split before every "▁".
        if not word.startswith(_METASPACE):
            word = _METASPACE + word
        starts = [m.start() for m in re.finditer(_METASPACE, word)] + [len(word)]
        for begin, end in pairwise(starts):
            self._viterbi(word[begin:end], ids)

    def _viterbi(self, piece: str, ids: list[int]) -> None:
        """tokenizers' ``Unigram::encode_optimized``: float64 sums, starts in order, and a
        later candidate replaces the best path into a position only if strictly better."""
        pieces, scores, size = self._pieces, self._scores, len(piece)
        best = [0.0] * (size + 1)
        back: list[tuple[int, int] | None] = [None] * (size + 1)  # (start, id) of the last piece
        for start in range(size):
            till_here = best[start]
            single = False
            for end in range(start + 1, min(size, start + self._max_piece) + 1):
                token = pieces.get(piece[start:end])
                if token is None:
                    continue
                candidate = scores[token] + till_here
                if back[end] is None or candidate > best[end]:
                    best[end], back[end] = candidate, (start, token)
                single = single or end == start + 1
            if not single:
                candidate = self._unk_score + till_here
                if back[start + 1] is None or candidate > best[start + 1]:
                    best[start + 1], back[start + 1] = candidate, (start, self._unk)
        found: list[int] = []
        end, unknown_end = size, -1  # unknown_end: where a run of unknowns being fused ends
        while end > 0:
            start, token = back[end]  # type: ignore[misc]
            if token == self._unk:  # consecutive unknowns fuse into one token
                unknown_end = end if unknown_end < 0 else unknown_end
            else:
                if unknown_end >= 0:
                    found.append(pieces.get(piece[end:unknown_end], self._unk))
                    unknown_end = -1
                found.append(token)
            end = start
        if unknown_end >= 0:
            found.append(pieces.get(piece[:unknown_end], self._unk))
        ids.extend(reversed(found))
