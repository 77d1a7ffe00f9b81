"""Shared fixtures: a real database on each engine, migrated by the real `booking migrate`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiosqlite
import asyncpg
import httpx
import pytest
from litestar import Litestar

from booking.accounts.stores import SESSIONS, THROTTLE
from booking.app import create_app
from booking.db.engine import close_engine, is_postgres, open_engine
from booking.db.tables import ALL_TABLES
from booking.settings import Settings, load_settings
from tests.factories import Person, person

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# The tests read the service's answers in English; Romanian is the default for anyone who
# does not ask (tests/integration/test_messages.py checks both).
ENGLISH = {"Accept-Language": "en"}


def _child_environment(env: dict[str, str]) -> dict[str, str]:
    """This process's environment with exactly `env` as the service's settings."""
    return {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARIABLES} | env


def run_booking(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the real `booking` command in a child process with exactly `env` as its settings."""
    return subprocess.run(
        [sys.executable, "-m", "booking", *args],
        env=_child_environment(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_booking_server(
    env: dict[str, str], *args: str, port: int | None = None
) -> tuple[subprocess.Popen[str], str]:
    """The real `booking serve` on `port` (else a free one), in a child process with exactly
    `env` as its settings, once it answers HTTP; returns it, its output piped to its stdout,
    and its base URL. The caller terminates it."""
    port = port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "booking", "serve", "--port", str(port), *args],
        env=_child_environment(env),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base_url}/api/schema", timeout=2)
            return server, base_url
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                output, _ = server.communicate()
                raise AssertionError(f"the service did not start:\n{output[-4000:]}") from None
            time.sleep(0.2)


_SETTINGS_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "BASE_URL",
    "DEFAULT_TIME_ZONE",
    "VAR_DIR",
    "SEED_DEMO_DATA",
    "DATABASE_POOL_SIZE",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_SECURITY",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_TIMEOUT",
    "SMTP_TLS_VERIFY",
    "MAIL_FROM",
    "MAIL_REPLY_TO",
    "MAIL_ORGANIZER",
}


def environment_of(settings: Settings) -> dict[str, str]:
    """The environment that gives `run_booking` the same database and folders as `settings`."""
    database = settings.database
    return {
        "DATABASE_URL": database.postgres_dsn or f"sqlite:///{database.sqlite_path}",
        "VAR_DIR": str(settings.var_dir),
        "SECRET_KEY": settings.secret_key,
    }


def _database_url(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    var_dir = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        env = {"DATABASE_URL": f"sqlite:///{var_dir}/booking.sqlite3", "VAR_DIR": str(var_dir)}
        run_booking(env, "migrate")
        yield load_settings(env)
        return
    name = f"booking_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        env = {
            "DATABASE_URL": _database_url(POSTGRES_ADMIN_URL, name),
            "SECRET_KEY": TEST_SECRET,
            "VAR_DIR": str(var_dir),
            "DATABASE_POOL_SIZE": "20",
        }
        run_booking(env, "migrate")
        yield load_settings(env)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: Litestar, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the app in this event loop.

    Litestar's test client runs the lifespan on a separate thread and loop, where an asyncpg
    pool would be unusable from the tests' loop; so the engine is opened here instead.
    """
    engine = app.state.engine
    await open_engine(engine, settings.database.pool_size)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=ENGLISH
        ) as client:
            yield client
    finally:
        every_connection_back = await close_engine(engine)
    assert every_connection_back, "a connection was never given back to the pool"
    if not is_postgres(engine):
        leaked = await _stop_leaked_sqlite_connections()
        assert not leaked, f"{leaked} SQLite connection(s) were left open by the tests on SQLite"


async def _stop_leaked_sqlite_connections() -> int:
    """Stop the thread of every aiosqlite connection still open, and say how many there were.

    Nothing should be open once the tests are done. One that is would hold its thread for good
    (aiosqlite's threads are not daemons), and pytest would wait for it at exit instead of
    reporting the leak.
    """
    await asyncio.sleep(0.1)  # connections being closed right now end their thread first
    leaked = [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]
    for thread in leaked:
        requests = thread._args[0]  # type: ignore[attr-defined]  # the connection's queue
        requests.put_nowait((None, lambda: aiosqlite.core._STOP_RUNNING_SENTINEL))
    return len(leaked)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of SQLite's own behaviour run on SQLite only: on PostgreSQL they are not collected
    at all, rather than reported as skipped."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("settings") if callspec else None
        if item.get_closest_marker("sqlite_only") and engine == "postgres":
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaked = asyncio.run(_stop_leaked_sqlite_connections())
    if leaked:
        print(f"\n{leaked} SQLite connection(s) were left open by the tests", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
async def empty(client: httpx.AsyncClient, app: Litestar) -> None:
    """An empty database, and no sessions or login throttles left from other tests."""
    engine = app.state.engine
    names = [table._meta.tablename for table in reversed(ALL_TABLES)]
    if is_postgres(engine):
        await engine.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    else:
        for name in names:
            await engine.run_ddl(f"DELETE FROM {name}")
    for store in (SESSIONS, THROTTLE):
        with contextlib.suppress(FileNotFoundError):  # a file store not used yet
            await app.stores.get(store).delete_all()


@pytest.fixture
async def open_client(
    client: httpx.AsyncClient, empty: None
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Makes clients of the app: `open_client(token)` sends that API token, `open_client()`
    is anonymous and keeps its own cookies."""
    opened: list[httpx.AsyncClient] = []

    def make(token: str | None = None) -> httpx.AsyncClient:
        headers = ENGLISH | ({"Authorization": f"Bearer {token}"} if token else {})
        new = httpx.AsyncClient(
            transport=client._transport, base_url="http://testserver", headers=headers
        )
        opened.append(new)
        return new

    yield make
    for each in opened:
        await each.aclose()


@pytest.fixture
async def admin(open_client: Callable[..., httpx.AsyncClient]) -> Person:
    return await person(open_client, "admin@upt.ro", roles=[("admin", None, None)])


@pytest.fixture
async def api(admin: Person) -> httpx.AsyncClient:
    """An administrator's HTTP client on an empty database."""
    return admin.client
