"""A local stand-in for the WeChat and WeCom HTTP APIs, run by uvicorn on 127.0.0.1.

It answers like the documented APIs (``{"errcode": ..., "errmsg": ...}`` JSON), checks the
access token it handed out, and records what it was asked, so tests can assert on what a
customer would have received. Refusals (45015, 45047, a slow answer) are set per user.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.live_server import serve_asgi

APP_ID, APP_SECRET = "wx49f0ab532d5d035a", "app-secret-for-tests"
CORP_ID, KF_SECRET = "ww4a1f2b3c4d5e6f70", "kf-secret-for-tests"


@dataclass
class StandinState:
    token_fetches: int = 0
    token_fetch_delay: float = 0.0
    tokens: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)  # message/custom/send bodies
    refuse: dict[str, int] = field(default_factory=dict)  # openid -> errcode
    slow: dict[str, float] = field(default_factory=dict)  # openid -> seconds before answering
    comments: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=dict)
    comment_lists: int = 0
    comment_replies: list[dict[str, Any]] = field(default_factory=list)
    kf_messages: list[dict[str, Any]] = field(default_factory=list)  # sync_msg's whole history
    kf_sync_calls: list[dict[str, Any]] = field(default_factory=list)
    kf_sent: list[dict[str, Any]] = field(default_factory=list)
    kf_msgids: set[str] = field(default_factory=set)
    kf_states: dict[str, int] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def expire_tokens(self) -> None:
        self.tokens.clear()


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"errcode": code, "errmsg": message})


def build_standin(state: StandinState) -> FastAPI:
    app = FastAPI()

    def issue() -> dict[str, Any]:
        state.token_fetches += 1
        token = f"ACCESS_TOKEN_{next(state._ids)}"
        state.tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def authorized(request: Request) -> bool:
        return request.query_params.get("access_token") in state.tokens

    @app.get("/cgi-bin/token")
    async def token(grant_type: str, appid: str, secret: str) -> Any:
        await asyncio.sleep(state.token_fetch_delay)
        if grant_type != "client_credential" or (appid, secret) != (APP_ID, APP_SECRET):
            return _error(40125, "invalid appsecret")
        return issue()

    @app.get("/cgi-bin/gettoken")
    async def gettoken(corpid: str, corpsecret: str) -> Any:
        if (corpid, corpsecret) != (CORP_ID, KF_SECRET):
            return _error(40001, "invalid secret")
        return {"errcode": 0, "errmsg": "ok", **issue()}

    @app.post("/cgi-bin/message/custom/send")
    async def custom_send(request: Request) -> Any:
        if not authorized(request):
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        body = json.loads(await request.body())
        user = body["touser"]
        if user in state.slow:
            await asyncio.sleep(state.slow[user])
        if user in state.refuse:
            code = state.refuse[user]
            return _error(
                code,
                {
                    45015: "response out of time limit or subscription is canceled",
                    45047: "out of response count limit",
                }.get(code, "refused"),
            )
        state.sent.append(body)
        return {"errcode": 0, "errmsg": "ok"}

    @app.post("/cgi-bin/comment/list")
    async def comment_list(request: Request) -> Any:
        if not authorized(request):
            return _error(40001, "invalid credential")
        body = json.loads(await request.body())
        state.comment_lists += 1
        items = state.comments.get((int(body["msg_data_id"]), int(body["index"])), [])
        begin, count = int(body["begin"]), min(int(body["count"]), 50)
        return {
            "errcode": 0,
            "errmsg": "ok",
            "total": len(items),
            "comment": items[begin : begin + count],
        }

    @app.post("/cgi-bin/comment/reply/add")
    async def comment_reply(request: Request) -> Any:
        if not authorized(request):
            return _error(40001, "invalid credential")
        state.comment_replies.append(json.loads(await request.body()))
        return {"errcode": 0, "errmsg": "ok"}

    @app.post("/cgi-bin/kf/sync_msg")
    async def sync_msg(request: Request) -> Any:
        if not authorized(request):
            return _error(40001, "invalid credential")
        body = json.loads(await request.body())
        state.kf_sync_calls.append(body)
        start = int(body.get("cursor") or 0)
        limit = min(int(body.get("limit") or 1000), 2)  # small pages: exercises has_more
        page = state.kf_messages[start : start + limit]
        end = start + len(page)
        return {
            "errcode": 0,
            "errmsg": "ok",
            "next_cursor": str(end),
            "has_more": int(end < len(state.kf_messages)),
            "msg_list": page,
        }

    @app.post("/cgi-bin/kf/send_msg")
    async def kf_send(request: Request) -> Any:
        if not authorized(request):
            return _error(40001, "invalid credential")
        body = json.loads(await request.body())
        if body.get("msgid") in state.kf_msgids:
            return _error(95007, "msgid already used")
        if state.kf_states.get(body["touser"], 0) not in (0, 1):
            return _error(95018, "session state does not allow sending")
        state.kf_msgids.add(body.get("msgid", ""))
        state.kf_sent.append(body)
        return {"errcode": 0, "errmsg": "ok", "msgid": body.get("msgid", "")}

    @app.post("/cgi-bin/kf/service_state/get")
    async def state_get(request: Request) -> Any:
        body = json.loads(await request.body())
        return {
            "errcode": 0,
            "errmsg": "ok",
            "service_state": state.kf_states.get(body["external_userid"], 0),
        }

    @app.post("/cgi-bin/kf/service_state/trans")
    async def state_trans(request: Request) -> Any:
        body = json.loads(await request.body())
        user, target = body["external_userid"], int(body["service_state"])
        allowed = {0: {1, 2, 3, 4}, 1: {1, 2, 3, 4}, 2: {2, 3, 4}, 3: {3, 4}, 4: set()}
        if target not in allowed[state.kf_states.get(user, 0)]:
            return _error(95016, "service state transition not allowed")
        if target == 3 and not body.get("servicer_userid"):
            return _error(95014, "servicer_userid required")
        state.kf_states[user] = target
        return {"errcode": 0, "errmsg": "ok"}

    return app


@contextmanager
def running_standin() -> Iterator[tuple[str, StandinState]]:
    """Yield (base URL up to /cgi-bin/, state) of a running stand-in."""
    state = StandinState()
    with serve_asgi(build_standin(state)) as base:
        yield f"{base}/cgi-bin/", state
