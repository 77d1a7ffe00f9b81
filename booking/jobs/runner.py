"""A process's job runner: after each commit it relays the new events and hands the messages
that are due over; without Redis it also runs the jobs and the schedule itself.

With REDIS_URL, the web processes relay and hand over to arq, and `booking worker` delivers and
keeps the schedule. Without it, this process does everything, with the same job functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from piccolo.engine.base import Engine

from booking.db import commits
from booking.jobs.context import job_context
from booking.jobs.in_process import periodic_jobs
from booking.jobs.notifications import sweep_outbox
from booking.jobs.queue import ArqQueue, InProcessQueue, JobQueue
from booking.jobs.schedule import EVERY_MINUTE, FUNCTIONS, HOURLY
from booking.settings import Settings

log = logging.getLogger("booking.jobs")

MINUTE = 60.0
HOUR = 3600.0


class SweepAfterCommit:
    """Called after each commit that logged events or wrote messages: relays them and hands
    over what is due, in the background, one round at a time; commits during a round ask for
    one more round after it, so none is missed."""

    def __init__(self, run: Callable[[], Awaitable[Any]]) -> None:
        self._run = run
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def __call__(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._rounds())

    async def _rounds(self) -> None:
        while True:
            self._again = False
            try:
                await self._run()
            except Exception:
                # The events stay unrelayed: the next commit or the sweep relays them.
                log.exception("relaying notifications failed")
            if not self._again:
                return

    async def settle(self) -> None:
        """Wait for the rounds asked for so far."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)


@dataclass
class JobRunner:
    ctx: dict[str, Any]
    queue: JobQueue
    sweep_after_commit: SweepAfterCommit

    async def settle(self) -> None:
        """Wait until what was committed so far is relayed and, in-process, delivered."""
        await self.sweep_after_commit.settle()
        if isinstance(self.queue, InProcessQueue):
            await self.queue.drain()
            await self.sweep_after_commit.settle()


@contextlib.asynccontextmanager
async def job_runner(
    settings: Settings, engine: Engine, schedule: bool = True
) -> AsyncIterator[JobRunner]:
    """The runner of a web process on `engine`; with `schedule` and no Redis, it also keeps
    the periodic jobs."""
    ctx = job_context(settings, engine)
    queue: JobQueue
    if settings.redis_url:
        queue = ArqQueue(url=settings.redis_url)
    else:
        queue = InProcessQueue(FUNCTIONS, ctx)
    ctx["queue"] = queue
    relay = SweepAfterCommit(lambda: sweep_outbox(ctx))
    stop_listening = commits.listen(engine, relay)
    try:
        async with contextlib.AsyncExitStack() as stack:
            if schedule and not settings.redis_url:
                await stack.enter_async_context(periodic_jobs(MINUTE, EVERY_MINUTE, ctx))
                await stack.enter_async_context(periodic_jobs(HOUR, HOURLY, ctx))
            yield JobRunner(ctx, queue, relay)
    finally:
        stop_listening()
        with contextlib.suppress(Exception):
            await relay.settle()
        await queue.close()
        await ctx["mailer"].close()
