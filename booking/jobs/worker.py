"""arq worker settings: what `booking worker` runs, with the same job functions and schedule as
the in-process runner."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from arq import cron
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import func

from booking.db import commits
from booking.db.engine import bind_tables, close_engine, create_engine, open_engine
from booking.jobs.context import job_context
from booking.jobs.heartbeat import record_heartbeat
from booking.jobs.notifications import deliver_notification
from booking.jobs.queue import JOB_TIMEOUT, ArqQueue, JobFunction
from booking.jobs.runner import AfterCommit
from booking.jobs.schedule import EVERY_MINUTE, FUNCTIONS, HOURLY
from booking.settings import load_settings


def redis_settings() -> RedisSettings:
    url = load_settings().redis_url
    if url is None:
        raise SystemExit(
            "error: REDIS_URL: required to run a worker (without it jobs run in-process)"
        )
    return RedisSettings.from_dsn(url)


async def startup(ctx: dict[str, Any]) -> None:
    """Open the database and the mail connection once for the worker's life."""
    settings = load_settings()
    engine = create_engine(settings.database)
    bind_tables(engine)
    await open_engine(engine, pool_size=4)
    ctx.update(job_context(settings, engine))
    ctx["queue"] = ArqQueue(ctx["redis"])
    # Holds lapsed by the worker's own sweep are relayed at once, as a web process's changes are.
    relay = AfterCommit(ctx)
    ctx["after_commit"] = relay
    ctx["stop_listening"] = commits.listen(engine, relay)


async def shutdown(ctx: dict[str, Any]) -> None:
    ctx["stop_listening"]()
    await ctx["after_commit"].settle()
    await ctx["mailer"].close()
    await close_engine(ctx["engine"])


def _cron(job: JobFunction, **when: Any) -> CronJob:
    return cron(cast(WorkerCoroutine, job), run_at_startup=True, **when)


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        record_heartbeat,
        *(f for name, f in FUNCTIONS.items() if name != "deliver_notification"),
        # A delivery's outcome is in the outbox; kept, arq would refuse the same job id (the
        # sweep's next hand-over of a message a delivery found not yet due) for an hour.
        func(cast(WorkerCoroutine, deliver_notification), keep_result=0),
    ]
    cron_jobs: ClassVar[list[Any]] = [
        cron(record_heartbeat, second={0, 30}, run_at_startup=True),
        *(_cron(job, second={15}) for job in EVERY_MINUTE),
        *(_cron(job, minute={5}, second={45}) for job in HOURLY),
    ]
    on_startup = startup
    on_shutdown = shutdown
    # A message takes seconds at most; a job stuck for two minutes is given up, and the
    # outbox's lease hands its message over again.
    job_timeout = JOB_TIMEOUT
    max_tries = 3
    keep_result = 3600
    # arq looks for new jobs this often (0.5 s by default) once its running ones leave room:
    # at the default a worker took at most 10 messages each half second, about 57 a second
    # for two workers (bench/bench_notifications.py). An idle poll is one cheap Redis read.
    poll_delay = 0.05
