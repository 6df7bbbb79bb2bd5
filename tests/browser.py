"""Headless Debian Chromium for browser tests, driven by Playwright (never a downloaded browser).

``scripts/dev.sh`` installs Debian's ``chromium``; Playwright only drives it:
``playwright.chromium.launch(**chromium_options())`` with the sync or the async API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, and this machine's closed
# network refuses those connections noisily.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_options() -> dict[str, Any]:
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: ./scripts/dev.sh installs Debian's chromium")
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}
