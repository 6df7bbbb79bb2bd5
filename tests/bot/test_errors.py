"""Every error we raise on purpose has one root, and sits on the branch its docstring names."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import bot.errors
from bot.errors import SwitchboardError

PACKAGES = ("bot", "auth", "handoff", "intent_admin", "connectors", "switchboard")
OUTSIDE_THE_TREE = {"BodyRefused"}  # an HTTP response (FastAPI's HTTPException), by design


def _our_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseException)
                    and value.__module__ == info.name
                ):
                    found[f"{info.name}.{name}"] = value
    return found


def test_every_exception_class_descends_from_the_root() -> None:
    exceptions = _our_exceptions()
    assert len(exceptions) > 20
    strays = [
        name
        for name, cls in exceptions.items()
        if not issubclass(cls, SwitchboardError) and cls.__name__ not in OUTSIDE_THE_TREE
    ]
    assert not strays, f"not under SwitchboardError: {strays}"


def test_the_docstring_draws_every_exception() -> None:
    drawing = bot.errors.__doc__ or ""
    missing = [
        cls.__name__
        for cls in _our_exceptions().values()
        if cls.__module__ != "bot.errors" and cls.__name__ not in drawing
    ]
    assert not missing, f"add these to the tree in bot/errors.py: {missing}"
