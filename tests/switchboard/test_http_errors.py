"""Validation errors: a short 422 that quotes at most an excerpt, whatever the input holds."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from switchboard.http_errors import EXCERPT_CHARS, install_error_handlers, safe_excerpt
from tests.live_server import serve_asgi


class Order(BaseModel):
    items: list[int]
    note: str


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app = FastAPI()

    @app.post("/orders")
    async def place(order: Order) -> dict[str, int]:
        return {"items": len(order.items)}

    install_error_handlers(app)
    with serve_asgi(app) as base:
        yield base


def test_an_excerpt_is_short_and_encodable() -> None:
    assert safe_excerpt("x" * 1000) == "x" * EXCERPT_CHARS + "…"
    assert safe_excerpt("bad \ud83d end") == "bad \\ud83d end"
    assert safe_excerpt({"a": 1}) == "{'a': 1}"
    safe_excerpt("\udfff" * 100).encode("utf-8")  # never raises


def test_many_errors_are_cut_to_ten_with_a_count(base_url: str) -> None:
    response = httpx.post(f"{base_url}/orders", json={"items": ["x"] * 500, "note": "n"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert len(detail) == 11
    assert detail[-1] == {"type": "truncated", "loc": [], "msg": "500 errors in all"}
    assert detail[0]["loc"] == ["body", "items", 0]


def test_objects_are_never_echoed_and_strings_only_in_part(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/orders", json={"items": {"secret": "s" * 10_000}, "note": ["n" * 10_000]}
    )
    assert response.status_code == 422
    assert len(response.content) < 1024
    assert all("input" not in error for error in response.json()["detail"])


def test_a_json_decode_error_names_the_place_not_the_body(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/orders",
        content=b'{"note": "secret' + b"s" * 10_000,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "json_invalid" and error["ctx"]["error"]
    assert "secret" not in response.text
