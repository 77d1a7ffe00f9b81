"""A PostgreSQL writing transaction gives its connection back to the pool however it ends.

A connection kept by a cancelled or failed transaction would be lost to the pool for good, and
closing the pool at shutdown would wait for it for ever. One that PostgreSQL ended under the
transaction is never handed out again, and the transaction says it lost its connection.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from booking.db.connection_loss import ConnectionLost
from booking.db.engine import close_engine, open_engine
from booking.db.transactions import in_writing_transaction
from tests.conftest import POSTGRES_ADMIN_URL, _database_url

POOL_SIZE = 2


@pytest.fixture
async def engine() -> AsyncIterator[PostgresEngine]:
    name = f"booking_tx_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    engine = PostgresEngine(config={"dsn": _database_url(POSTGRES_ADMIN_URL, name)})
    try:
        await open_engine(engine, POOL_SIZE)
        await engine.run_ddl("CREATE TABLE note (text TEXT NOT NULL)")
        yield engine
    finally:
        await close_engine(engine)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def stall(method: str, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Make the transaction's `method` (begin, commit, rollback) wait for ever; the event says
    it is waiting, so that the test can cancel the task at exactly that point."""
    reached = asyncio.Event()

    async def stalled(self: Any) -> None:
        reached.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(PostgresTransaction, method, stalled)
    return reached


async def write_note(engine: PostgresEngine, then_fail: bool = False) -> None:
    async def work() -> None:
        await engine.run_ddl("INSERT INTO note (text) VALUES ('written')")
        if then_fail:
            raise ValueError("the work failed")

    await in_writing_transaction(engine, work)


@pytest.mark.parametrize(
    ("method", "then_fail"), [("begin", False), ("commit", False), ("rollback", True)]
)
async def test_a_writer_cancelled_at_any_step_gives_its_connection_back(
    engine: PostgresEngine, monkeypatch: pytest.MonkeyPatch, method: str, then_fail: bool
) -> None:
    reached = stall(method, monkeypatch)
    writers = [asyncio.create_task(write_note(engine, then_fail)) for _ in range(POOL_SIZE)]
    await asyncio.wait_for(reached.wait(), timeout=5)
    await asyncio.sleep(0.1)  # every writer has its connection and is stalled
    for writer in writers:
        writer.cancel()
    for writer in writers:
        with pytest.raises(asyncio.CancelledError):
            await writer
    monkeypatch.undo()
    assert engine.current_transaction.get() is None
    # Every connection of the pool is free again: as many writers as it holds get through,
    # and none of the cancelled writes was kept.
    await asyncio.wait_for(asyncio.gather(*(write_note(engine) for _ in range(POOL_SIZE))), 5)
    assert (await engine.run_ddl("SELECT count(*) AS n FROM note"))[0]["n"] == POOL_SIZE
    assert await close_engine(engine)


async def test_a_commit_that_fails_still_gives_the_connection_back(
    engine: PostgresEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing_commit(self: Any) -> None:
        raise asyncpg.exceptions.SerializationError("could not serialize access")

    monkeypatch.setattr(PostgresTransaction, "commit", failing_commit)
    with pytest.raises(Exception, match="contention"):
        await write_note(engine)
    monkeypatch.undo()
    await asyncio.wait_for(asyncio.gather(*(write_note(engine) for _ in range(POOL_SIZE))), 5)
    assert await close_engine(engine)


async def _end_own_connection(engine: PostgresEngine) -> None:
    """From inside a transaction: have PostgreSQL end the transaction's connection, as
    pg_terminate_backend or a restart would, and wait until the connection has seen it end."""
    pid = (await engine.run_ddl("SELECT pg_backend_pid() AS pid"))[0]["pid"]
    assert engine.pool is not None
    assert await engine.pool.fetchval("SELECT pg_terminate_backend($1)", pid)
    await asyncio.sleep(0.2)


@pytest.mark.parametrize(
    ("then", "raised"),
    [("write", ConnectionLost), ("fail", ValueError)],
    ids=["next-statement", "work-fails"],
)
async def test_a_writer_whose_connection_is_ended_says_why_and_the_pool_goes_on(
    engine: PostgresEngine, then: str, raised: type[Exception]
) -> None:
    async def work() -> None:
        await engine.run_ddl("INSERT INTO note (text) VALUES ('lost with its connection')")
        await _end_own_connection(engine)
        if then == "write":
            await engine.run_ddl("INSERT INTO note (text) VALUES ('never written')")
        else:
            raise ValueError("the work failed")

    # Not the rollback's complaint that the connection is closed, nor the pool's that it has
    # it back already.
    with pytest.raises(raised):
        await in_writing_transaction(engine, work)
    assert engine.current_transaction.get() is None
    await asyncio.wait_for(asyncio.gather(*(write_note(engine) for _ in range(POOL_SIZE))), 5)
    assert (await engine.run_ddl("SELECT count(*) AS n FROM note"))[0]["n"] == POOL_SIZE
    assert await close_engine(engine)
