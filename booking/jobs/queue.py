"""Where jobs are handed over: to arq through Redis, or to this process.

Both take a job by the name of its function, its arguments and an id that names exactly this
piece of work: a second hand-over with the same id, while the first is still waiting or running,
is dropped. The job functions never know which queue they came through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

log = logging.getLogger("booking.jobs")

JobFunction = Callable[..., Awaitable[Any]]

# A job running longer is given up (arq's job_timeout for the workers): shorter than a
# delivery's lease, so that a delivery stuck waiting never sends after the sweep took its
# message over.
JOB_TIMEOUT = 120.0


class JobQueue(Protocol):
    async def enqueue(self, function: str, *args: Any, job_id: str) -> None:
        """Hand the job over; raises if it cannot be (Redis unreachable): the caller's sweep
        hands it over later."""

    async def close(self) -> None: ...


class ArqQueue:
    """Jobs for the arq workers. Without a pool of its own (a web process) it connects on first
    use and again after losing Redis, so that the web service starts and works with Redis
    down, and its messages wait in the outbox until Redis is back."""

    def __init__(self, redis: ArqRedis | None = None, url: str | None = None) -> None:
        self._redis = redis
        self._url = url
        self._owns_pool = redis is None

    async def _pool(self) -> ArqRedis:
        if self._redis is None:
            assert self._url is not None
            settings = RedisSettings.from_dsn(self._url)
            # One quick try: the outbox keeps the work, the sweep tries again.
            settings.conn_retries = 0
            settings.conn_timeout = 2
            self._redis = await create_pool(settings)
        return self._redis

    async def enqueue(self, function: str, *args: Any, job_id: str) -> None:
        redis = await self._pool()
        try:
            await redis.enqueue_job(function, *args, _job_id=job_id)
        except Exception:
            if self._owns_pool:
                await self._drop_pool()
            raise

    async def _drop_pool(self) -> None:
        redis, self._redis = self._redis, None
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()

    async def close(self) -> None:
        if self._owns_pool:
            await self._drop_pool()


class InProcessQueue:
    """The embedded service's queue: each job runs as a task of this process's event loop,
    a few at a time."""

    def __init__(
        self, functions: Mapping[str, JobFunction], ctx: dict[str, Any], concurrency: int = 4
    ) -> None:
        self._functions = functions
        self._ctx = ctx
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def enqueue(self, function: str, *args: Any, job_id: str) -> None:
        if job_id in self._tasks:
            return
        run = self._functions[function]
        self._tasks[job_id] = asyncio.get_running_loop().create_task(
            self._run(job_id, run, args), name=job_id
        )

    async def _run(self, job_id: str, run: JobFunction, args: tuple[Any, ...]) -> None:
        try:
            async with self._slots:
                await asyncio.wait_for(run(self._ctx, *args), JOB_TIMEOUT)
        except Exception:
            # The work is in the outbox still: the sweep hands it over again.
            log.exception("job %s failed", job_id)
        finally:
            self._tasks.pop(job_id, None)

    async def drain(self) -> None:
        """Wait until every job, and every job those handed over, has ended."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
