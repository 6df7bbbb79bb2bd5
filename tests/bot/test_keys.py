from __future__ import annotations

from pathlib import Path

from bot import keys


def test_keys_share_one_prefix() -> None:
    assert keys.seen("telegram", "42").startswith(f"{keys.PREFIX}:")
    assert keys.transcript("webchat:a:a") == "sb:conv:webchat:a:a:transcript"


def test_no_module_formats_redis_keys_by_itself() -> None:
    """All keys are built in bot/keys.py: nobody else writes the "sb:" prefix."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for package in ("bot", "connectors", "handoff")
        for path in (root / package).rglob("*.py")
        if path.name != "keys.py" and '"sb:' in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
