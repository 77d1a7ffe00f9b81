"""A SQLite writing transaction gives its connection back however it ends.

Each aiosqlite connection owns a thread, and one inside a writing transaction owns the
database's write lock. A connection left open after a cancelled or failed transaction would
keep both: every later write would wait for the lock and fail, and the process could not exit.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from piccolo.engine.sqlite import SQLiteEngine

from booking.db.transactions import DatabaseBusy, in_writing_transaction


def connection_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


async def lingering_connection_threads(before: set[threading.Thread]) -> set[threading.Thread]:
    """The aiosqlite threads started since `before` that are still running after a grace
    period for those that are closing."""
    started = connection_threads() - before
    for thread in started:
        await asyncio.to_thread(thread.join, 5)
    return {t for t in started if t.is_alive()}


@pytest.fixture
async def engine(tmp_path: Path) -> SQLiteEngine:
    engine = SQLiteEngine(path=str(tmp_path / "db.sqlite3"), timeout=5)
    await engine._run_in_new_connection("PRAGMA journal_mode=WAL")
    await engine.run_ddl("CREATE TABLE note (text TEXT NOT NULL)")
    return engine


@pytest.fixture
def stall_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], asyncio.Event]:
    """Make the first statement starting with `prefix` wait for ever; the event says it is
    waiting there, so that the test can cancel the task at exactly that point."""

    def install(prefix: str) -> asyncio.Event:
        reached = asyncio.Event()
        execute = aiosqlite.Connection.execute

        def stalling_execute(self: aiosqlite.Connection, sql: str, *args: Any) -> Any:
            if sql.startswith(prefix) and not reached.is_set():

                async def stall() -> None:
                    reached.set()
                    await asyncio.Event().wait()

                return stall()
            return execute(self, sql, *args)

        monkeypatch.setattr(aiosqlite.Connection, "execute", stalling_execute)
        return reached

    return install


async def write_note(engine: SQLiteEngine, then_fail: bool = False) -> None:
    async def work() -> None:
        await engine.run_ddl("INSERT INTO note (text) VALUES ('written')")
        if then_fail:
            raise ValueError("the work failed")

    await in_writing_transaction(engine, work)


async def assert_released(engine: SQLiteEngine, threads_before: set[threading.Thread]) -> None:
    assert await lingering_connection_threads(threads_before) == set()
    assert engine.current_transaction.get() is None
    # Nothing half-written was kept, and the write lock is free: an impatient writer gets in.
    assert await engine.run_ddl("SELECT count(*) AS n FROM note") == [{"n": 0}]
    impatient = SQLiteEngine(path=engine.path, timeout=0.2)

    async def delete_all() -> None:
        await impatient.run_ddl("DELETE FROM note")

    await in_writing_transaction(impatient, delete_all)


@pytest.mark.parametrize(
    ("statement", "then_fail"),
    [("PRAGMA foreign_keys", False), ("BEGIN", False), ("COMMIT", False), ("ROLLBACK", True)],
)
async def test_a_writer_cancelled_at_any_step_closes_its_connection(
    engine: SQLiteEngine,
    stall_at: Callable[[str], asyncio.Event],
    statement: str,
    then_fail: bool,
) -> None:
    threads_before = connection_threads()
    reached = stall_at(statement)
    writer = asyncio.create_task(write_note(engine, then_fail))
    await asyncio.wait_for(reached.wait(), timeout=5)
    writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writer
    await assert_released(engine, threads_before)


async def test_a_rollback_that_fails_still_closes_the_connection(
    engine: SQLiteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads_before = connection_threads()
    execute = aiosqlite.Connection.execute

    def failing_rollback(self: aiosqlite.Connection, sql: str, *args: Any) -> Awaitable[Any]:
        if sql == "ROLLBACK":
            raise sqlite3.OperationalError("disk I/O error")
        return execute(self, sql, *args)  # type: ignore[no-any-return]

    monkeypatch.setattr(aiosqlite.Connection, "execute", failing_rollback)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        await write_note(engine, then_fail=True)
    monkeypatch.undo()
    await assert_released(engine, threads_before)


async def test_a_writer_that_cannot_get_the_lock_closes_its_connection(
    engine: SQLiteEngine,
) -> None:
    threads_before = connection_threads()
    holding = asyncio.Event()
    release = asyncio.Event()

    async def hold_the_lock() -> None:
        holding.set()
        await release.wait()

    holder = asyncio.create_task(in_writing_transaction(engine, hold_the_lock))
    await holding.wait()
    with pytest.raises(DatabaseBusy):
        await write_note(SQLiteEngine(path=engine.path, timeout=0.1))
    release.set()
    await holder
    await assert_released(engine, threads_before)
