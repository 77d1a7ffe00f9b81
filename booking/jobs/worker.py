"""arq worker settings: the job registry that `booking worker` runs."""

from __future__ import annotations

from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings

from booking.jobs.heartbeat import record_heartbeat
from booking.settings import load_settings


def redis_settings() -> RedisSettings:
    url = load_settings().redis_url
    if url is None:
        raise SystemExit(
            "error: REDIS_URL: required to run a worker (without it jobs run in-process)"
        )
    return RedisSettings.from_dsn(url)


class WorkerSettings:
    functions: ClassVar[list[Any]] = [record_heartbeat]
    cron_jobs: ClassVar[list[Any]] = [cron(record_heartbeat, second={0, 30}, run_at_startup=True)]
