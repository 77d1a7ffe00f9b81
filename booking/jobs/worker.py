"""arq worker settings: the job registry that `booking worker` runs."""

from __future__ import annotations

from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings

from booking.db.engine import bind_tables, close_engine, create_engine, open_engine
from booking.jobs.heartbeat import record_heartbeat
from booking.jobs.holds import lapse_expired_holds
from booking.settings import load_settings

# Jobs that run every minute; the embedded service runs the same ones in-process.
PERIODIC_JOBS = (lapse_expired_holds,)


def redis_settings() -> RedisSettings:
    url = load_settings().redis_url
    if url is None:
        raise SystemExit(
            "error: REDIS_URL: required to run a worker (without it jobs run in-process)"
        )
    return RedisSettings.from_dsn(url)


async def startup(ctx: dict[str, Any]) -> None:
    settings = load_settings()
    engine = create_engine(settings.database)
    bind_tables(engine)
    await open_engine(engine, pool_size=4)
    ctx["engine"] = engine


async def shutdown(ctx: dict[str, Any]) -> None:
    await close_engine(ctx["engine"])


class WorkerSettings:
    functions: ClassVar[list[Any]] = [record_heartbeat, *PERIODIC_JOBS]
    cron_jobs: ClassVar[list[Any]] = [
        cron(record_heartbeat, second={0, 30}, run_at_startup=True),
        *(cron(job, second={15}, run_at_startup=True) for job in PERIODIC_JOBS),
    ]
    on_startup = startup
    on_shutdown = shutdown
