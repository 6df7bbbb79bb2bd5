"""The peer for API accept/s: a bare FastAPI + redis-py app, one XADD per request.

What any FastAPI service that queues a chat message does, and no more: a pydantic body, one
stream append, a 202 with the entry id. It is served by ``switchboard.http_server.config`` with the
options ``switchboard run`` gives uvicorn, so the two apps differ only in what they do.

    python -m bench.load.bare_app REDIS_URL PORT
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Request, status
from pydantic import BaseModel
from redis.asyncio import Redis

from switchboard import http_server
from switchboard.cli import GRACEFUL_SHUTDOWN_SECONDS

STREAM = "bare:inbox"


class MessageIn(BaseModel):
    conversation_id: str
    text: str


class Accepted(BaseModel):
    entry_id: str


def create_app(redis_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.redis = Redis.from_url(redis_url, decode_responses=True)
        yield
        await app.state.redis.aclose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/messages", status_code=status.HTTP_202_ACCEPTED)
    async def post_message(body: MessageIn, request: Request) -> Accepted:
        entry_id = await request.app.state.redis.xadd(STREAM, {"msg": body.model_dump_json()})
        return Accepted(entry_id=entry_id)

    return app


def main() -> None:
    redis_url, port = sys.argv[1], int(sys.argv[2])
    config = http_server.config(
        create_app(redis_url),
        host="127.0.0.1",
        port=port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
