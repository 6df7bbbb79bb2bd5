"""The compact tokenizer's files: loaded, or first written from the model's tokenizer.json and
checked against Hugging Face tokenizers on sample texts (the tokenizer itself: sp_tokenizer.py)."""

from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.understanding.sp_tokenizer import (
    _FORMAT,
    _METASPACE,
    META_FILE,
    VOCAB_FILE,
    SpTokenizer,
    SpUnsupported,
    _Charsmap,
)

logger = logging.getLogger(__name__)


def load(folder: Path, max_length: int) -> SpTokenizer:
    """The compact tokenizer of ``folder``, written from its tokenizer.json when missing."""
    try:
        meta = json.loads((folder / META_FILE).read_text())
        if meta.get("format") != _FORMAT:
            raise ValueError("another format")
    except (OSError, ValueError):
        write_files(folder)
        meta = json.loads((folder / META_FILE).read_text())
    pieces, scores = _read_vocab(folder / VOCAB_FILE)
    return SpTokenizer(pieces, scores, meta, max_length)


def _read_vocab(path: Path) -> tuple[dict[str, int], Sequence[float]]:
    # Line by line into a float array: a list of 250k lines or floats would be ~25 MB more.
    pieces: dict[str, int] = {}
    scores = array("d")
    with path.open(encoding="utf-8", newline="\n") as lines:
        for line in lines:
            score, piece = line[:-1].split("\t", 1)
            pieces[piece] = len(scores)
            scores.append(float(score))
    return pieces, scores


# Texts that exercise where the copy could differ: the normalizer (full-width forms,
# compatibility characters, combining marks, odd whitespace), float ties in the Viterbi,
# unknown characters, special tokens in the text (also full-width ones, which normalize into
# vocabulary pieces), and many scripts.
CHECK_TEXTS = (
    "query: 退货政策是什么?",
    "query: 好好好好好，苹果好脆好甜，好好吃 怎么还没到货？？？？？？？？？？？？？",
    "query: Can I change the delivery address after paying?",
    "query: 👍🎉 thanks!! ＡＢＣ１２３，。！？ ❤️ 👨‍👩‍👧",
    "query:   lots   of\tspace\nand\r\nlines \x85 ",
    "query: Ich möchte meine Bestellung stornieren. Ça coûte ﬁve € e\u0301 \x7f\u0300\u0300",
    "query: 日本語のテキストです。한국어 텍스트 نص عربي ไทย हिन्दी",
    "query: https://example.com/a?b=c&d=%20 <s> x</s><mask> <unk><pad> ＜s＞ ▁x ▁▁y",
    "query: \u00a0nbsp\u3000ideographic\u2028sep\u200bzero\u200dwidth\ufeffbom\x1ffs",
    "query: ①②③ ㈱ ㍻ ½ x² ｶﾀｶﾅ 𠀀 \U000e0001",
    "",
    "query: ",
    "   ",
)


def write_files(folder: Path) -> None:
    """Copy ``folder``/tokenizer.json into the compact files, check them against
    ``tokenizers`` and publish them (atomically) beside it."""
    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    meta = _meta(spec)
    vocab = "".join(f"{score!r}\t{piece}\n" for piece, score in spec["model"]["vocab"])
    del spec
    pieces: dict[str, int] = {}
    scores: list[float] = []
    for i, line in enumerate(vocab.split("\n")[:-1]):
        score, piece = line.split("\t", 1)
        pieces[piece] = i
        scores.append(float(score))
    ours = SpTokenizer(pieces, scores, meta, max_length=512)
    _check_against_tokenizers(folder, ours)
    _publish(folder / VOCAB_FILE, vocab.encode())
    _publish(folder / META_FILE, (json.dumps(meta) + "\n").encode())  # last: marks it done
    logger.info("Wrote the compact tokenizer beside %s", folder / "tokenizer.json")


def _publish(path: Path, data: bytes) -> None:
    # Another worker may be reading or writing the same file: write aside, then rename.
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def _meta(spec: dict[str, Any]) -> dict[str, Any]:
    """Refuse any tokenizer.json that is not XLM-R's shape, and keep what encoding needs."""
    model, normalizer, pre = (
        spec.get("model") or {},
        spec.get("normalizer") or {},
        spec.get("pre_tokenizer") or {},
    )
    if model.get("type") != "Unigram" or model.get("byte_fallback") or model.get("unk_id") is None:
        raise SpUnsupported(f"model {model.get('type')!r} is not a plain Unigram with <unk>")
    if normalizer.get("type") != "Precompiled" or not normalizer.get("precompiled_charsmap"):
        raise SpUnsupported(f"normalizer {normalizer.get('type')!r} is not Precompiled")
    steps = pre.get("pretokenizers", []) if pre.get("type") == "Sequence" else [pre]
    metaspace = steps[-1] if steps else {}
    if (
        [step.get("type") for step in steps] != ["WhitespaceSplit", "Metaspace"]
        or metaspace.get("replacement") != _METASPACE
        or metaspace.get("prepend_scheme") != "always"
        or not metaspace.get("split", True)
    ):
        raise SpUnsupported("pre-tokenizer is not WhitespaceSplit + Metaspace")
    post = spec.get("post_processor") or {}
    single = post.get("single") or []
    if post.get("type") != "TemplateProcessing" or [next(iter(step)) for step in single] != [
        "SpecialToken",
        "Sequence",
        "SpecialToken",
    ]:
        raise SpUnsupported("post-processor is not <s> A </s>")
    specials: dict[str, int] = {}
    for added in spec.get("added_tokens", []):
        if (
            added.get("normalized")
            or added.get("lstrip")
            or added.get("rstrip")
            or added.get("single_word")
            or not added.get("special")
        ):
            raise SpUnsupported(f"added token {added.get('content')!r} is not a plain special")
        specials[added["content"]] = int(added["id"])
    vocab = model["vocab"]
    if (
        any("\n" in piece for piece, _ in vocab)
        or len({p for p, _ in vocab}) != len(vocab)
        or any(specials.get(vocab[i][0], i) != i for i in range(len(vocab)))
    ):
        raise SpUnsupported("the Unigram vocab has line breaks, duplicates or moved specials")
    charsmap = base64.b64decode(normalizer["precompiled_charsmap"])
    table = _Charsmap(charsmap)
    if any(table.transform(chr(c)) is not None for c in range(0x20, 0x7F)):
        raise SpUnsupported("the charsmap maps printable ASCII")  # _normalize's fast path
    special_ids = post["special_tokens"]
    return {
        "format": _FORMAT,
        "unk_id": int(model["unk_id"]),
        "specials": specials,
        "bos": special_ids[single[0]["SpecialToken"]["id"]]["ids"][0],
        "eos": special_ids[single[2]["SpecialToken"]["id"]]["ids"][0],
        "charsmap": normalizer["precompiled_charsmap"],
    }


def _check_against_tokenizers(folder: Path, ours: SpTokenizer) -> None:
    try:
        from tokenizers import Tokenizer
    except ImportError:  # nothing to compare with; the copy was made from its own file
        return
    reference = Tokenizer.from_file(str(folder / "tokenizer.json"))
    reference.no_padding()
    reference.enable_truncation(512)
    texts = [*CHECK_TEXTS, "query: " + "好好好 ?? " * 200]  # also the truncation
    expected = [e.ids for e in reference.encode_batch(texts)]
    for text, want, got in zip(texts, expected, ours.encode_batch(texts), strict=True):
        if want != got:
            raise SpUnsupported(
                f"the compact tokenizer differs from tokenizers on {text!r}: "
                f"{got[:20]} != {want[:20]}"
            )
