from __future__ import annotations

import pytest

from bot.understanding.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("退货政策是什么?", "zh"),
        ("what is your return policy?", "en"),
        ("iPhone 15 有货吗", "zh"),
        ("我的order到哪了", "zh"),
        ("where is my order 123456", "en"),
        ("asdf qwer", "en"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_no_letters_gives_the_default() -> None:
    assert detect_language("👍 123", default="zh") == "zh"
    assert detect_language("???", default="") == ""
