"""Creating the database engine and binding the tables to it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from booking.db.connection_loss import ConnectionLost, lost_under
from booking.db.tables import ALL_TABLES
from booking.settings import DatabaseSettings

# Writers on SQLite queue on the database lock; this is how long one waits before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# At shutdown, how long requests still running may take to give their connection back.
POOL_CLOSE_SECONDS = 10

log = logging.getLogger("booking.db")

# Settings of every connection the service opens, for the short indexed statements it runs.
# JIT compilation pays off for long analytical queries; here it costs tens of milliseconds
# whenever the planner's estimate trips it. Parallel workers likewise: starting them took
# 6-11 ms for a read whose own work took 0.3 ms (the free-room search's occurrences on
# 200,000 of them, docs/benchmarks.md), and the cores they would take serve other requests.
SERVER_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0"}


class _PostgresEngine(PostgresEngine):
    """Piccolo's engine, raising ConnectionLost for a statement outside a transaction whose
    connection was lost (writing transactions do the same for theirs)."""

    async def _run_in_pool(self, query: str, args: Sequence[Any] | None = None) -> Any:
        # As PostgresEngine._run_in_pool, where Piccolo takes a connection from the pool for a
        # statement of its own.
        if not self.pool:
            raise ValueError("A pool isn't currently running.")
        async with self.pool.acquire() as connection:
            try:
                return await connection.fetch(query, *(args or ()))
            except Exception as exc:
                if lost_under(exc, connection):
                    raise ConnectionLost(exc) from exc
                raise


def create_engine(database: DatabaseSettings) -> Engine:
    if database.engine == "postgres":
        return _PostgresEngine(
            config={"dsn": database.postgres_dsn, "server_settings": SERVER_SETTINGS}
        )
    assert database.sqlite_path is not None
    database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(database.sqlite_path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)


def bind_tables(engine: Engine) -> None:
    """Point every table at `engine` (the app's engine, not whatever piccolo_conf found)."""
    for table in ALL_TABLES:
        table._meta.db = engine


def is_postgres(engine: Engine) -> bool:
    return engine.engine_type == "postgres"


async def _keep_session(connection: object) -> None:
    """Return a connection to the pool without asyncpg's reset query.

    asyncpg still rolls back an open transaction on release; the reset query (RESET ALL, CLOSE
    ALL, UNLISTEN, unlock advisory locks) would cost a round trip per checkout, and the service
    changes no session state: it sets no settings, listens to nothing and takes advisory locks
    only for the length of a transaction.

    Nor would the reset query keep lost connections out of the pool: PostgreSQL may end one just
    after it, and a reset that fails fails the request whose statements all succeeded. A
    statement on a lost connection raises ConnectionLost instead, and asyncpg discards it.
    """


async def open_engine(engine: Engine, pool_size: int) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(
            min_size=min(2, pool_size), max_size=pool_size, reset=_keep_session
        )
    elif isinstance(engine, SQLiteEngine):
        # WAL lets readers go on while a writer holds the lock; the mode is stored in the file.
        await engine._run_in_new_connection("PRAGMA journal_mode=WAL")


async def close_engine(engine: Engine) -> bool:
    """Close the pool, waiting POOL_CLOSE_SECONDS at most for connections still out; then they
    are cut. Answers whether every connection had come back."""
    if not isinstance(engine, PostgresEngine) or engine.pool is None:
        return True
    pool = engine.pool
    try:
        await asyncio.wait_for(engine.close_connection_pool(), POOL_CLOSE_SECONDS)
        return True
    except TimeoutError:
        log.warning("connections were still out of the pool after %s s; cut", POOL_CLOSE_SECONDS)
        pool.terminate()
        engine.pool = None
        return False
