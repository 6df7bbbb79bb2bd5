"""The console's page and static files: served by exact name, nothing else on disk reachable."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from handoff.console import STATIC_DIR, router


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as http:
        yield http


async def test_the_page_and_its_files_are_served_with_a_strict_policy(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/console")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    for name, kind in [("console.js", "text/javascript"), ("console.css", "text/css")]:
        response = await client.get(f"/console/static/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(kind)
        assert response.content == (STATIC_DIR / name).read_bytes()


async def test_the_page_loads_nothing_from_elsewhere() -> None:
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), path.name
        assert "@import" not in text and "url(http" not in text, path.name


@pytest.mark.parametrize(
    "path",
    [
        "/console/static/..%2F__init__.py",
        "/console/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/console/static/../__init__.py",
        "/console/static/__init__.py",
        "/console/static/missing.js",
        "/console/static/",
        "/console/static/.%2Fconsole.js",
    ],
)
async def test_nothing_outside_the_static_folder_is_served(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert b"import" not in response.content


async def test_the_script_never_puts_data_into_html() -> None:
    """All text reaches the page through textContent (an XSS guard, read from the source)."""
    scripts = sorted(STATIC_DIR.glob("*.js"))
    assert len(scripts) > 2  # the console is split into ES modules; every one is checked
    for path in scripts:
        script = path.read_text(encoding="utf-8")
        assert not re.search(r"\.(inner|outer)HTML\s*\+?=", script), path.name
        assert not re.search(
            r"(insertAdjacentHTML|document\.write|createContextualFragment)\(", script
        ), path.name
        # Markup is parsed in one place only: the page's own partials (partials.js).
        if path.name != "partials.js":
            assert "DOMParser" not in script, path.name


async def test_the_page_is_assembled_from_partials_it_serves(client: httpx.AsyncClient) -> None:
    page = (await client.get("/console")).text
    names = re.findall(r'data-partial="([^"]+)"', page)
    assert sorted(names) == ["partial-dialogs.html", "partial-intent-editor.html"]
    whole = page
    for name in names:
        part = await client.get(f"/console/static/{name}")
        assert part.status_code == 200 and part.headers["content-type"].startswith("text/html")
        assert "<script" not in part.text and "data-partial" not in part.text, name
        whole += part.text
    # The scripts look elements up by id across all of it: no id may be defined twice.
    ids = re.findall(r'\sid="([^"]+)"', whole)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert {"intents-area", "transfer-dialog", "help-dialog", "queue-list"} <= set(ids)
