"""The notification jobs: relay the change log into the outbox, deliver a message, sweep.

Delivery jobs are named by the message, its attempts so far and when it fell due, so that the
same attempt handed over twice while it waits (after the commit, then by the sweep) runs once,
while a later attempt (after a deferral, or after a worker died holding it) gets a name of its
own. A delivery run twice all the same sends once: it claims its message first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from booking.core.notifications import KEEP_DELIVERED
from booking.db import outbox
from booking.db.transactions import in_writing_transaction
from booking.jobs.context import now_of
from booking.jobs.queue import JobQueue
from booking.notifications.delivery import deliver
from booking.notifications.relay import relay

log = logging.getLogger("booking.jobs")


def delivery_job_id(due: outbox.Due) -> str:
    micros = int(due.due_at.timestamp() * 1_000_000)
    return f"deliver:{due.id}:{due.attempts}:{micros}"


async def hand_over(queue: JobQueue, dues: Sequence[outbox.Due]) -> int:
    """Hand the messages over for delivery; returns how many were. If the queue cannot take
    them (Redis down), they stay pending in the outbox for the sweep."""
    for count, due in enumerate(dues):
        try:
            await queue.enqueue("deliver_notification", due.id, job_id=delivery_job_id(due))
        except Exception as exc:
            log.warning("could not hand over deliveries (%r); the sweep will", exc)
            return count
    return len(dues)


async def relay_notifications(ctx: dict[str, Any]) -> int:
    """Turn the change log's new events into messages, and hand those over."""
    domain = ctx["settings"].mail.message_id_domain
    written = await relay(ctx["engine"], now_of(ctx), domain)
    return await hand_over(ctx["queue"], written)


async def deliver_notification(ctx: dict[str, Any], message_id: int) -> str:
    composer = ctx["composer"]
    done = await deliver(ctx["engine"], message_id, composer.compose, ctx["mailer"], now_of(ctx))
    return done.value


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """What was never relayed or never delivered: relay it, and hand over every message that
    is due (and every one whose delivery's lease ran out)."""
    await relay_notifications(ctx)
    return await hand_over(ctx["queue"], await outbox.due(now_of(ctx)))


async def purge_outbox(ctx: dict[str, Any]) -> int:
    """Forget the messages delivered (or discarded) more than 90 days ago."""
    before = now_of(ctx) - KEEP_DELIVERED
    return await in_writing_transaction(
        ctx["engine"], lambda: outbox.purge_delivered(before), single_statement=True
    )
