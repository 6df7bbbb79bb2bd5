"""``switchboard users ...`` and ``switchboard customers ...``: set-up tasks on the shared Redis."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from redis.asyncio import Redis

from switchboard.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = commands.add_parser("users", help="console users (agents and admins)")
    user_commands = users.add_subparsers(required=True, metavar="ACTION")
    add = user_commands.add_parser("add", help="create a user, or reset their password")
    add.add_argument("name")
    add.add_argument("--role", choices=["agent", "admin"], required=True)
    add.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (never from the command line)",
    )
    add.add_argument("--team", action="append", default=[], help="a team they serve (repeat)")
    add.add_argument("--capacity", type=int, default=5, help="open tickets they can hold")
    add.set_defaults(handler=lambda args, settings: with_redis(settings, _add_user, args))
    passwd = user_commands.add_parser("passwd", help="set a user's password (ends their sessions)")
    passwd.add_argument("name")
    passwd.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (never from the command line)",
    )
    passwd.set_defaults(handler=lambda args, settings: with_redis(settings, _passwd, args))
    role = user_commands.add_parser("role", help="change a user's role (ends their sessions)")
    role.add_argument("name")
    role.add_argument("--role", choices=["agent", "admin"], required=True)
    role.set_defaults(handler=lambda args, settings: with_redis(settings, _set_role, args))
    sign_out = user_commands.add_parser("sign-out", help="end every session of a user")
    sign_out.add_argument("name")
    sign_out.set_defaults(handler=lambda args, settings: with_redis(settings, _sign_out, args))
    listing = user_commands.add_parser("list", help="list users")
    listing.set_defaults(handler=lambda args, settings: with_redis(settings, _list_users, args))

    customers = commands.add_parser("customers", help="customer profiles")
    customer_commands = customers.add_subparsers(required=True, metavar="ACTION")
    load = customer_commands.add_parser("import", help="import tiers from key,tier[,name] CSV")
    load.add_argument("file", type=Path)
    load.set_defaults(handler=lambda args, settings: with_redis(settings, _import, args))


def with_redis(
    settings: Settings,
    job: Callable[[Redis, Settings, argparse.Namespace], Awaitable[int]],
    args: argparse.Namespace,
) -> int:
    from bot.redis_conn import connect, redis_url_for

    async def run(url: str) -> int:
        redis = await connect(url)
        try:
            return await job(redis, settings, args)
        finally:
            await redis.aclose()

    with redis_url_for(settings) as url:
        return asyncio.run(run(url))


async def _add_user(redis: Redis, settings: Settings, args: argparse.Namespace) -> int:
    from auth.users import UserError, UserStore

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        await UserStore(redis).add(
            args.name, args.role, password, teams=tuple(args.team), capacity=args.capacity
        )
    except UserError as exc:
        print(f"switchboard users add: {exc}", file=sys.stderr)
        return 2
    print(f"User {args.name} ({args.role}) saved; any sessions of theirs ended.")
    return 0


async def _passwd(redis: Redis, settings: Settings, args: argparse.Namespace) -> int:
    from auth.users import UserError, UserStore

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        await UserStore(redis).set_password(args.name, password)
    except UserError as exc:
        print(f"switchboard users passwd: {exc}", file=sys.stderr)
        return 2
    print(f"Password of {args.name} changed; their sessions ended.")
    return 0


async def _set_role(redis: Redis, settings: Settings, args: argparse.Namespace) -> int:
    from auth.users import UserError, UserStore

    try:
        await UserStore(redis).set_role(args.name, args.role)
    except UserError as exc:
        print(f"switchboard users role: {exc}", file=sys.stderr)
        return 2
    print(f"{args.name} is now {args.role}; their sessions ended.")
    return 0


async def _sign_out(redis: Redis, settings: Settings, args: argparse.Namespace) -> int:
    from auth.users import UserStore

    users = UserStore(redis)
    if await users.get(args.name) is None:
        print(f"switchboard users sign-out: no user {args.name!r}", file=sys.stderr)
        return 2
    ended = await users.end_sessions(args.name, "ended from the command line")
    print(f"Ended {ended} session(s) of {args.name}.")
    return 0


async def _list_users(redis: Redis, settings: Settings, args: argparse.Namespace) -> int:
    from auth.users import UserStore

    for user in await UserStore(redis).all():
        teams = ",".join(user.teams) or "all teams"
        print(f"{user.username:20} {user.role:6} capacity {user.capacity:<3} {teams}")
    return 0


async def _import(redis: Redis, settings: Settings, args: argparse.Namespace) -> int:
    from bot.customers import CustomerDataError, CustomerStore

    try:
        count = await CustomerStore(redis, settings.handoff.tiers).import_csv(
            args.file.read_text(encoding="utf-8")
        )
    except (OSError, CustomerDataError) as exc:
        print(f"switchboard customers import: {exc}", file=sys.stderr)
        return 2
    print(f"Imported {count} customer tiers.")
    return 0
