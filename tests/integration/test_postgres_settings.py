"""The settings of the service's PostgreSQL connections, which keep its short reads short
(docs/benchmarks.md has the figures): no JIT compilation, no parallel workers."""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine

from booking.db.engine import close_engine, create_engine, open_engine
from booking.settings import DatabaseSettings
from tests.conftest import POSTGRES_ADMIN_URL


async def test_connections_run_without_jit_or_parallel_workers() -> None:
    engine = create_engine(DatabaseSettings("postgres", postgres_dsn=POSTGRES_ADMIN_URL))
    assert isinstance(engine, PostgresEngine)
    await open_engine(engine, 1)
    try:
        async with engine.pool.acquire() as connection:
            row = await connection.fetchrow(
                "SELECT current_setting('jit') AS jit,"
                " current_setting('max_parallel_workers_per_gather') AS workers"
            )
    finally:
        await close_engine(engine)
    assert dict(row) == {"jit": "off", "workers": "0"}
