"""The `booking` command: serve, worker, migrate, seed, create-admin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import re
import sys
from collections.abc import Sequence

import booking.db  # noqa: F401  (sets PICCOLO_CONF before Piccolo looks for it)
from booking.settings import Settings, SettingsError, load_settings


async def _migrate(settings: Settings) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from booking.db.engine import bind_tables, close_engine, create_engine, open_engine

    engine = create_engine(settings.database)
    bind_tables(engine)
    await open_engine(engine, pool_size=2)
    # Piccolo lists every migration it looks at; one line says what happened instead.
    listing = io.StringIO()
    try:
        with contextlib.redirect_stdout(listing):
            result = await run_forwards(app_name="booking")
    finally:
        await close_engine(engine)
    if not result.success:
        sys.stderr.write(listing.getvalue())
        raise SystemExit(f"error: migrations failed: {result.message}")
    ran = re.search(r"Running (\d+) migrations?", listing.getvalue())
    if ran:
        print(f"database schema: {ran.group(1)} migrations applied")


async def _seed(settings: Settings, only_if_empty: bool) -> None:
    from booking.db.engine import bind_tables, close_engine, create_engine, open_engine
    from booking.db.tables import Building
    from booking.seed import seed_demo_data

    engine = create_engine(settings.database)
    bind_tables(engine)
    await open_engine(engine, pool_size=2)
    try:
        if only_if_empty and await Building.count() > 0:
            return
        added = await seed_demo_data(settings.var_dir)
        print(
            f"demo data: {added} buildings, rooms, organisations, approval tiers, room rules, "
            f"public holiday closures and accounts added; "
            f"demo sign-ins are in {settings.var_dir / 'demo-accounts.txt'}"
        )
    finally:
        await close_engine(engine)


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    if settings.embedded:
        # One command on a bare machine: the embedded database is brought up to date and, on
        # its first start, filled with the demo rooms.
        asyncio.run(_migrate(settings))
        if settings.seed_demo_data:
            asyncio.run(_seed(settings, only_if_empty=True))
    uvicorn.run(
        "booking.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=not args.no_access_log,
        proxy_headers=True,
        log_level="info",
    )


async def _create_admin(settings: Settings, email: str, name: str, password: str) -> str:
    from datetime import UTC, datetime

    from booking.accounts.passwords import hash_password, password_problem
    from booking.core.access import Role
    from booking.db import accounts
    from booking.db.engine import bind_tables, close_engine, create_engine, open_engine

    problem = password_problem(password)
    if problem:
        from booking.i18n import texts

        raise SystemExit(f"error: password: {texts('en')(problem)}")
    engine = create_engine(settings.database)
    bind_tables(engine)
    await open_engine(engine, pool_size=2)
    try:
        password_hash = await hash_password(password)
        user = await accounts.user_by_email(email)
        if user is None:
            user_id = await accounts.insert_user(
                email, name, "ro", password_hash, datetime.now(UTC)
            )
            outcome = "created"
        else:
            user_id = user[0].id
            # A password reset, perhaps of an account someone else got into: its sessions end.
            await accounts.change_password_hash(user_id, password_hash, datetime.now(UTC))
            await accounts.update_user(user_id, {"active": True})
            outcome = "updated"
        await accounts.add_grant(user_id, Role.ADMIN, None, None, "")
    finally:
        await close_engine(engine)
    return f"administrator {email.strip().lower()} {outcome}"


def _admin_password() -> str:
    import getpass
    import os

    given = os.environ.get("BOOKING_ADMIN_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        raise SystemExit("error: BOOKING_ADMIN_PASSWORD: set it, or run in a terminal to type one")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("error: the two passwords differ")
    return first


def _worker() -> None:
    from arq.worker import run_worker

    from booking.jobs.worker import WorkerSettings, redis_settings

    run_worker(WorkerSettings, redis_settings=redis_settings())  # type: ignore[arg-type]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="booking", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="web processes")
    serve.add_argument("--no-access-log", action="store_true", help="do not log every request")
    commands.add_parser("worker", help="run a background job worker (needs REDIS_URL)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("seed", help="add the demo buildings, rooms, organisations and accounts")
    admin = commands.add_parser(
        "create-admin",
        help="create an administrator, or make an existing user one and set their password "
        "(password from BOOKING_ADMIN_PASSWORD or typed)",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    return top


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.command == "serve":
        _serve(settings, args)
    elif args.command == "worker":
        _worker()
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "seed":
        asyncio.run(_migrate(settings))
        asyncio.run(_seed(settings, only_if_empty=False))
    elif args.command == "create-admin":
        if "@" not in args.email:
            print("error: --email: not an e-mail address", file=sys.stderr)
            raise SystemExit(2)
        password = _admin_password()
        asyncio.run(_migrate(settings))
        print(asyncio.run(_create_admin(settings, args.email, args.name, password)))


if __name__ == "__main__":
    main()
