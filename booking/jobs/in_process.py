"""The embedded service's stand-in for arq: the same periodic job functions, run in the web
process's event loop when no REDIS_URL is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

log = logging.getLogger("booking.jobs")

Job = Callable[[dict[str, Any]], Awaitable[Any]]


async def _every(interval: float, jobs: Sequence[Job], ctx: dict[str, Any]) -> None:
    # At once, as arq's run_at_startup does: what the last run left is taken up on start.
    while True:
        for job in jobs:
            try:
                await job(ctx)
            except Exception:
                # A failing sweep must not end the loop; the next round tries again.
                log.exception("periodic job %s failed", job.__name__)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def periodic_jobs(
    interval: float, jobs: Sequence[Job], ctx: dict[str, Any]
) -> AsyncIterator[None]:
    task = asyncio.create_task(_every(interval, jobs, ctx))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
