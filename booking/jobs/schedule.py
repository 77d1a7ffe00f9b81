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
from booking.jobs.scheduled import (
    send_daily_digests,
    send_failed_summaries,
    send_pending_soon,
    send_reminders,
)

# Every minute. The scheduled messages run as often: each run writes only what has fallen due
# and is not written yet, so a worker that was down at the time catches up when it is back.
EVERY_MINUTE: tuple[JobFunction, ...] = (
    lapse_expired_holds,
    sweep_outbox,
    send_reminders,
    send_pending_soon,
    send_daily_digests,
    send_failed_summaries,
)
# Every hour: work whose time is a day (each run does only what is due and not yet done).
HOURLY: tuple[JobFunction, ...] = (purge_outbox,)
# Jobs handed over by name.
ON_DEMAND: tuple[JobFunction, ...] = (relay_notifications, deliver_notification)

FUNCTIONS: dict[str, JobFunction] = {f.__name__: f for f in (*ON_DEMAND, *EVERY_MINUTE, *HOURLY)}
