"""The database itself refuses a double booking, whatever the application does."""

from __future__ import annotations

import asyncio

import pytest
from asyncpg.exceptions import ExclusionViolationError
from piccolo.engine.sqlite import SQLiteEngine

from booking.db.engine import is_postgres
from booking.db.tables import Occurrence
from booking.db.transactions import DatabaseBusy, in_writing_transaction
from tests.factories import booking_body, local, make_room


async def test_the_engine_serialises_conflicting_writers(api, app) -> None:
    engine = app.state.engine
    room = await make_room()
    booking = (
        await api.post(
            "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
        )
    ).json()
    stored = (await Occurrence.select().where(Occurrence.id == booking["occurrences"][0]["id"]))[0]
    overlapping = {k: v for k, v in stored.items() if k != "id"}
    if is_postgres(engine):
        # PostgreSQL: the exclusion constraint refuses an overlapping hold outright…
        with pytest.raises(ExclusionViolationError):
            await Occurrence.insert(Occurrence(**overlapping))
        # …while a pending copy, which holds nothing, is let in.
        await Occurrence.insert(Occurrence(**(overlapping | {"status": "pending"})))
        return
    # SQLite: a writing transaction holds the write lock from its first statement, so a second
    # writer cannot even start its check until the first has committed.
    assert (await Occurrence.raw("PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first_writer() -> None:
        await Occurrence.count()
        holding.set()
        await release.wait()

    impatient = SQLiteEngine(path=engine.path, timeout=0.2)

    async def second_writer() -> None:
        await impatient.run_ddl("SELECT 1")

    task = asyncio.create_task(in_writing_transaction(engine, first_writer))
    await holding.wait()
    with pytest.raises(DatabaseBusy):
        await in_writing_transaction(impatient, second_writer)
    release.set()
    await task
    await in_writing_transaction(impatient, second_writer)
