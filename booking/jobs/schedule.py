"""Which job functions exist, and which run on a schedule: the one list both runners read."""

from __future__ import annotations

from booking.jobs.holds import lapse_expired_holds
from booking.jobs.notifications import (
    deliver_notification,
    purge_outbox,
    relay_notifications,
    sweep_outbox,
)
from booking.jobs.queue import JobFunction

# Every minute.
EVERY_MINUTE: tuple[JobFunction, ...] = (lapse_expired_holds, sweep_outbox)
# Every hour: work whose time is a day (each run does only what is due and not yet done).
HOURLY: tuple[JobFunction, ...] = (purge_outbox,)
# Jobs handed over by name.
ON_DEMAND: tuple[JobFunction, ...] = (relay_notifications, deliver_notification)

FUNCTIONS: dict[str, JobFunction] = {f.__name__: f for f in (*ON_DEMAND, *EVERY_MINUTE, *HOURLY)}
