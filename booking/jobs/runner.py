"""A process's job runner: after each commit it relays the new events and hands the new messages
over; without Redis it also runs the jobs and the schedule itself.

With REDIS_URL, the web processes relay and hand over to arq, and `booking worker` delivers and
keeps the schedule. Without it, this process does everything, with the same job functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.engine.base import Engine

from booking.db import commits
from booking.db.outbox import Due
from booking.jobs.context import job_context
from booking.jobs.in_process import periodic_jobs
from booking.jobs.notifications import hand_over, relay_notifications
from booking.jobs.queue import ArqQueue, InProcessQueue, JobQueue
from booking.jobs.schedule import EVERY_MINUTE, FUNCTIONS, HOURLY
from booking.settings import Settings

log = logging.getLogger("booking.jobs")

MINUTE = 60.0
HOUR = 3600.0


class AfterCommit:
    """Called after each commit that logged events or wrote messages: relays the events and
    hands over the messages, in the background, one round at a time; commits during a round
    ask for one more round after it, so none is missed."""

    def __init__(self, ctx: dict[str, Any]) -> None:
        self._ctx = ctx
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._written: list[Due] = []

    def __call__(self, written: Sequence[Due]) -> None:
        self._written += written
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._rounds())

    async def _rounds(self) -> None:
        while True:
            self._again = False
            written, self._written = self._written, []
            try:
                await relay_notifications(self._ctx)
                await hand_over(self._ctx["queue"], written)
            except Exception:
                # What was not relayed or handed over waits in the database for the sweep.
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
    after_commit: AfterCommit

    @property
    def queue(self) -> JobQueue:
        """Where this process hands jobs over (the context's, which every job reads)."""
        queue: JobQueue = self.ctx["queue"]
        return queue

    async def settle(self) -> None:
        """Wait until what was committed so far is relayed and, in-process, delivered."""
        await self.after_commit.settle()
        if isinstance(self.queue, InProcessQueue):
            await self.queue.drain()
            await self.after_commit.settle()


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
    relay = AfterCommit(ctx)
    stop_listening = commits.listen(engine, relay)
    try:
        async with contextlib.AsyncExitStack() as stack:
            if schedule and not settings.redis_url:
                await stack.enter_async_context(periodic_jobs(MINUTE, EVERY_MINUTE, ctx))
                await stack.enter_async_context(periodic_jobs(HOUR, HOURLY, ctx))
            yield JobRunner(ctx, relay)
    finally:
        stop_listening()
        with contextlib.suppress(Exception):
            await relay.settle()
        await queue.close()
        await ctx["mailer"].close()
