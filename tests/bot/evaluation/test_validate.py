"""Static checks of an intent set: shared examples, thin intents, answers."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation.validate import Finding, normalize, validate
from bot.intents import load_intent_set
from tests.bot.evaluation.conftest import EXAMPLES, write_intents


def _codes(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.severity, f.code, f.intent) for f in findings}


def test_normalize_ignores_case_width_spaces_and_end_marks() -> None:
    assert normalize("  Hello,   THERE？ ") == normalize("hello, there") == "hello, there"
    assert normalize("退货政策是什么？") == normalize("退货政策是什么?")


def test_a_clean_set_has_no_errors(tiny_folder: Path) -> None:
    findings = validate(load_intent_set(tiny_folder), tiny_folder / "answers.yml")
    assert not [f for f in findings if f.severity == "error"]
    # English examples only: each intent is thin in Chinese.
    assert ("warning", "too_few_examples", "greet") in _codes(findings)


def test_shared_examples_thin_intents_and_answer_problems(tmp_path: Path) -> None:
    examples = {
        **EXAMPLES,
        "thanks": ["thanks", "thank you"],
        "goodbye": ["bye", "see you", "Hello!"],
    }  # "Hello!" is greet's "hello"
    answers = """answers:
  greet: {en: "Hi!", zh: "你好!"}
  order_tracking: {en: "Track it under My Orders."}
  refund_status: {en: "1-3 days.", zh: "1-3天。"}
  thanks: {en: "You're welcome!", zh: "不客气!"}
  lost_intent: {en: "Nobody asks for this."}
"""
    folder = write_intents(tmp_path / "intents", examples, answers)
    findings = validate(load_intent_set(folder), folder / "answers.yml", min_examples=3)
    codes = _codes(findings)
    assert ("error", "shared_example", "goodbye") in codes
    shared = next(f for f in findings if f.code == "shared_example")
    assert "greet" in shared.message and "goodbye" in shared.message
    assert ("warning", "too_few_examples", "thanks") in codes
    assert ("warning", "answer_missing_language", "order_tracking") in codes
    assert ("error", "no_answer", "goodbye") in codes
    assert ("warning", "answer_for_unknown_intent", "lost_intent") in codes
    assert findings[0].severity == "error"  # errors first
