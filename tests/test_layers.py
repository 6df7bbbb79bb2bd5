"""The layers hold: the engine imports none of the parts that plug into it.

Allowed, top to bottom (a package may import those below it, never above):

    switchboard   the composition root: imports everything, imported by nothing
    connectors    platforms: bot only
    handoff       people: bot and auth
    intent_admin  the admins' intent editor API: bot and auth
    auth          users and guards: bot only
    bot           the engine: nothing of the above

Every import statement counts, also those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "auth", "handoff", "intent_admin", "connectors", "switchboard")
ALLOWED: dict[str, set[str]] = {
    "bot": {"bot"},
    "auth": {"auth", "bot"},
    "handoff": {"handoff", "auth", "bot"},
    "intent_admin": {"intent_admin", "auth", "bot"},
    "connectors": {"connectors", "bot"},
    "switchboard": set(PACKAGES),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, name in _imports(path)
        if name in PACKAGES and name not in ALLOWED[package]
    ]
    assert not wrong, "\n".join(wrong)


def test_every_package_is_checked() -> None:
    top = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench", "scripts"}
    assert top == set(PACKAGES), f"a new top-level package needs its place in ALLOWED: {top}"
