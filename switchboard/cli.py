"""The ``switchboard`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from bot.understanding.result import Understanding
from switchboard import cli_admin, cli_intents, doctor
from switchboard.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.brain import Brain

logger = logging.getLogger("switchboard")

T = TypeVar("T")
# Open Server-Sent Event streams (an agent console tab) never close by themselves: after this
# long uvicorn stops waiting for them, so Ctrl+C ends `switchboard run` within seconds.
GRACEFUL_SHUTDOWN_SECONDS = 3
INTERRUPTED = 130  # the shell's convention for "ended by SIGINT"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except (ValidationError, ValueError, FileNotFoundError) as exc:
        print(f"switchboard: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level or settings.log_level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args, settings) or 0)
    except KeyboardInterrupt:
        print("switchboard: interrupted", file=sys.stderr)
        return INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Chatbot and auto-reply engine: the bot answers what it knows, "
        "people the rest.",
    )
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="API, web chat and a worker in one process")
    run.add_argument("--host", help="listen address (default: server.host in config.yml)")
    run.add_argument("--port", type=int, help="listen port (default: server.port)")
    run.set_defaults(handler=_run)

    worker = commands.add_parser("worker", help="a worker only (scale these out)")
    worker.set_defaults(handler=_worker)

    classify = commands.add_parser("classify", help="show what the bot makes of a message")
    classify.add_argument("text", nargs="?", help="the message (or use --file)")
    classify.add_argument("--file", type=Path, help="one message per line; '-' for stdin")
    classify.add_argument("--json", action="store_true", help="one JSON object per message")
    classify.add_argument(
        "--intents",
        type=Path,
        metavar="PATH",
        help="train on this intent set for this run: a Rasa NLU YAML file "
        "or a folder (default: understanding.intents_dir)",
    )
    classify.set_defaults(handler=_classify)
    cli_admin.register(commands)
    cli_intents.register(commands)
    doctor.register(commands)
    return parser


def _run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bot.brain_factory import build_brain
    from bot.redis_conn import redis_url_for
    from switchboard import http_server, server_logs
    from switchboard.app import create_app

    host = args.host or settings.server.host
    port = args.port if args.port is not None else settings.server.port
    brain = _interruptible(
        lambda: build_brain(settings, progress=True),
        notice="Preparing the intent classifier (the first run builds the model and times it "
        "on this CPU, 1-2 min)...",
    )
    with redis_url_for(settings) as url:
        live = settings.model_copy(update={"redis": settings.redis.model_copy(update={"url": url})})
        app = create_app(live, brain=brain)
        print(
            f"\n  Switchboard is up. Web chat: http://{host}:{port}/webchat"
            f"   API docs: http://{host}:{port}/docs\n",
            file=sys.stderr,
        )
        server_logs.install()
        server = uvicorn.Server(
            http_server.config(
                app, host=host, port=port, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS
            )
        )
        # uvicorn shuts down gracefully on Ctrl+C, then re-raises it: that is a clean stop.
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.brain_factory import build_brain
    from bot.redis_conn import redis_url_for
    from switchboard import http_server

    brain = _interruptible(lambda: build_brain(settings, progress=True))
    # The same event loop the API is served on (switchboard.http_server): uvloop when installed.
    loop = http_server.loop_factory()
    with redis_url_for(settings) as url, asyncio.Runner(loop_factory=loop) as runner:
        runner.run(_work(settings, brain, url))
    return 0


def _interruptible(job: Callable[[], T], notice: str = "") -> T:
    """Run a long start-up step (loading or building the model) so that Ctrl+C stops the
    process at once. Python only raises KeyboardInterrupt between bytecodes, and a model load
    sits in long native calls; here it runs in a daemon thread while the main thread waits in
    short, interruptible joins. On Ctrl+C nothing is running yet that needs a clean stop (no
    Redis, no server), and the loading thread cannot be stopped: leave at once. ``notice`` is
    printed once Ctrl+C is handled so (a Ctrl+C that follows it always stops this way)."""
    outcome: dict[str, T | BaseException] = {}

    def run() -> None:
        try:
            outcome["result"] = job()
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="startup", daemon=True)
    thread.start()
    try:
        if notice:
            print(notice, file=sys.stderr, flush=True)
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        print("\nswitchboard: interrupted during start-up", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(INTERRUPTED)  # interpreter shutdown would wait on the native loading threads
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


async def _work(settings: Settings, brain: Brain, url: str) -> None:
    from bot.brain_factory import reloader, seed_intents
    from bot.redis_conn import connect
    from switchboard.runtime import build_worker

    redis = await connect(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    worker, delivery = build_worker(redis, settings, brain)
    await seed_intents(redis, settings)
    logger.info("Worker running; Ctrl+C to stop")
    try:
        await asyncio.gather(
            worker.run(stop), delivery.run(stop), reloader(redis, brain, settings).run(stop)
        )
    finally:
        await redis.aclose()


def _classify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.brain_factory import build_brain
    from bot.conversations import ConversationState
    from bot.intents import IntentDataError
    from bot.policy import decide
    from bot.responder import render
    from bot.understanding.assessment import Assessor

    try:
        texts = list(_read_texts(args))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"switchboard classify: cannot read {args.file}: {reason}", file=sys.stderr)
        return 2
    if not texts:
        print(
            "switchboard classify: give a message, or --file with one message per line",
            file=sys.stderr,
        )
        return 2
    if args.intents is not None:
        settings = settings.model_copy(
            update={
                "understanding": settings.understanding.model_copy(
                    update={"intents_dir": args.intents}
                )
            }
        )
    try:
        brain = build_brain(settings, progress=sys.stderr.isatty())
    except IntentDataError as exc:
        print(f"switchboard classify: {exc}", file=sys.stderr)
        return 2
    assessor = brain.assessor or Assessor.build(
        brain.classifier.encoder,
        settings.assessment,
        settings.data_dir,
        brain.intent_set.triage_examples,
    )
    for text, understood in zip(texts, brain.classifier.predict_many(texts), strict=True):
        understanding = assessor.assess(text, understood)  # no burst: that needs Redis history
        decision = decide(
            understanding,
            ConversationState(),
            brain.intent_set,
            max_misunderstood=settings.policy.max_misunderstood,
        )
        reply = render(decision, brain.intent_set, understanding.language)
        if args.json:
            print(
                json.dumps(
                    {
                        "text": text,
                        **understanding.to_dict(),
                        "decision": decision.kind,
                        "reply": reply,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            _print_human(text, understanding, decision.kind, reply)
    return 0


def _read_texts(args: argparse.Namespace) -> Iterable[str]:
    if args.file is not None:
        stream = sys.stdin if str(args.file) == "-" else args.file.open(encoding="utf-8")
        with stream:
            yield from (line.strip() for line in stream if line.strip())
    elif args.text:
        yield args.text


def _print_human(text: str, u: Understanding, decision: str, reply: str) -> None:
    intent = u.intent or f"(out of scope; best guess {u.top_intent})"
    print(f"text:       {text}")
    print(f"language:   {u.language}")
    print(f"intent:     {intent}  confidence {u.confidence:.2f}")
    if u.reasons:
        print(f"fallback:   {'; '.join(u.reasons)}")
    print(
        f"severity:   {u.severity}  negativity {u.negativity:.2f}"
        f"{'  (asks for a person)' if u.human_requested else ''}"
    )
    if u.triage:
        top = sorted(u.triage.items(), key=lambda item: -item[1])[:3]
        print(f"triage:     {', '.join(f'{label} {p:.2f}' for label, p in top)}")
    if u.person_reason:
        print(f"person:     {u.person_reason}")
    if u.assessment_reasons:
        print(f"because:    {'; '.join(u.assessment_reasons)}")
    print(f"decision:   {decision}")
    print(f"reply:      {reply}\n")


if __name__ == "__main__":
    sys.exit(main())
