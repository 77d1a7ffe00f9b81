"""The scheduled messages' jobs: each minute, write what has fallen due and hand it over.

Each runs every minute on both runners (jobs.schedule) and does only what is due and not yet
written, so a worker that was down catches up when it is back (notifications.scheduled).
"""

from __future__ import annotations

from typing import Any

from booking.jobs.context import now_of
from booking.jobs.notifications import hand_over
from booking.notifications.scheduled import (
    write_digests,
    write_failed_summaries,
    write_pending_soon,
    write_reminders,
)


async def send_reminders(ctx: dict[str, Any]) -> int:
    """Reminders of tomorrow's events, from 18:00 local."""
    written = await write_reminders(
        ctx["engine"], now_of(ctx), ctx["settings"].mail.message_id_domain
    )
    return await hand_over(ctx["queue"], written)


async def send_pending_soon(ctx: dict[str, Any]) -> int:
    """Warnings to approvers of requests starting within 48 hours still undecided."""
    written = await write_pending_soon(
        ctx["engine"], now_of(ctx), ctx["settings"].mail.message_id_domain
    )
    return await hand_over(ctx["queue"], written)


async def send_daily_digests(ctx: dict[str, Any]) -> int:
    """The approvers' digest, from 07:30 in the service's zone."""
    settings = ctx["settings"]
    written = await write_digests(
        ctx["engine"], now_of(ctx), settings.default_zone, settings.mail.message_id_domain
    )
    return await hand_over(ctx["queue"], written)


async def send_failed_summaries(ctx: dict[str, Any]) -> int:
    """The administrators' weekly summary of failed deliveries, from Monday 08:00."""
    settings = ctx["settings"]
    written = await write_failed_summaries(
        ctx["engine"], now_of(ctx), settings.default_zone, settings.mail.message_id_domain
    )
    return await hand_over(ctx["queue"], written)
