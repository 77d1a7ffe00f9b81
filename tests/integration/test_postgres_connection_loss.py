"""PostgreSQL ending the service's connections in the middle of a burst of requests.

Each request is answered as it would be without the cut, or 503 with Retry-After (try again);
never 500. No cut connection stays in the pool: afterwards every request is served. And every
booking answered 201 is stored.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg
import httpx
import pytest

from booking.settings import Settings
from tests.factories import booking_body, local, make_room

# Cutting the service's connections is something only a PostgreSQL server does to it.
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("settings", ["postgres"], indirect=True)]

ROUNDS = 4
# What a request may be answered: served, created, taken already, or try again.
ANSWERS = {200, 201, 409, 503}
SLOTS = 30  # per room and round: 08:00-08:09, 08:10-08:19, ... 12:50-12:59

_OTHER_BACKENDS = (
    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def _cut_when_busy(killer: asyncpg.Connection, busy: int) -> int:
    """Once at least `busy` of the service's connections are in a statement or a transaction,
    end every one of its connections, busy or idle; answers how many were ended."""
    for _ in range(2000):
        if await killer.fetchval(f"SELECT count(*) {_OTHER_BACKENDS} AND state <> 'idle'") >= busy:
            break
        await asyncio.sleep(0.001)
    ended = await killer.fetch(f"SELECT pg_terminate_backend(pid) AS ended {_OTHER_BACKENDS}")
    return sum(row["ended"] for row in ended)


def _slots(room_id: int, day: int) -> list[dict[str, object]]:
    starts = [f"{8 + i // 6:02d}:{i % 6}0" for i in range(SLOTS)]
    bodies = [booking_body([room_id], local(day, s), local(day, s[:-1] + "9")) for s in starts]
    # The first slot again: taken already in an instant room, unless its first create was cut.
    return bodies + [booking_body([room_id], local(day, "08:00"), local(day, "08:05"))] * 3


async def test_connections_cut_in_a_burst_answer_503_and_none_stays_in_the_pool(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    killer = await asyncpg.connect(settings.database.postgres_dsn)
    try:
        responses: list[httpx.Response] = []
        for day in range(ROUNDS):
            # One statement per create in an instant room; a transaction in the other.
            instant = await make_room(instant_book=True)
            approved = await make_room(instant_book=False)
            bodies = _slots(instant["id"], day) + _slots(approved["id"], day)
            burst = asyncio.gather(
                *(api.post("/api/bookings", json=body) for body in bodies),
                *(api.get("/api/auth/me") for _ in range(SLOTS)),
            )
            ended = await _cut_when_busy(killer, busy=5)
            responses += await burst
            assert ended > 0
        statuses = Counter(r.status_code for r in responses)
        wrong = [(r.status_code, r.text[:200]) for r in responses if r.status_code not in ANSWERS]
        assert not wrong, (statuses, wrong[:5])
        assert statuses[503] > 0, statuses  # the cuts did hit requests
        assert all(r.headers.get("Retry-After") for r in responses if r.status_code == 503)

        # Afterwards every request is served, each of them authenticated by its token.
        created = [r.json()["id"] for r in responses if r.status_code == 201]
        reads = await asyncio.gather(*(api.get(f"/api/bookings/{i}") for i in created))
        assert Counter(r.status_code for r in reads) == {200: len(created)}, [
            r.text[:200] for r in reads if r.status_code != 200
        ][:5]
        stored = await killer.fetch("SELECT id FROM bookings WHERE id = ANY($1)", created)
        assert sorted(row["id"] for row in stored) == sorted(created)
        room = await make_room(instant_book=True)
        later = await asyncio.gather(
            *(api.post("/api/bookings", json=b) for b in _slots(room["id"], 9))
        )
        assert Counter(r.status_code for r in later) == {201: SLOTS, 409: 3}
    finally:
        await killer.close()
