"""The periodic sweep of expired holds, run by a real arq worker on a real Redis and by the
embedded service's in-process runner."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from booking.db.tables import AuditEntry, BookingRequest
from booking.jobs.holds import lapse_expired_holds
from booking.jobs.in_process import periodic_jobs
from tests.integration.world import make_expired_hold, make_world

REDIS = RedisSettings(host="127.0.0.1", port=6379, database=13)


@pytest.fixture
async def expired_hold(open_client, admin) -> dict[str, Any]:
    return await make_expired_hold(await make_world(open_client, admin))


async def _status(booking_id: int) -> str:
    rows = await BookingRequest.select(BookingRequest.status).where(BookingRequest.id == booking_id)
    return str(rows[0]["status"])


async def test_an_arq_worker_lapses_expired_holds(app, expired_hold) -> None:
    redis = await create_pool(REDIS)
    try:
        await redis.flushdb()
        job = await redis.enqueue_job("lapse_expired_holds", _job_id=f"sweep-{expired_hold['id']}")
        assert job is not None

        async def startup(ctx: dict[str, Any]) -> None:
            ctx["engine"] = app.state.engine

        worker = Worker(
            functions=[lapse_expired_holds],
            redis_pool=redis,
            on_startup=startup,
            burst=True,
            poll_delay=0,
            handle_signals=False,
        )
        await worker.main()
        assert worker.jobs_complete == 1
        assert worker.jobs_failed == 0
        assert await job.result(timeout=5) == 1
        with warnings.catch_warnings():
            # arq 0.28 closes its pool with redis-py's deprecated close(); not ours to fix.
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()
    finally:
        await redis.flushdb()
        await redis.aclose()
    assert await _status(expired_hold["id"]) == "pending"
    actions = await AuditEntry.select(AuditEntry.action, AuditEntry.actor_name).where(
        AuditEntry.booking == expired_hold["id"]
    )
    assert actions[-1] == {"action": "hold_lapsed", "actor_name": "system"}


async def test_the_in_process_runner_runs_the_same_job(app, expired_hold) -> None:
    async with periodic_jobs(0.01, [lapse_expired_holds], {"engine": app.state.engine}):
        for _ in range(500):
            if await _status(expired_hold["id"]) == "pending":
                break
            await asyncio.sleep(0.01)
    assert await _status(expired_hold["id"]) == "pending"


async def test_a_failing_job_does_not_stop_the_runner() -> None:
    calls: list[str] = []

    async def broken(ctx: dict[str, Any]) -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    async def healthy(ctx: dict[str, Any]) -> None:
        calls.append("healthy")

    async with periodic_jobs(0.001, [broken, healthy], {}):
        for _ in range(500):
            if calls.count("healthy") >= 2:
                break
            await asyncio.sleep(0.005)
    assert calls.count("healthy") >= 2
    assert calls.count("broken") >= 2
