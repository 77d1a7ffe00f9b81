"""The floor of the stack: the cheapest HTTP create, and the cheapest HTTP read, this stack can
serve.

A Litestar app with three routes. `POST /api/bookings` decodes the benchmark's JSON body
with msgspec and makes the raw baseline's single-row insert into `occurrences` through an
asyncpg pool: no sign-in, no validation beyond the types, no rules, no booking row, no audit
row. `GET /api/rooms` takes the free-room search's query parameters and answers with one
indexed select through the same pool, as JSON: no sign-in, no rules, no occupations.
`GET /api/fixed` answers any query with the same few bytes and no database at all: the least
any GET through this stack can cost.
bench_booking.py serves it with uvicorn, like `booking serve`, beside the real server and
measures it in the same rounds, so the report shows how much of the raw insert rate any create
(and how short a latency any read) through this HTTP stack can reach on the machine, before the
service does any work of its own.

    FLOOR_DATABASE_URL=postgres://... uvicorn --app-dir bench floor_app:app
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import asyncpg
import msgspec
from litestar import Litestar, Response, get, post
from litestar.datastructures import State

# The real server blocks a quarter of an hour after each benchmark room's meetings.
TEARDOWN = timedelta(minutes=15)


class CreateBody(msgspec.Struct):
    title: str
    rooms: list[int]
    start: datetime
    end: datetime
    expected_attendance: int
    organiser_name: str
    contact_email: str


async def open_pool(app: Litestar) -> None:
    pool = await asyncpg.create_pool(os.environ["FLOOR_DATABASE_URL"], min_size=10, max_size=10)
    app.state.pool = pool
    app.state.booking = await pool.fetchval("SELECT min(id) FROM bookings")


async def close_pool(app: Litestar) -> None:
    await app.state.pool.close()


@post("/api/bookings")
async def create(data: CreateBody, state: State) -> Response[dict[str, int | str]]:
    try:
        occurrence = await state.pool.fetchval(
            "INSERT INTO occurrences (booking, room, starts_at, ends_at, blocked_from,"
            " blocked_until, status) VALUES ($1, $2, $3, $4, $3, $5, 'approved') RETURNING id",
            state.booking,
            data.rooms[0],
            data.start,
            data.end,
            data.end + TEARDOWN,
        )
    except (asyncpg.ExclusionViolationError, asyncpg.DeadlockDetectedError):
        # Two inserts of one slot at once may each wait for the other's row in the constraint;
        # PostgreSQL ends one of them: it lost, as a conflict would.
        return Response({"error": "conflict"}, status_code=409)
    return Response({"id": occurrence}, status_code=201)


@get("/api/rooms")
async def rooms(
    state: State, free_start: datetime, free_end: datetime, min_capacity: int
) -> list[dict[str, int]]:
    rows = await state.pool.fetch(
        "SELECT id, capacity FROM rooms WHERE capacity >= $1 ORDER BY id", min_capacity
    )
    return [dict(row) for row in rows]


FIXED = b'[{"id":1,"capacity":10}]'


@get("/api/fixed")
async def fixed() -> Response[bytes]:
    return Response(FIXED, media_type="application/json")


app = Litestar([create, rooms, fixed], on_startup=[open_pool], on_shutdown=[close_pool])
