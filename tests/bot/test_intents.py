from __future__ import annotations

from pathlib import Path

import pytest

from bot.intents import IntentDataError, load_intent_set, parse_rasa_nlu
from bot.understanding.language import detect_language

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "greet",
    "thanks",
    "return_policy",
    "refund_status",
    "shipping_time",
    "order_tracking",
    "change_address",
    "cancel_order",
    "payment_methods",
    "invoice",
    "product_availability",
    "contact_human",
    "complaint",
}


def test_the_default_set_covers_the_e_commerce_basics_in_both_languages() -> None:
    intent_set = load_intent_set(ROOT / "intents")
    assert set(intent_set.names) >= REQUIRED
    for intent in intent_set.intents.values():
        by_language = {"zh": 0, "en": 0}
        for example in intent.examples:
            by_language[detect_language(example)] += 1
        assert by_language["zh"] >= 12, intent.name
        assert by_language["en"] >= 12, intent.name
        assert set(intent.answers) == {"zh", "en"}, intent.name
    assert intent_set.intents["contact_human"].handoff
    assert intent_set.intents["complaint"].handoff
    assert not intent_set.intents["return_policy"].handoff
    assert {"clarify", "handoff", "ack_normal", "ack_crisis", "ack_vip"} <= set(intent_set.system)


def test_no_example_belongs_to_two_intents() -> None:
    intent_set = load_intent_set(ROOT / "intents")
    owner: dict[str, str] = {}
    for intent in intent_set.intents.values():
        for example in intent.examples:
            key = example.lower().strip(" ?!.。？！")
            assert owner.setdefault(key, intent.name) == intent.name, example


def test_rasa_markup_is_read_like_rasa_does(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: change_address\n  examples: |\n"
        "    - ship it to [Berlin](city) please\n"
        '    - send to [Shanghai]{"entity": "city"}\n'
        "    - ship it to [Berlin](city) please\n"
        "- synonym: Berlin\n  examples: |\n    - BER\n"
        "- intent: greet\n  examples: |\n    - hi\n",
        encoding="utf-8",
    )
    assert parse_rasa_nlu(path) == {
        "change_address": [
            "ship it to Berlin please",
            "send to Shanghai",
            "ship it to Berlin please",
        ],
        "greet": ["hi"],
    }
    intent_set = load_intent_set(path)
    assert intent_set.intents["change_address"].examples == (
        "ship it to Berlin please",
        "send to Shanghai",
    )
    assert intent_set.intents["greet"].answers == {}  # no answers.yml beside it


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nlu: [\n", "not valid YAML"),
        ("- just a list\n", "expected a mapping"),
        ("nlu:\n- intent: a\n  examples: 3\n", "no 'examples: |' block"),
        ("nlu: []\n", "No intents"),
    ],
)
def test_malformed_files_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IntentDataError, match=message):
        load_intent_set(path)


def test_fingerprint_follows_the_examples() -> None:
    first = load_intent_set(ROOT / "intents")
    assert first.fingerprint() == load_intent_set(ROOT / "intents").fingerprint()
