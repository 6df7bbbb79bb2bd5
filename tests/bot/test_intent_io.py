from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.intent_io import export_intent_set, from_csv, import_intent_set, merge, read_intent_files
from bot.intents import Intent, IntentDataError, IntentSet, load_intent_set

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_set_round_trips_through_rasa_yaml(tmp_path: Path) -> None:
    shipped = load_intent_set(ROOT / "intents")
    export_intent_set(shipped, tmp_path / "out")
    again = import_intent_set(tmp_path / "out")
    assert again == shipped  # every example, answer, variant and system line
    document = yaml.safe_load((tmp_path / "out" / "nlu.yml").read_text(encoding="utf-8"))
    assert document["version"] == "3.1"
    assert {item["intent"] for item in document["nlu"]} == set(shipped.names)
    assert read_intent_files([tmp_path / "out"]).warnings == []  # domain and answers.yml agree


def test_the_shipped_answers_come_back_from_the_rasa_files_alone(tmp_path: Path) -> None:
    shipped = load_intent_set(ROOT / "intents")
    paths = export_intent_set(shipped, tmp_path / "out")
    assert [p.name for p in paths] == ["nlu.yml", "domain.yml", "rules.yml", "answers.yml"]
    (tmp_path / "out" / "answers.yml").unlink()  # what a Rasa team sends back
    imported = read_intent_files([tmp_path / "out"])
    assert imported.warnings == []
    answers = {name: intent.answers for name, intent in imported.intent_set.intents.items()}
    assert answers == {name: intent.answers for name, intent in shipped.intents.items()}
    assert all(len(a) == 2 for a in answers.values())  # both languages of every intent
    rules = yaml.safe_load((tmp_path / "out" / "rules.yml").read_text(encoding="utf-8"))
    assert {
        "rule": "answer greet",
        "steps": [{"intent": "greet"}, {"action": "utter_greet"}],
    } in rules["rules"]


def test_csv_import_and_merge() -> None:
    incoming = from_csv(
        "text,intent\n能打个小票吗,invoice\nwhere's my stuff,order_tracking\n能打个小票吗,invoice\n"
    )
    assert incoming.intents["invoice"].examples == ("能打个小票吗",)
    base = load_intent_set(ROOT / "intents")
    merged = merge(base, incoming)
    assert merged.intents["invoice"].examples[-1] == "能打个小票吗"
    assert merged.intents["invoice"].answers == base.intents["invoice"].answers
    english_only = IntentSet(
        {"invoice": Intent("invoice", ("receipt please",), {"en": "Receipts are in My Orders."})}
    )
    merged = merge(base, english_only)
    assert merged.intents["invoice"].answers == {
        "zh": base.intents["invoice"].answers["zh"],
        "en": "Receipts are in My Orders.",
    }
    with pytest.raises(IntentDataError, match="row 2"):
        from_csv("text,intent\nonly text\n")
    with pytest.raises(IntentDataError, match="on its own"):
        read_intent_files([Path("more.csv"), ROOT / "intents"])
