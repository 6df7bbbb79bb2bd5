"""Reading Rasa projects: examples from NLU files, answers from the domain's responses."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.intents import IntentDataError
from bot.rasa_project import read_rasa

FIXTURE = Path(__file__).parent / "fixtures" / "rasa_project"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    - hello
- intent: thanks
  examples: |
    - 谢谢
    - thanks
"""


def test_the_fixture_project_imports_with_its_answers_and_warnings() -> None:
    imported = read_rasa([FIXTURE])
    intents = imported.intent_set.intents
    assert sorted(intents) == ["greet", "opening_hours", "order_status", "return_policy"]
    assert intents["order_status"].examples[2] == "where is my order"  # entity markup removed
    assert intents["greet"].answers == {
        "zh": "您好！请问有什么可以帮您？",
        "en": "Hi! How can I help you today?",
    }
    assert intents["order_status"].answers == {
        "zh": "在「我的订单 → 查看物流」可以看到实时物流。",
        "en": "You can follow your parcel under My Orders → Track Package.",
    }
    assert intents["return_policy"].answers == {
        "zh": "收货后7天内支持无理由退货，商品需保持完好。",
        "en": "You can return unused items within 7 days of delivery.",
    }
    assert intents["opening_hours"].answers == {}
    assert not any(i.handoff or i.variants for i in intents.values())
    warnings = "\n".join(imported.warnings)
    assert "utter_iamabot: no intent named 'iamabot'; not imported" in warnings
    assert "utter_greet: 1 more en text(s) not imported" in warnings
    assert "utter_greet: variation for language 'fr' not imported" in warnings
    assert "utter_order_status: kept the text, dropped buttons" in warnings
    assert "utter_return_policy: a variation without text (custom) not imported" in warnings
    assert "utter_return_policy: kept the text, dropped image" in warnings
    assert len(imported.warnings) == 6


def test_a_domain_folder_with_one_file_per_language(tmp_path: Path) -> None:
    _write(tmp_path / "data" / "nlu.yml", NLU)
    _write(tmp_path / "domain" / "intents.yml", "intents: [greet, thanks]\n")
    # "OK" alone would read as English: the file's name says it is the Chinese text.
    _write(
        tmp_path / "domain" / "responses_zh.yml",
        'responses:\n  utter_greet:\n  - text: "您好"\n  utter_thanks:\n  - text: "OK~"\n',
    )
    _write(
        tmp_path / "domain" / "responses_en.yml", 'responses:\n  utter_greet:\n  - text: "Hello"\n'
    )
    imported = read_rasa([tmp_path])
    assert imported.intent_set.intents["greet"].answers == {"zh": "您好", "en": "Hello"}
    assert imported.intent_set.intents["thanks"].answers == {"zh": "OK~"}
    assert imported.warnings == ["utter_thanks: a text in a zh file reads as en; filed under zh"]


def test_one_project_folder_per_language(tmp_path: Path) -> None:
    _write(tmp_path / "zh" / "data" / "nlu.yml", NLU)
    _write(tmp_path / "zh" / "domain.yml", 'responses:\n  utter_thanks:\n  - text: "不客气"\n')
    _write(tmp_path / "en" / "domain.yml", 'responses:\n  utter_thanks:\n  - text: "Any time"\n')
    imported = read_rasa([tmp_path])
    assert imported.intent_set.intents["thanks"].answers == {"zh": "不客气", "en": "Any time"}


def test_loose_files_and_what_is_skipped(tmp_path: Path) -> None:
    _write(tmp_path / "data" / "nlu.yml", NLU)
    _write(
        tmp_path / "domain.yml",
        'responses:\n  utter_thanks:\n  - text: "Any time"\n'
        '  - text: "不客气"\n    channel: telegram\n',
    )
    # Test conversations and trained models are not training data for us.
    _write(tmp_path / "tests" / "nlu.yml", NLU.replace("谢谢", "多谢"))
    _write(tmp_path / ".rasa" / "cache.yml", NLU.replace("谢谢", "多谢"))
    imported = read_rasa([tmp_path / "data" / "nlu.yml", tmp_path / "domain.yml"])
    assert imported.intent_set.intents["thanks"].answers == {"en": "Any time"}
    assert imported.warnings == ["utter_thanks: variation for channel 'telegram' not imported"]
    assert read_rasa([tmp_path]).intent_set == imported.intent_set
    with pytest.raises(IntentDataError, match="No intents with examples"):
        read_rasa([tmp_path / "domain.yml"])
    with pytest.raises(IntentDataError, match="No intent data"):
        read_rasa([tmp_path / "missing"])


def test_answers_yml_wins_over_the_domain(tmp_path: Path) -> None:
    _write(tmp_path / "nlu.yml", NLU)
    _write(
        tmp_path / "domain.yml",
        'responses:\n  utter_thanks:\n  - text: "Any time"\n  - text: "不客气"\n',
    )
    _write(
        tmp_path / "answers.yml",
        'answers:\n  thanks:\n    en: "You are welcome"\n'
        '    handoff: false\n    variants:\n      vip:\n        en: "Always a pleasure"\n',
    )
    imported = read_rasa([tmp_path])
    thanks = imported.intent_set.intents["thanks"]
    assert thanks.answers == {"zh": "不客气", "en": "You are welcome"}
    assert thanks.variants == {"vip": {"en": "Always a pleasure"}}
    assert imported.warnings == [
        "utter_thanks: the en text differs from answers.yml; kept answers.yml"
    ]


def test_malformed_responses_are_refused_with_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "nlu.yml", NLU)
    _write(tmp_path / "domain.yml", "responses:\n  utter_thanks: Any time\n")
    with pytest.raises(IntentDataError, match=r"domain\.yml: response 'utter_thanks' must be"):
        read_rasa([tmp_path])
    _write(tmp_path / "domain.yml", "responses:\n  utter_thanks:\n  - text: [unclosed\n")
    with pytest.raises(IntentDataError, match="not valid YAML"):
        read_rasa([tmp_path])
