"""Trained intent heads kept on disk: a start (or a `switchboard classify`) with an intent set
trained before loads its head, and its calibrated thresholds, instead of fitting them again.

A head is found by a digest of everything its training reads: every (intent, example) pair in
training order, the encoder's identity (model, backend, ONNX format: ``Encoder.model_id``), the
training settings, scikit-learn's version and the source of the training code. Changing one
example, a setting, the backend or that code trains anew; nothing is ever invalidated by hand.
Each head is two files, ``<digest>.npz`` (``head_store``) and ``<digest>.json`` (thresholds,
written last: a head without it is unfinished); the least recently used beyond ``KEEP`` go.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.understanding import head_store
from bot.understanding.head import IntentHead

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
# An admin editing intents makes a version per save; a few dozen heads of a few MB each is
# plenty to go back and forth between versions without training.
KEEP = 30
# The training code: a change in any of these may change the head or its thresholds.
_CODE = ("head.py", "head_store.py", "calibration.py", "oos_examples.py", "classifier.py")


def key(
    texts: Sequence[str],
    labels: Sequence[str],
    model_id: str,
    settings: dict[str, Any],
) -> str:
    """The digest a head trained on these examples, encoder and settings is kept under."""
    digest = hashlib.sha256()
    header = {
        "format": CACHE_FORMAT,
        "model_id": model_id,
        "settings": settings,
        "sklearn": metadata.version("scikit-learn"),  # without importing it (a second)
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    here = Path(__file__).resolve().parent
    for name in _CODE:
        digest.update((here / name).read_bytes())
    for text, label in zip(texts, labels, strict=True):
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:20]


def load(directory: Path, digest: str) -> tuple[IntentHead, dict[str, float]] | None:
    """The head and thresholds kept under ``digest``, or None (missing, unfinished, unreadable)."""
    head_path, meta_path = _paths(directory, digest)
    try:
        thresholds = json.loads(meta_path.read_text())["thresholds"]
        head = head_store.load(head_path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("Ignoring an unreadable cached intent head %s: %s", head_path, exc)
        return None
    for path in (head_path, meta_path):
        path.touch()  # recently used: the last to be removed
    return head, {name: float(value) for name, value in thresholds.items()}


def save(directory: Path, digest: str, head: IntentHead, thresholds: dict[str, float]) -> None:
    head_path, meta_path = _paths(directory, digest)
    try:
        head_store.save(head, head_path)
        temporary = meta_path.with_name(f".{meta_path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"thresholds": thresholds}, indent=2) + "\n")
        os.replace(temporary, meta_path)  # last: marks the head complete
        _prune(directory)
    except OSError as exc:  # a read-only data dir: train every time, as before
        logger.warning("Could not keep the trained intent head in %s: %s", directory, exc)


def _paths(directory: Path, digest: str) -> tuple[Path, Path]:
    return directory / f"{digest}.npz", directory / f"{digest}.json"


def _prune(directory: Path) -> None:
    heads = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in heads[KEEP:]:
        for path in _paths(directory, old.stem):
            path.unlink(missing_ok=True)
