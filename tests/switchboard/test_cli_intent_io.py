"""``switchboard intents export`` / ``import`` against a real Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.intent_versions import IntentVersions
from bot.intents import load_intent_set
from switchboard.cli import main
from tests.conftest import CACHE_DIR, ROOT


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(CACHE_DIR))
    monkeypatch.setenv("SWITCHBOARD_REDIS__URL", redis_url)


def _live(redis_url: str) -> int | None:
    async def read() -> int | None:
        async with Redis.from_url(redis_url, decode_responses=True) as redis:
            live = await IntentVersions(redis).live()
            return live.number if live else None

    return asyncio.run(read())


def test_export_writes_rasa_yaml_that_loads_back(
    tmp_path: Path, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    assert main(["intents", "export", "--out", str(tmp_path / "out")]) == 0
    assert "intent files" in capsys.readouterr().out  # nothing published yet
    assert load_intent_set(tmp_path / "out") == load_intent_set(ROOT / "intents")


def test_import_csv_then_publish(
    tmp_path: Path, redis_url: str, brain: object, capsys: pytest.CaptureFixture[str]
) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    csv_file = tmp_path / "new.csv"
    csv_file.write_text("text,intent\n能打个小票吗,invoice\n", encoding="utf-8")
    assert main(["intents", "import", str(csv_file)]) == 0
    assert "Draft updated: 1 examples" in capsys.readouterr().out
    assert _live(redis_url) == 1  # imported into the draft only
    assert main(["intents", "import", str(csv_file), "--publish", "--confirm"]) == 0
    assert "Published version 2" in capsys.readouterr().out
    assert _live(redis_url) == 2
    assert main(["intents", "export", "--out", str(tmp_path / "v2")]) == 0
    assert "能打个小票吗" in load_intent_set(tmp_path / "v2").intents["invoice"].examples
    assert main(["intents", "import", str(tmp_path / "missing.csv")]) == 2


def _draft_answers(redis_url: str) -> dict[str, dict[str, str]]:
    from intent_admin.drafts import Drafts

    async def read() -> dict[str, dict[str, str]]:
        async with Redis.from_url(redis_url, decode_responses=True) as redis:
            draft = await Drafts(redis).current()
            return {n: i.answers for n, i in draft.intent_set.intents.items()}

    return asyncio.run(read())


def test_import_a_rasa_project_with_its_domain_answers(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    project = ROOT / "tests" / "bot" / "fixtures" / "rasa_project"
    assert main(["intents", "import", str(project), "--replace"]) == 0
    out = capsys.readouterr().out
    assert "16 examples in 4 intents" in out and "3 intents have answers" in out
    assert "  warning: utter_iamabot: no intent named 'iamabot'; not imported" in out
    assert "  warning: utter_order_status: kept the text, dropped buttons" in out
    answers = _draft_answers(redis_url)
    assert answers["greet"] == {
        "zh": "您好！请问有什么可以帮您？",
        "en": "Hi! How can I help you today?",
    }
    assert answers["opening_hours"] == {}
    # Loose files work too: the NLU files and the domain, named one by one.
    assert (
        main(
            [
                "intents",
                "import",
                str(project / "data" / "nlu" / "shop.yml"),
                str(project / "domain.yml"),
                "--replace",
            ]
        )
        == 0
    )
    assert "3 intents" in capsys.readouterr().out
    assert sorted(_draft_answers(redis_url)) == ["opening_hours", "order_status", "return_policy"]
    assert main(["intents", "import", str(project / "domain.yml")]) == 2
    assert "No intents with examples" in capsys.readouterr().out


def test_export_writes_a_domain_that_imports_back(
    tmp_path: Path, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    assert main(["intents", "export", "--out", str(tmp_path / "out")]) == 0
    assert "domain.yml" in capsys.readouterr().out
    (tmp_path / "out" / "answers.yml").unlink()
    assert main(["intents", "import", str(tmp_path / "out"), "--replace"]) == 0
    assert "warning" not in capsys.readouterr().out
    shipped = load_intent_set(ROOT / "intents")
    assert _draft_answers(redis_url) == {n: i.answers for n, i in shipped.intents.items()}
