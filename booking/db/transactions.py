"""Writing transactions that are safe under concurrency on both engines, and that give their
connection back however they end.

SQLite: BEGIN IMMEDIATE takes the write lock before the first read, so a check-then-insert
inside it cannot race; a DEFERRED transaction would fail outright with "database is locked"
when it tries to upgrade. PostgreSQL: read committed plus the exclusion constraint; a
serialization failure or a deadlock is retried a bounded number of times.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from booking.db.connection_loss import ConnectionLost, is_closed, lost_under

T = TypeVar("T")

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
EXCLUSION_VIOLATION = "23P01"
MAX_ATTEMPTS = 5
BUSY = "the database is busy; try again in a moment"


class DatabaseBusy(Exception):
    """The database stayed locked or contended for longer than we are willing to wait."""


class RoomTaken(Exception):
    """The database itself refused to let a slot hold a room that another slot holds (the
    exclusion constraint of PostgreSQL); nothing of the transaction was kept."""


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" (or busy): the write lock was not had in time."""
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


class _GivesConnectionBack:
    """What both engines' writing transactions add to Piccolo's: the connection is given back
    however the transaction ends, and a transaction ended by losing its connection raises
    ConnectionLost, not whatever the driver said about the statement it could not run.

    Piccolo gives it back only when BEGIN, COMMIT and ROLLBACK all succeed. A task cancelled
    while committing (a client gone, the periodic sweep stopped at shutdown) skips that. On
    SQLite the connection kept its thread, and the write lock it may hold, for good; on
    PostgreSQL it was lost to the pool, and closing the pool at shutdown waited for it for ever.
    """

    # Set by Piccolo's transaction classes, which this is mixed into.
    _parent: Any
    _committed: bool
    _rolled_back: bool
    connection: Any
    context: Any
    engine: Any

    async def _give_back(self, clean: bool) -> None:
        """Return the connection; `clean` is False when its transaction did not end cleanly."""
        raise NotImplementedError

    def _lost_under(self, exc: BaseException) -> bool:
        """Whether `exc` came of losing the connection; asked before it is given back."""
        return False

    async def begin(self) -> None:
        try:
            await super().begin()  # type: ignore[misc]
        except BaseException as exc:
            lost = self._lost_under(exc)
            await self._give_back(clean=False)
            if lost:
                raise ConnectionLost(exc) from exc
            raise

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self._parent is not None:  # nested: the outer transaction ends it
            return exception is None
        try:
            if exception is not None:
                lost = self._lost_under(exception)
                if not self._rolled_back and not lost:
                    try:
                        await self.rollback()  # type: ignore[attr-defined]
                    except Exception as failure:
                        # A rollback that fails for want of a connection must not hide why the
                        # transaction failed; PostgreSQL ends a transaction with its connection.
                        if not self._lost_under(failure):
                            raise
                if lost:
                    raise ConnectionLost(exception) from exception
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()  # type: ignore[attr-defined]
                except Exception as failure:
                    if self._lost_under(failure):
                        raise ConnectionLost(failure) from failure
                    raise
        finally:
            try:
                await self._give_back(clean=self._committed or self._rolled_back)
            finally:
                self.engine.current_transaction.reset(self.context)
        return exception is None


class _ImmediateTransaction(_GivesConnectionBack, SQLiteTransaction):
    """Piccolo's SQLite transaction, BEGIN IMMEDIATE, giving its connection back however it
    ends. Under contention BEGIN IMMEDIATE is the statement that times out."""

    def __init__(self, engine: SQLiteEngine, wait: float | None = None) -> None:
        super().__init__(engine=engine, transaction_type=TransactionType.immediate)
        self._wait = wait

    async def get_connection(self) -> aiosqlite.Connection:
        # As SQLiteEngine.get_connection, which leaves the connection open if its PRAGMA fails.
        arguments = self.engine.connection_kwargs
        if self._wait is not None:
            arguments = arguments | {"timeout": self._wait}
        connection = await aiosqlite.connect(**arguments)
        try:
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await connection.execute("PRAGMA foreign_keys = 1")
        except BaseException:
            await connection.close()
            raise
        return connection

    async def _give_back(self, clean: bool) -> None:
        # Closing a connection whose transaction is still open rolls that transaction back.
        await self.connection.close()


class _PostgresTransaction(_GivesConnectionBack, PostgresTransaction):
    """Piccolo's PostgreSQL transaction, giving its connection back to the pool however it
    ends."""

    def __init__(self, engine: PostgresEngine) -> None:
        super().__init__(engine=engine)

    def _lost_under(self, exc: BaseException) -> bool:
        return lost_under(exc, self.connection)

    async def _give_back(self, clean: bool) -> None:
        if not clean and not is_closed(self.connection):
            # Its state is unknown: it is cut, not reused; the pool opens a fresh one if needed.
            # A closed one the pool discards itself (it may have taken it back already).
            self.connection.terminate()
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()


def sqlstate(exc: BaseException) -> str | None:
    state = getattr(exc, "sqlstate", None)
    return state if isinstance(state, str) else None


async def in_writing_transaction(
    engine: Engine,
    work: Callable[[], Awaitable[T]],
    single_statement: bool = False,
    wait: float | None = None,
) -> T:
    """Run `work` in one writing transaction; commit if it returns, roll back if it raises.
    On PostgreSQL, work of a single statement is a transaction of its own and needs none
    around it; it is retried all the same. A slot refused by the exclusion constraint raises
    RoomTaken. On SQLite, `wait` seconds (the engine's timeout if None) are waited for the
    write lock before DatabaseBusy."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            if isinstance(engine, SQLiteEngine):
                async with _ImmediateTransaction(engine, wait):
                    return await work()
            elif single_statement:
                return await work()
            elif isinstance(engine, PostgresEngine):
                async with _PostgresTransaction(engine):
                    return await work()
            else:
                async with engine.transaction():
                    return await work()
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise DatabaseBusy(BUSY) from exc
            raise
        except Exception as exc:
            if sqlstate(exc) == EXCLUSION_VIOLATION:
                raise RoomTaken() from exc
            if sqlstate(exc) not in RETRYABLE_SQLSTATES:
                raise
            if attempt == MAX_ATTEMPTS:
                raise DatabaseBusy("too much contention on these rooms; try again") from exc
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")
