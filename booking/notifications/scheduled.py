"""The scheduled messages: reminders of tomorrow's events, warnings of requests about to start
undecided, the approvers' daily digest and the administrators' weekly summary of failed
deliveries.

Each use case writes what is due at `now` and not yet written (core.scheduled_messages says
when each is due), so the jobs run them every minute and a run after an outage catches up.
What is written already is asked first, so a run with nothing new reads and never writes: on
SQLite a write takes the whole database's lock. Two runs at once are harmless all the same:
a message's dedupe key keeps the second from writing it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.utils import make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.bookings.reading import awaiting_decision, waiting_for
from booking.core.access import Role
from booking.core.notifications import Kind, Person, address_key
from booking.core.scheduled_messages import (
    PENDING_SOON_WITHIN,
    REMINDER_HORIZON,
    digest_due,
    failed_summary_due,
    pending_soon_due,
    reminders_due,
)
from booking.core.timespan import TimeSpan
from booking.core.workflow import LIVE, Status
from booking.db import accounts, bookings, outbox, recipients, scheduled
from booking.db.transactions import in_writing_transaction
from booking.notifications.relay import deciders_now, requester_and_contact

UNDECIDED = (Status.PENDING.value, Status.HELD.value)
# The slots that count: not dropped on their own, not a change's proposal, not superseded.
_LIVE_SLOTS = tuple(sorted(status.value for status in LIVE))


def _message(
    kind: Kind,
    key: str,
    person: Person,
    domain: str,
    booking_id: int | None,
    data: Mapping[str, Any],
) -> outbox.NewMessage:
    return outbox.NewMessage(
        kind=kind.value,
        dedupe_key=key,
        address=person.address,
        name=person.name,
        language=person.language,
        message_id=make_msgid(domain=domain),
        booking_id=booking_id,
        recipient_id=person.user_id,
        data=data,
    )


async def _write_new(
    engine: Engine, messages: Sequence[outbox.NewMessage], now: datetime
) -> list[outbox.Due]:
    """Write those of the messages not written yet; returns those written, for delivery."""
    if not messages:
        return []
    done = await scheduled.written(m.dedupe_key for m in messages)
    new = [m for m in messages if m.dedupe_key not in done]
    if not new:
        return []
    return await in_writing_transaction(engine, lambda: outbox.add(new, now))


async def _wanted(kind: Kind, people: Sequence[Person]) -> list[Person]:
    """Those who did not turn `kind` off; an address without an account always wants it."""
    off = await scheduled.turned_off(kind, (p.user_id for p in people if p.user_id is not None))
    return [p for p in people if p.user_id is None or p.user_id not in off]


async def write_reminders(engine: Engine, now: datetime, domain: str) -> list[outbox.Due]:
    """The evening before each date of an approved request: a reminder to its requester, and
    to the contact named in it if that is another address."""
    window = TimeSpan(now, now + REMINDER_HORIZON)
    approved = (Status.APPROVED.value,)
    ids = await scheduled.starting_within(window, approved, approved)
    messages: list[outbox.NewMessage] = []
    for booking in await bookings.load_bookings(ids):
        if booking.status is not Status.APPROVED:
            continue
        days = reminders_due(booking.occurrences, now)
        if not days:
            continue
        people = await _wanted(Kind.REMINDER, await requester_and_contact(booking))
        for event_day in days:
            day = event_day.day.isoformat()
            for person in people:
                key = f"reminder:{booking.id}:{day}:{address_key(person.address)}"
                messages.append(
                    _message(Kind.REMINDER, key, person, domain, booking.id, {"date": day})
                )
    return await _write_new(engine, messages, now)


async def write_pending_soon(engine: Engine, now: datetime, domain: str) -> list[outbox.Due]:
    """A request still waiting for a decision (pending, or held) 48 hours before it starts:
    a warning to those who decide its tier now, once."""
    window = TimeSpan(now, now + PENDING_SOON_WITHIN)
    ids = await scheduled.starting_within(window, UNDECIDED, _LIVE_SLOTS)
    messages: list[outbox.NewMessage] = []
    for found in await bookings.load_bookings(ids):
        booking = found.as_of(now)
        if booking.status.value not in UNDECIDED or not booking.live:
            continue
        first_start = min(o.meeting.start for o in booking.live)
        if not pending_soon_due(first_start, now):
            continue
        starts_at = first_start.isoformat()
        for person in await deciders_now(booking):
            key = f"pending-soon:{booking.id}:{starts_at}:{address_key(person.address)}"
            data = {"starts_at": starts_at}
            messages.append(_message(Kind.PENDING_SOON, key, person, domain, booking.id, data))
    return await _write_new(engine, messages, now)


async def write_digests(
    engine: Engine, now: datetime, zone: ZoneInfo, domain: str
) -> list[outbox.Due]:
    """Once 07:30 has come today: to each user who decides requests, the requests that wait
    for their decision (their approval queue), if any does. Only what was waiting at 07:30
    and has not changed since is listed, so a digest written late says what it would have
    said on time; what came later has had its own message, and is in tomorrow's digest."""
    due = digest_due(now, zone)
    if due is None:
        return []
    day = due.day.isoformat()
    readers = await _wanted(
        Kind.DIGEST, await recipients.with_roles(Role.APPROVER, Role.FINANCE, Role.ADMIN)
    )
    keys = {p.user_id: f"digest:{day}:{p.user_id}" for p in readers}
    done = await scheduled.written(keys.values())
    readers = [p for p in readers if keys[p.user_id] not in done]
    if not readers:
        return []
    # Every waiting request: a cap would leave out those that have waited longest.
    waiting_now = await awaiting_decision(now, limit=None)
    candidates = [b for b in waiting_now if b.updated_at <= due.at]
    if not candidates:
        return []
    messages: list[outbox.NewMessage] = []
    for person in readers:
        assert person.user_id is not None
        principal = await accounts.active_principal(person.user_id)
        if principal is None:
            continue
        waiting = waiting_for(principal.actor, candidates, now)
        if waiting:
            data = {"waiting": [b.id for b in waiting], "day": day}
            messages.append(_message(Kind.DIGEST, keys[person.user_id], person, domain, None, data))
    return await _write_new(engine, messages, now)


async def write_failed_summaries(
    engine: Engine, now: datetime, zone: ZoneInfo, domain: str
) -> list[outbox.Due]:
    """Once Monday 08:00 has come this week: to each administrator, the messages whose
    delivery failed in the 7 days before, if any did."""
    due = failed_summary_due(now, zone)
    if due is None:
        return []
    admins = await recipients.administrators()
    keys = {p.user_id: f"failed-summary:{due.week}:{p.user_id}" for p in admins}
    done = await scheduled.written(keys.values())
    admins = [p for p in admins if keys[p.user_id] not in done]
    if not admins:
        return []
    failed = await outbox.failed_since(due.since)
    if not failed:
        return []
    data = {"since": due.since.isoformat(), "failed": [m.id for m in failed]}
    messages = [
        _message(Kind.FAILED_SUMMARY, keys[p.user_id], p, domain, None, data) for p in admins
    ]
    return await _write_new(engine, messages, now)
