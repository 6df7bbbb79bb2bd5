"""``switchboard classify``: the assessment fields, and ``--intents`` for another intent set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.cli import main
from tests.conftest import CACHE_DIR, ROOT

OTHER_INTENTS = """\
version: "3.1"
nlu:
- intent: opening_hours
  examples: |
    - when do you open
    - what are your opening hours
    - are you open on sunday
    - 几点开门
    - 周末营业吗
- intent: store_location
  examples: |
    - where is your store
    - what is your address
    - how do I get to the shop
    - 店在哪里
    - 你们的地址是什么
"""


@pytest.fixture(autouse=True)
def _cached_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(CACHE_DIR))


def test_classify_json_shows_severity(capsys: pytest.CaptureFixture[str], brain: object) -> None:
    assert main(["classify", "--json", "用了你们的面霜过敏了,烂脸"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["severity"] == "crisis"
    assert 0.0 <= result["negativity"] <= 1.0
    assert result["human_requested"] is False
    assert "crisis keyword: 过敏" in result["assessment_reasons"]


def test_classify_human_output_shows_a_request_for_a_person(
    capsys: pytest.CaptureFixture[str], brain: object
) -> None:
    assert main(["classify", "can I talk to a real person"]) == 0
    assert "asks for a person" in capsys.readouterr().out


def test_classify_with_another_intent_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, brain: object
) -> None:
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(OTHER_INTENTS, encoding="utf-8")
    assert main(["classify", "--json", "--intents", str(nlu), "what time do you open?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["intent"] == "opening_hours"
    assert {r["intent"] for r in result["ranking"]} == {"opening_hours", "store_location"}


def test_classify_with_a_missing_intent_set_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["classify", "--intents", str(tmp_path / "nowhere"), "hi"]) == 2
    assert "No intent data" in capsys.readouterr().err
