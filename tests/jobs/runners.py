"""The two job runners, driven the same way by the notification tests.

`Runners.in_process`: the embedded service's runner, delivering in this process.
`Runners.arq`: a web process's runner handing over to a real Redis, and a real arq worker (the
service's WorkerSettings, in burst mode) that runs what was handed over.

Both take the time from a clock the test moves, so retries and leases fall due at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.worker import Worker
from piccolo.engine.base import Engine

from booking.db.tables import OutboxMessage
from booking.jobs.context import job_context
from booking.jobs.notifications import sweep_outbox
from booking.jobs.queue import ArqQueue
from booking.jobs.runner import JobRunner, job_runner
from booking.jobs.worker import WorkerSettings
from booking.settings import Settings

# Redis database 13 is the notification tests' own (12: the schedule's tests).
REDIS_URL = "redis://127.0.0.1:6379/13"
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


class Clock:
    """The real time, moved on by what the test has advanced it."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    def advance(self, by: timedelta) -> None:
        self.ahead += by


async def outbox_statuses() -> Counter[str]:
    """How many outbox messages are in each state."""
    rows = await OutboxMessage.select(OutboxMessage.status)
    return Counter(row["status"] for row in rows)


def mail_to(settings: Settings, host: str, port: int) -> Settings:
    """`settings` sending through the test's SMTP server."""
    mail = dataclasses.replace(
        settings.mail, smtp_host=host, smtp_port=port, smtp_security="none", smtp_timeout=5
    )
    return dataclasses.replace(settings, mail=mail)


class Harness:
    """A runner for the process that changes requests, and a way to run the jobs it handed
    over until none is left."""

    kind: str
    runner: JobRunner
    clock: Clock

    async def run_jobs(self) -> None:
        raise NotImplementedError

    async def sweep(self) -> None:
        """The periodic sweep, then the jobs it handed over."""
        await sweep_outbox(self.runner.ctx)
        await self.run_jobs()


class InProcessHarness(Harness):
    kind = "in_process"

    async def run_jobs(self) -> None:
        await self.runner.settle()


class ArqHarness(Harness):
    kind = "arq"
    redis: ArqRedis
    worker_settings: Settings
    engine: Engine

    async def run_jobs(self) -> None:
        await self.runner.settle()

        async def startup(ctx: dict[str, Any]) -> None:
            # The worker's own start-up, on the test's engine (already open) and clock.
            ctx.update(job_context(self.worker_settings, self.engine))
            ctx["queue"] = ArqQueue(ctx["redis"])
            ctx["clock"] = self.clock

        async def shutdown(ctx: dict[str, Any]) -> None:
            await ctx["mailer"].close()

        worker = Worker(
            functions=WorkerSettings.functions,
            redis_pool=self.redis,
            on_startup=startup,
            on_shutdown=shutdown,
            burst=True,
            poll_delay=0,
            handle_signals=False,
            max_tries=WorkerSettings.max_tries,
            job_timeout=WorkerSettings.job_timeout,
            keep_result=WorkerSettings.keep_result,
        )
        try:
            await worker.main()
        finally:
            with warnings.catch_warnings():
                # arq 0.28 closes its pool with redis-py's deprecated close(); not ours.
                warnings.simplefilter("ignore", DeprecationWarning)
                await worker.close()


@contextlib.asynccontextmanager
async def harness(
    kind: str, settings: Settings, engine: Engine, redis_url: str = REDIS_URL
) -> AsyncIterator[InProcessHarness | ArqHarness]:
    """The runner of `kind` for `settings` (whose mail goes where the test says), on the
    test's engine; with arq, `redis_url` is what the web side is given (the worker always
    reaches the real Redis)."""
    clock = Clock()
    found: InProcessHarness | ArqHarness
    if kind == "in_process":
        web = dataclasses.replace(settings, redis_url=None)
        found = InProcessHarness()
    else:
        web = dataclasses.replace(settings, redis_url=redis_url)
        found = ArqHarness()
        found.redis = await create_pool(RedisSettings.from_dsn(REDIS_URL))
        await found.redis.flushdb()
        found.worker_settings = dataclasses.replace(settings, redis_url=REDIS_URL)
        found.engine = engine
    found.clock = clock
    try:
        async with job_runner(web, engine, schedule=False) as runner:
            runner.ctx["clock"] = clock
            found.runner = runner
            yield found
    finally:
        if isinstance(found, ArqHarness):
            await found.redis.flushdb()
            await found.redis.aclose()
