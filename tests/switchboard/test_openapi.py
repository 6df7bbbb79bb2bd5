"""The OpenAPI page documents every JSON response: no route answers an untyped object.

The app is built with every connector enabled, so each platform's routes are on the page too.
Nothing here needs Redis: /openapi.json is served without the app's lifespan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from switchboard.app import create_app
from switchboard.settings import Settings
from tests.conftest import ROOT

_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


@pytest.fixture
async def openapi(tmp_path: Path) -> dict[str, Any]:
    settings = Settings(
        data_dir=tmp_path / "data",
        understanding={"intents_dir": ROOT / "intents"},
        telegram={
            "enabled": True,
            "bot_token": "7000001:AAH-openapi-test",
            "mode": "webhook",
            "secret_token": "openapi-test",
        },
        wechat={
            "enabled": True,
            "app_id": "wx-openapi",
            "app_secret": "secret",
            "token": "token",
            "encoding_aes_key": _AES_KEY,
        },
        wecom_kf={
            "enabled": True,
            "corp_id": "ww-openapi",
            "secret": "secret",
            "token": "token",
            "encoding_aes_key": _AES_KEY,
            "open_kfid": "wk-openapi",
        },
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def untyped(schema: dict[str, Any], components: dict[str, Any], seen: frozenset[str]) -> str:
    """Why ``schema`` does not describe its JSON ("" when it does): an empty schema, an object
    with no properties (a bare mapping), or a list or union of such."""
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return ""
        return untyped(components[name], components, seen | {name})
    for union in ("anyOf", "oneOf", "allOf"):
        if union in schema:
            return next(
                (why for part in schema[union] if (why := untyped(part, components, seen))), ""
            )
    kind = schema.get("type")
    if kind == "array":
        return untyped(schema.get("items", {}), components, seen)
    scalar = kind not in (None, "object") or "enum" in schema or "const" in schema
    if scalar or schema.get("properties"):
        return ""
    return f"an untyped object {schema or '{}'}"


def json_offenders(openapi: dict[str, Any]) -> list[str]:
    components = openapi.get("components", {}).get("schemas", {})
    offenders = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            success = {
                code: response
                for code, response in operation["responses"].items()
                if code.startswith("2")
            }
            if not success:
                offenders.append(f"{method.upper()} {path}: no 2xx response documented")
            for code, response in success.items():
                content = response.get("content", {})
                if "application/json" not in content:
                    continue  # no body (204), plain text, an event stream
                why = untyped(
                    content["application/json"].get("schema", {}), components, frozenset()
                )
                if why:
                    offenders.append(f"{method.upper()} {path} {code}: {why}")
    return offenders


async def test_every_json_route_documents_its_response(openapi: dict[str, Any]) -> None:
    offenders = json_offenders(openapi)
    assert not offenders, "responses without a model:\n" + "\n".join(offenders)


async def test_the_page_covers_every_part(openapi: dict[str, Any]) -> None:
    paths = set(openapi["paths"])
    for expected in (
        "/api/tickets/{ticket_id}",
        "/api/intents",
        "/api/users",
        "/api/customers/{key}",
        "/webchat/messages",
        "/telegram/webhook",
        "/wechat/callback",
        "/wecom-kf/callback",
        "/healthz",
    ):
        assert expected in paths, expected


def test_the_check_finds_an_untyped_response() -> None:
    page = {
        "paths": {
            "/a": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {}}}}}}
            },
            "/b": {
                "post": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"type": "object", "additionalProperties": True},
                                    }
                                }
                            }
                        }
                    }
                }
            },
            "/c": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/C"}}
                            }
                        }
                    }
                }
            },
            "/d": {"delete": {"responses": {"204": {"description": "gone"}}}},
        },
        "components": {
            "schemas": {"C": {"type": "object", "properties": {"n": {"type": "integer"}}}}
        },
    }
    offenders = json_offenders(page)
    assert [line.split(":")[0] for line in offenders] == ["GET /a 200", "POST /b 200"]
