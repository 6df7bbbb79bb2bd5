"""``switchboard intents export`` / ``import``: Rasa NLU YAML and domain (and CSV) in and out
of Redis."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from redis.asyncio import Redis

from bot.intents import IntentSet
from switchboard.cli_admin import with_redis
from switchboard.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser("export", help="write the live intent set as Rasa NLU YAML and domain")
    export.add_argument(
        "--out",
        type=Path,
        default=Path("exported-intents"),
        help="folder for nlu.yml, domain.yml, rules.yml and answers.yml "
        "(default: exported-intents)",
    )
    export.add_argument("--version", type=int, help="an earlier version instead of the live one")
    export.set_defaults(handler=lambda args, settings: with_redis(settings, _export, args))

    load = sub.add_parser(
        "import",
        help="add a Rasa project (NLU examples, domain answers) or text,intent CSV to the draft",
    )
    load.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="path",
        help="a Rasa project folder, Rasa files (nlu.yml, domain.yml), or one .csv",
    )
    load.add_argument(
        "--replace",
        action="store_true",
        help="replace the draft's intents instead of adding examples",
    )
    load.add_argument(
        "--publish",
        action="store_true",
        help="evaluate the draft and publish it (refused when it makes things "
        "worse, unless --confirm)",
    )
    load.add_argument("--confirm", action="store_true", help="publish even if worse")
    load.add_argument("--note", default="imported", help="the version's note")
    load.set_defaults(handler=lambda args, settings: with_redis(settings, _import, args))


async def _export(redis: Redis, settings: Settings, args: argparse.Namespace) -> int:
    from bot.intent_io import export_intent_set
    from bot.intent_versions import IntentVersions, VersionNotFound
    from bot.intents import load_intent_set

    versions = IntentVersions(redis)
    try:
        version = await (versions.get(args.version) if args.version else versions.live())
    except VersionNotFound as exc:
        print(f"switchboard intents export: {exc}")
        return 2
    intent_set = (
        version.intent_set if version else load_intent_set(settings.understanding.intents_dir)
    )
    paths = export_intent_set(intent_set, args.out)
    label = f"version {version.number}" if version else "the intent files (nothing published)"
    print(
        f"Exported {label}: {len(intent_set.intents)} intents to {', '.join(str(p) for p in paths)}"
    )
    return 0


async def _import(redis: Redis, settings: Settings, args: argparse.Namespace) -> int:
    from bot.intent_io import merge, read_intent_files
    from bot.intent_versions import IntentVersions
    from bot.intents import IntentDataError, load_intent_set
    from intent_admin.audit import AuditLog
    from intent_admin.drafts import DraftConflict, Drafts

    try:
        imported = read_intent_files(args.paths)
    except (IntentDataError, OSError) as exc:
        print(f"switchboard intents import: {exc}")
        return 2
    incoming = imported.intent_set
    source = ", ".join(str(p) for p in args.paths)
    versions = IntentVersions(redis)
    await versions.seed(load_intent_set(settings.understanding.intents_dir))
    drafts = Drafts(redis)
    draft = await drafts.current()
    combined = incoming if args.replace else merge(draft.intent_set, incoming)
    try:
        await drafts.save(combined, draft, "cli")
    except DraftConflict:
        print("switchboard intents import: an admin changed the draft meanwhile; run it again")
        return 1
    await AuditLog(redis).record("cli", "intents.import", {"path": source, "replace": args.replace})
    added = sum(len(i.examples) for i in incoming.intents.values())
    answered = sum(1 for i in incoming.intents.values() if i.answers)
    print(
        f"Draft updated: {added} examples in {len(incoming.intents)} intents from {source}; "
        f"{answered} intents have answers"
    )
    for warning in imported.warnings:
        print(f"  warning: {warning}")
    if not args.publish:
        print("Evaluate and publish in the console, or run again with --publish.")
        return 0
    return await _publish(redis, settings, combined, draft.based_on, args)


async def _publish(
    redis: Redis, settings: Settings, draft_set: IntentSet, based_on: int, args: argparse.Namespace
) -> int:
    from bot.brain_factory import build_brain
    from bot.intent_versions import IntentVersions
    from bot.misses import MissLog
    from intent_admin.compare import compare
    from intent_admin.drafts import Drafts

    live = await IntentVersions(redis).live()
    assert live is not None
    brain = await asyncio.to_thread(build_brain, settings, live.intent_set, progress=True)
    regression = [m.text for m in await MissLog(redis).all()][:500]
    comparison = await asyncio.to_thread(
        compare,
        brain.classifier.encoder,
        live.intent_set,
        draft_set,
        brain.classifier.thresholds,
        regression_texts=regression,
    )
    print(
        f"Accuracy (cross-validated): {comparison.accuracy_before:.1%} -> "
        f"{comparison.accuracy_after:.1%}; {len(comparison.changed)} outcomes change"
    )
    if comparison.makes_things_worse:
        print("This draft makes things worse:")
        for line in comparison.worse:
            print(f"  - {line}")
        if not args.confirm:
            print("Not published (use --confirm to publish anyway).")
            return 1
    version = await IntentVersions(redis).publish(
        draft_set, "cli", note=args.note, report=comparison.report, based_on=based_on
    )
    await Drafts(redis).discard()
    print(f"Published version {version.number}; every process answers with it within seconds.")
    return 0
