"""The compact Unigram tokenizer gives exactly HF tokenizers' ids, and so the same vectors."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from tokenizers import Tokenizer

from bot.understanding import onnx_backend, sp_tokenizer, sp_tokenizer_files
from bot.understanding.encoder import Encoder, onnx_folder
from tests.conftest import CACHE_DIR, ROOT

EDGE = [
    "",
    " ",
    "  spaces  ",
    "\t",
    "a\tb\nc\r\nd",
    "a\x85b",
    "👍🎉 thanks!!",
    "👨‍👩‍👧‍👦 family 🇨🇳",
    "❤️",
    "０１２３４５６７８９ ！？，。：；（）【】",
    "ＡＢＣ ｄｅｆ",
    "我想买iPhone 15 Pro Max，多少钱？",
    "日本語のテキストです。ｶﾀｶﾅ",
    "한국어 텍스트입니다",
    "مرحبا كيف حالك",
    "Привет",
    "ไทย ภาษา",
    "हिन्दी पाठ",
    "Ça coûte cher, naïve café",
    "e\u0301 ﬁ ① ㈱ ㍻ ½ x² ™",
    "\x7f\u0300\u0300",
    "https://example.com/path?q=1&b=%20#frag",
    "a<s>b",
    "x <mask> y",
    "<pad></s>",
    "＜s＞ ＜unk＞",
    "▁x ▁▁y",
    "\u00a0\u3000\u2028\u200b\ufeff\x1f",
    "ŀ\u05c9 ℭ\u05c8",
    "好好好好好好好好好好好好好",
    "怎么还没到货？？？？？？？？？？？？？",
    "不好用，xxxxxxxxxxxxxxxxxxxx",
    "我" * 1000,
    " ".join(["word"] * 700),
]


def _random_texts(count: int) -> list[str]:
    """Mixtures of many scripts, symbols, combining marks and whitespace (seeded)."""
    blocks = [
        (0x20, 0x250),
        (0x300, 0x370),
        (0x370, 0x530),
        (0x590, 0x700),
        (0x900, 0x980),
        (0xE00, 0xE80),
        (0x1100, 0x1200),
        (0x2000, 0x2070),
        (0x2100, 0x2500),
        (0x3000, 0x3100),
        (0x3200, 0x3400),
        (0x4E00, 0x4F00),
        (0xAC00, 0xAC80),
        (0xF900, 0xFB50),
        (0xFE00, 0xFE70),
        (0xFF00, 0xFFF0),
        (0x1F300, 0x1F700),
    ]
    pool = [chr(c) for low, high in blocks for c in range(low, high)] + list(" \t\n\x85")
    rng = random.Random(7)
    return ["".join(rng.choice(pool) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def _nlu_examples() -> list[str]:
    nlu = yaml.safe_load((ROOT / "intents" / "nlu.yml").read_text())["nlu"]
    return [
        line.strip()[2:]
        for item in nlu
        for line in item.get("examples", "").splitlines()
        if line.strip().startswith("- ")
    ]


@pytest.fixture(scope="module")
def folder() -> Path:
    Encoder("builtin:multilingual-e5-small", CACHE_DIR, backend="onnx-int8")  # exports if needed
    return onnx_folder("builtin:multilingual-e5-small", CACHE_DIR / "models")


def _reference(folder: Path) -> Tokenizer:
    reference = Tokenizer.from_file(str(folder / "tokenizer.json"))
    reference.no_padding()
    reference.enable_truncation(512)
    return reference


def test_ids_equal_hf_tokenizers_on_varied_texts(folder: Path) -> None:
    texts = [*EDGE, *_nlu_examples()[:200], *_random_texts(300)]
    texts += ["query: " + text for text in texts]
    ours = sp_tokenizer_files.load(folder, 512).encode_batch(texts)
    expected = [e.ids for e in _reference(folder).encode_batch(texts)]
    differing = [text for text, a, b in zip(texts, ours, expected, strict=True) if a != b]
    assert differing == []
    assert max(map(len, ours)) == 512 and ours[EDGE.index("我" * 1000)][-1] == 2  # </s> kept


def test_the_encoder_vectors_are_those_of_the_hf_token_ids(folder: Path) -> None:
    encoder = onnx_backend.OnnxEncoder(folder, threads=1)
    texts = [*EDGE[:20], *_nlu_examples()[:20]]
    ours = encoder.encode(texts)
    reference = _reference(folder).encode_batch(["query: " + text for text in texts])
    theirs = np.stack([encoder._embed([e.ids])[0] for e in reference])
    assert np.sum(ours * theirs, axis=1).min() > 0.9999


def test_built_lazily_beside_tokenizer_json_and_refused_for_another_shape(
    folder: Path, tmp_path: Path
) -> None:
    shutil.copy(folder / "tokenizer.json", tmp_path / "tokenizer.json")
    tokenizer = sp_tokenizer_files.load(tmp_path, 512)  # an older copy has no compact files yet
    assert (tmp_path / sp_tokenizer.META_FILE).exists()
    assert (tmp_path / sp_tokenizer.VOCAB_FILE).exists()
    assert sp_tokenizer_files.load(tmp_path, 512).encode("好好好") == tokenizer.encode("好好好")

    other = tmp_path / "other"
    other.mkdir()
    spec = json.loads((folder / "tokenizer.json").read_text())
    spec["normalizer"] = {"type": "NFKC"}
    (other / "tokenizer.json").write_text(json.dumps(spec))
    with pytest.raises(sp_tokenizer.SpUnsupported, match="Precompiled"):
        sp_tokenizer_files.load(other, 512)
    # OnnxEncoder then stays on HF tokenizers, with that file's own normalizer.
    fallback = onnx_backend._load_tokenizer(other, 512)
    assert fallback(["ＡＢＣ"]) == [
        e.ids for e in Tokenizer.from_file(str(other / "tokenizer.json")).encode_batch(["ＡＢＣ"])
    ]
    assert not (other / sp_tokenizer.META_FILE).exists()
