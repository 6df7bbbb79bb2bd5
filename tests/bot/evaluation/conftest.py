"""A tiny intent set written by the tests (3 intents x 8 examples, one deliberately misfiled),
and its cross-validated predictions on the real built-in model, computed once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.crossval import Prediction, cross_validate
from bot.intents import IntentSet, load_intent_set
from bot.understanding.classifier import Thresholds
from bot.understanding.encoder import Encoder
from switchboard.settings import Settings
from tests.conftest import CACHE_DIR

# Filed under greet by mistake: every fold's head must call it order_tracking.
MISFILED = "where is my parcel, it has not arrived"
EXAMPLES = {
    "greet": [
        "hello",
        "hi there",
        "good morning",
        "hey",
        "hello, anyone here?",
        "good evening",
        "hi!",
        MISFILED,
    ],
    "order_tracking": [
        "where is my order",
        "track my package",
        "has my order shipped yet",
        "where is my delivery",
        "when will my parcel arrive",
        "tracking number for my order",
        "my package is late, where is it",
        "order status please",
    ],
    "refund_status": [
        "where is my refund",
        "when do I get my money back",
        "refund not received yet",
        "how long does a refund take",
        "status of my refund",
        "I returned the item, where is the money",
        "has my refund been processed",
        "refund still pending",
    ],
}
ANSWERS = """answers:
  greet:
    en: "Hi!"
    zh: "你好!"
  order_tracking:
    en: "Track it under My Orders."
    zh: "在我的订单里查看物流。"
  refund_status:
    en: "Refunds take 1-3 days."
    zh: "退款1-3天到账。"
"""


def write_intents(folder: Path, examples: dict[str, list[str]], answers: str = ANSWERS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ['version: "3.1"', "nlu:"]
    for name, texts in examples.items():
        lines += [f"- intent: {name}", "  examples: |", *(f"    - {t}" for t in texts)]
    (folder / "nlu.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "answers.yml").write_text(answers, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_intents(tmp_path_factory.mktemp("intents") / "tiny", EXAMPLES)


@pytest.fixture(scope="session")
def tiny_set(tiny_folder: Path) -> IntentSet:
    return load_intent_set(tiny_folder)


@pytest.fixture(scope="session")
def predictions(tiny_set: IntentSet) -> list[Prediction]:
    understanding = Settings().understanding
    encoder = Encoder(understanding.model, CACHE_DIR, backend=understanding.backend)
    return cross_validate(encoder, tiny_set, Thresholds.from_settings(understanding), folds=4)
