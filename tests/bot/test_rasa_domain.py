"""Writing and reading Rasa domain answers; ``rasa data validate`` on the export when we can."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.intent_io import export_intent_set
from bot.intents import Intent, IntentSet, load_intent_set
from bot.rasa_domain import domain_yaml, language_of_path, read_responses

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "rasa_project"
# The benchmark builds this venv (bench/systems/rasa_peer.py); CI has none.
RASA_VENV = Path(os.environ.get("SWITCHBOARD_RASA_VENV", ROOT / "bench" / ".rasa-venv"))
RASA = RASA_VENV / "bin" / "rasa"
needs_rasa = pytest.mark.skipif(
    not RASA.is_file(),
    reason=f"no Rasa at {RASA}: the benchmark builds it (bench/systems/rasa_peer.py), "
    "or point SWITCHBOARD_RASA_VENV at a Rasa 3.6 venv",
)


def _set(*intents: Intent) -> IntentSet:
    return IntentSet({i.name: i for i in intents})


def test_both_languages_become_a_conditional_variation_and_a_default() -> None:
    document = yaml.safe_load(
        domain_yaml(
            _set(
                Intent("greet", ("hi", "你好"), {"zh": "您好", "en": "Hello"}),
                Intent("thanks", ("谢谢",), {"zh": "不客气"}),
                Intent("silent", ("...",)),
            )
        )
    )
    assert document["version"] == "3.1"
    assert document["intents"] == ["greet", "silent", "thanks"]
    assert document["responses"] == {
        "utter_greet": [
            {"text": "您好", "condition": [{"type": "slot", "name": "language", "value": "zh"}]},
            {"text": "Hello"},
        ],
        "utter_thanks": [{"text": "不客气"}],
    }
    assert document["slots"]["language"] == {
        "type": "categorical",
        "values": ["zh", "en"],
        "influence_conversation": False,
        "mappings": [{"type": "custom"}],
    }


def test_a_default_text_whose_language_would_be_misread_gets_a_condition() -> None:
    document = yaml.safe_load(
        domain_yaml(_set(Intent("greet", ("hi",), {"zh": "您好", "en": "您好 means hello"})))
    )
    assert all(v["condition"][0]["value"] for v in document["responses"]["utter_greet"])
    back = read_responses([(Path("domain.yml"), document, None)], {"greet"})
    assert back.answers == {"greet": {"zh": "您好", "en": "您好 means hello"}}
    assert back.warnings == []


def test_one_language_needs_no_slot() -> None:
    document = yaml.safe_load(domain_yaml(_set(Intent("thanks", ("谢谢",), {"zh": "不客气"}))))
    assert "slots" not in document


def test_the_language_a_path_names() -> None:
    assert language_of_path(["domain", "responses_zh"]) == "zh"
    assert language_of_path(["en", "domain"]) == "en"
    assert language_of_path(["domain", "zh-CN"]) == "zh"
    assert language_of_path(["domain", "responses"]) is None
    assert language_of_path(["zh_en"]) is None  # both: the texts decide
    assert language_of_path(["tokens", "enable"]) is None  # whole words only


def _rasa_project(tmp_path: Path, source: Path) -> Path:
    project = tmp_path / "rasa"
    (project / "data").mkdir(parents=True)
    shutil.copy(source / "domain.yml", project / "domain.yml")
    for name in ("nlu.yml", "rules.yml"):
        shutil.copy(source / name, project / "data" / name)
    (project / "config.yml").write_text(
        "recipe: default.v1\nlanguage: zh\nassistant_id: switchboard\npipeline: []\npolicies: []\n",
        encoding="utf-8",
    )
    return project


def _validate(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [str(RASA), "data", "validate", "--domain", "domain.yml", "--data", "data", *extra],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@needs_rasa
def test_rasa_validates_the_exported_shipped_set(tmp_path: Path) -> None:
    export_intent_set(load_intent_set(ROOT / "intents"), tmp_path / "out")
    done = _validate(_rasa_project(tmp_path, tmp_path / "out"), "--fail-on-warnings")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@needs_rasa
def test_rasa_accepts_the_fixture_project() -> None:
    # The fixture is what a Rasa team brings: Rasa itself must accept it.
    done = _validate(FIXTURE)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_a_slot_placeholder_is_reported() -> None:
    document = {"responses": {"utter_greet": [{"text": "Hi {name}, welcome back!"}]}}
    read = read_responses([(Path("domain.yml"), document, None)], {"greet"})
    assert read.answers == {"greet": {"en": "Hi {name}, welcome back!"}}
    assert read.warnings == [
        "utter_greet: the en text fills {name} from a slot; Switchboard "
        "sends it as written, so edit the answer"
    ]


def test_a_conditional_variation_beats_a_default_in_the_same_language() -> None:
    # Rasa sends the conditional text when the slot says "en"; the default only otherwise.
    document = {
        "responses": {
            "utter_greet": [
                {"text": "Hi"},
                {
                    "text": "Hello",
                    "condition": [{"type": "slot", "name": "lang", "value": "en-GB"}],
                },
                {"text": "Hey", "condition": [{"type": "slot", "name": "lang", "value": "en"}]},
            ]
        }
    }
    read = read_responses([(Path("domain.yml"), document, None)], {"greet"})
    assert read.answers == {"greet": {"en": "Hello"}}
    assert read.warnings == [
        "utter_greet: 2 more en text(s) not imported (Switchboard sends one answer per language)"
    ]
