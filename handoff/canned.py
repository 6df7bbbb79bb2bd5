"""Canned replies for agents, read from ``canned.yml`` beside the intent files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def load_canned(intents_dir: Path) -> list[dict[str, Any]]:
    """``[{"id", "title", "text": {"zh", "en"}}]``; empty when there is no file."""
    path = (
        intents_dir / "canned.yml" if intents_dir.is_dir() else intents_dir.with_name("canned.yml")
    )
    if not path.is_file():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        {
            "id": str(item["id"]),
            "title": str(item.get("title", item["id"])),
            "text": {lang: str(item[lang]) for lang in ("zh", "en") if item.get(lang)},
        }
        for item in document.get("canned") or []
        if isinstance(item, dict) and "id" in item
    ]
