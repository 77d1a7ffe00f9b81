"""Delivering one outbox message: claim it, compose it, send it, record how it went.

Idempotent: a message already sent, or being sent by another delivery whose lease still runs,
is left alone, so a job handed over twice (after commit and again by the sweep, or retried by
arq) sends it once. The only repeat possible is of the message in flight when its worker was
killed: after its lease the sweep hands it over again, with its Message-ID unchanged, so mail
clients show it once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from email.message import EmailMessage
from enum import StrEnum
from typing import TypeVar

from piccolo.engine.base import Engine

from booking.core.notifications import CLOCK_SKEW, SENDING_LEASE, gives_up, retry_delay
from booking.db import outbox
from booking.db.transactions import in_writing_transaction
from booking.mail.errors import DeliveryDeferred, DeliveryRefused
from booking.mail.mailer import Mailer
from booking.notifications.envelope import NothingToSay

log = logging.getLogger("booking.notifications")

RECORD_TRIES = 4

T = TypeVar("T")
Compose = Callable[[outbox.StoredMessage, datetime], Awaitable[EmailMessage]]


class Delivered(StrEnum):
    SENT = "sent"
    DEFERRED = "deferred"  # pending again, due later
    FAILED = "failed"
    DISCARDED = "discarded"
    NOT_MINE = "not_mine"  # sent already, not due, or another delivery has it


async def deliver(
    engine: Engine, message_id: int, compose: Compose, mailer: Mailer, now: datetime
) -> Delivered:
    """One attempt at the message `message_id`."""

    async def write(statement: Callable[[], Awaitable[T]]) -> T:
        return await in_writing_transaction(engine, statement, single_statement=True)

    # Due by a few seconds from now: the process that made the message due may run on a
    # machine whose clock is a little ahead of this one's.
    claimed = await write(
        lambda: outbox.claim(message_id, now, now + SENDING_LEASE, due_by=now + CLOCK_SKEW)
    )
    if claimed is None:
        return Delivered.NOT_MINE
    try:
        email = await compose(claimed, now)
    except ValueError as unwritable:
        # An address no e-mail can be written to: no later attempt can do better.
        why = f"could not be written: {unwritable}"
        await write(lambda: outbox.mark_failed(claimed, why, now))
        return Delivered.FAILED
    except NothingToSay as silent:
        why = silent.reason
        await write(lambda: outbox.mark_discarded_while_sending(claimed, why))
        return Delivered.DISCARDED
    except Exception as exc:
        # A message that cannot be written now (the database went away mid-way, a template
        # fault) is tried again like one the server could not take, then marked failed.
        log.exception("message %s could not be composed", claimed.id)
        return await _not_now(write, claimed, f"could not be composed: {exc!r}", now)
    try:
        await mailer.send(email)
    except DeliveryRefused as refused:
        why = refused.reason
        log.warning("message %s to its recipient refused: %s", claimed.id, why)
        await write(lambda: outbox.mark_failed(claimed, why, now))
        return Delivered.FAILED
    except DeliveryDeferred as deferred:
        return await _not_now(write, claimed, deferred.reason, now)
    # Sent: recording it is worth a few tries, since a message left "sending" goes again
    # once its lease runs out.
    for attempt in range(RECORD_TRIES):
        try:
            await write(lambda: outbox.mark_sent(claimed, now))
            break
        except Exception:
            if attempt == RECORD_TRIES - 1:
                raise
            log.warning("recording message %s as sent failed; trying again", claimed.id)
            await asyncio.sleep(0.5 * 2**attempt)
    return Delivered.SENT


async def _not_now(
    write: Callable[[Callable[[], Awaitable[bool]]], Awaitable[bool]],
    claimed: outbox.StoredMessage,
    reason: str,
    now: datetime,
) -> Delivered:
    if gives_up(claimed.attempts):
        log.warning("message %s failed after %s attempts: %s", claimed.id, claimed.attempts, reason)
        await write(lambda: outbox.mark_failed(claimed, reason, now))
        return Delivered.FAILED
    later = now + retry_delay(claimed.attempts)
    await write(lambda: outbox.mark_deferred(claimed, later, reason))
    return Delivered.DEFERRED
