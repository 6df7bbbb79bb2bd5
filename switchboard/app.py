"""The FastAPI application factory. Nothing is built at import time: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError

from auth.wiring import attach_auth, auth_routers
from bot.brain import Brain
from bot.brain_factory import build_brain, reloader, seed_intents
from bot.deps import RedisDep
from bot.inbox import Inbox
from bot.redis_conn import connect
from bot.streams import consumer_name
from handoff.wiring import attach_handoff, handoff_routers
from intent_admin.wiring import intent_admin_routers
from switchboard import http_limits
from switchboard.access_log import redact_access_log
from switchboard.http_unavailable import add_redis_outage_handler
from switchboard.runtime import (
    build_connector_loops,
    build_routers,
    build_transcripts,
    build_worker,
)
from switchboard.settings import Settings

logger = logging.getLogger(__name__)


class Health(BaseModel):
    status: str
    redis: bool
    worker: bool


def create_app(settings: Settings, *, brain: Brain | None = None) -> FastAPI:
    """Build the app. With ``run_worker_in_api`` it also runs a worker and the reply senders."""
    redact_access_log()  # no token, openid or conversation id in uvicorn's access log

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.redis.url:
            raise RuntimeError(
                "No Redis URL: set REDIS_URL, or start with `switchboard run`, "
                "which starts an embedded Redis"
            )
        redis = await connect(settings.redis.url)
        app.state.settings = settings
        app.state.redis = redis
        app.state.inbox = Inbox(redis, settings.inbox, consumer_name("api"))
        await app.state.inbox.ensure_group()
        app.state.transcripts = build_transcripts(redis, settings)
        attach_auth(app.state, redis, settings.handoff, settings.handoff.token_ttl_hours)
        watcher = attach_handoff(
            app.state, redis, settings.handoff, settings.understanding.intents_dir
        )
        stop = asyncio.Event()
        app.state.tasks = [
            _supervise(loop.name, loop.run(stop)) for loop in build_connector_loops(redis, settings)
        ]
        app.state.tasks.append(_supervise("sla-watcher", watcher.run(stop)))
        await seed_intents(redis, settings)
        app.state.brain, app.state.brain_lock = brain, asyncio.Lock()
        if settings.run_worker_in_api:
            live_brain = brain or await asyncio.to_thread(build_brain, settings)
            app.state.brain = live_brain
            app.state.tasks += _start_worker(redis, settings, live_brain, stop)
            app.state.tasks.append(
                _supervise("intent-reloader", reloader(redis, live_brain, settings).run(stop))
            )
        try:
            yield
        finally:
            stop.set()
            if app.state.tasks:
                _, late = await asyncio.wait(
                    app.state.tasks, timeout=settings.inbox.block_ms / 1000 + 5
                )
                for task in late:  # a job stuck in a platform call: do not hang the shutdown
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
            await redis.aclose()

    app = FastAPI(
        title="Switchboard",
        summary="Routes every customer message to the right hands: the bot or a human.",
        version="0.1.0",
        lifespan=lifespan,
    )
    http_limits.install(app, settings.http)
    add_redis_outage_handler(app)
    routers = [
        *build_routers(settings),
        *auth_routers(),
        *handoff_routers(),
        *intent_admin_routers(),
    ]
    for router in routers:
        app.include_router(router)

    @app.get("/healthz", response_model=Health, tags=["operations"])
    async def healthz(redis: RedisDep, request: Request, response: Response) -> Health:
        """Liveness and readiness: Redis answers, and the in-process worker (if any) runs."""
        try:
            redis_ok = bool(await redis.ping())
        except RedisError:
            redis_ok = False
        tasks = request.app.state.tasks
        alive = not any(task.done() for task in tasks)
        worker_ok = alive and any(task.get_name() == "worker" for task in tasks)
        healthy = redis_ok and (worker_ok or not settings.run_worker_in_api)
        if not healthy:
            response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="ok" if healthy else "degraded", redis=redis_ok, worker=worker_ok)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/webchat")

    return app


def _start_worker(
    redis: Redis, settings: Settings, brain: Brain, stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    worker, delivery = build_worker(redis, settings, brain)
    return [_supervise("worker", worker.run(stop)), _supervise("delivery", delivery.run(stop))]


def _supervise(name: str, job: Awaitable[None]) -> asyncio.Task[None]:
    task = asyncio.ensure_future(job)
    task.set_name(name)
    task.add_done_callback(_log_crash)
    return task


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("Background task %s stopped: %r", task.get_name(), task.exception())
