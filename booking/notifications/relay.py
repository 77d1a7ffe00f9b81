"""The relay: the change log's new events become outbox messages, in one transaction.

It runs after each commit that logged events (in the background of the process that committed)
and from the periodic sweep, which finds what a process that died or lost its database never
relayed. Each event is relayed once: it is marked in the transaction that writes its messages,
and a message's dedupe key (the change, the kind, the address) keeps a repeat from writing it
twice all the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from email.utils import make_msgid

from piccolo.engine.base import Engine

from booking.core.booking import Booking
from booking.core.events import RecordedEvent
from booking.core.notifications import (
    Audience,
    Notice,
    Person,
    address_key,
    deciders,
    notices_of_change,
)
from booking.core.workflow import current_tier
from booking.db import bookings, change_log, outbox, recipients
from booking.db.transactions import in_writing_transaction

# Events read in one round; the rest wait for the next round, which follows at once.
BATCH = 500


async def relay(engine: Engine, now: datetime, domain: str) -> list[outbox.Due]:
    """Relay every event logged so far; returns the messages written, for delivery.

    Each round reads its events and their recipients first, with no writing transaction
    open (on SQLite one would hold every other writer back meanwhile), then writes the
    messages and marks the events relayed in one. Two relays reading the same events make
    the same messages with the same keys: the second writes nothing."""
    written: list[outbox.Due] = []
    while True:
        messages, positions, more = await _read_round(domain)
        if not positions:
            return written
        written += await in_writing_transaction(engine, _writing(messages, positions, now))
        if not more:
            return written


def _writing(
    messages: Sequence[outbox.NewMessage], positions: Sequence[int], now: datetime
) -> Callable[[], Awaitable[list[outbox.Due]]]:
    """The round's writes: its messages, and its events marked relayed."""

    async def write() -> list[outbox.Due]:
        added = await outbox.add(messages, now)
        await change_log.mark_relayed(positions, now)
        return added

    return write


async def _read_round(domain: str) -> tuple[list[outbox.NewMessage], list[int], bool]:
    """The messages of the next batch of changes, the positions of their events, and whether
    more may wait."""
    first = await change_log.unrelayed(BATCH)
    if not first:
        return [], [], False
    # A change's events may go on past the batch's end, or (concurrent writers drawing ids
    # from one sequence) be interleaved with another's: each change is taken whole.
    changed = {(e.booking_id, e.version) for e in first}
    rest = await change_log.unrelayed_of({booking for booking, _ in changed})
    events = sorted(
        {e.position: e for e in (*first, *rest) if (e.booking_id, e.version) in changed}.values(),
        key=lambda e: e.position,
    )
    changes: dict[tuple[int, int], list[RecordedEvent]] = {}
    for event in events:
        changes.setdefault((event.booking_id, event.version), []).append(event)
    found = {b.id: b for b in await bookings.load_bookings([e.booking_id for e in events])}
    messages: list[outbox.NewMessage] = []
    # The approvers are asked once per request and batch, by its latest change: each change
    # asks those deciding the request as it is now, the same people.
    asking: dict[tuple[int, str], outbox.NewMessage] = {}
    for change in changes.values():
        booking = found.get(change[0].booking_id)
        if booking is None:
            continue
        for notice in notices_of_change([(e.kind, e.data) for e in change]):
            for person in await _audience(notice, booking, change[0].actor_id):
                message = _message(notice, booking, change, person, domain)
                if notice.audience is Audience.APPROVERS:
                    asking[(booking.id, person.address.lower())] = message
                else:
                    messages.append(message)
    return [*messages, *asking.values()], [e.position for e in events], len(first) == BATCH


async def _audience(notice: Notice, booking: Booking, actor_id: int | None) -> list[Person]:
    if notice.audience is Audience.REQUESTER:
        return await requester_and_contact(booking)
    people = await deciders_now(booking)
    # Whoever made the change (an approver who also decides the next tier) knows of it.
    return [p for p in people if p.user_id is None or p.user_id != actor_id]


def _deciding(notice: Notice, booking: Booking) -> dict[str, str]:
    """For the approvers: the tier they are asked to decide, so that the e-mail is dropped if
    the request has moved on to another by the time it goes."""
    tier = current_tier(booking.state)
    return {"tier": tier.value} if notice.audience is Audience.APPROVERS and tier else {}


async def deciders_now(booking: Booking) -> list[Person]:
    """Those who decide the tier the request waits for (its proposed rooms' if a change
    waits); nobody if it waits for no decision."""
    tier = current_tier(booking.state)
    if tier is None:
        return []  # decided meanwhile: nobody need be asked any more
    facts = booking.facts  # while a change waits, its rooms'
    candidates = await recipients.deciding_candidates(
        {p.room_id for p in facts.rooms}, {p.building_id for p in facts.rooms}
    )
    return deciders(candidates, facts, tier)


async def requester_and_contact(booking: Booking) -> list[Person]:
    """The account that asked, and the contact named in the request when that is another
    address (in the language of its account, if it has one; else Romanian)."""
    people: list[Person] = []
    if booking.requested_by is not None:
        people += (await recipients.accounts([booking.requested_by])).values()
    contact = booking.fields.contact_email.strip().lower()
    if contact and all(p.address.lower() != contact for p in people):
        account = (await recipients.by_address([contact])).get(contact)
        people.append(account or Person(contact, booking.fields.organiser_name, "ro"))
    return people


def _message(
    notice: Notice,
    booking: Booking,
    change: Sequence[RecordedEvent],
    person: Person,
    domain: str,
) -> outbox.NewMessage:
    position = change[0].position
    return outbox.NewMessage(
        kind=notice.kind.value,
        dedupe_key=f"change:{position}:{notice.kind.value}:{address_key(person.address)}",
        address=person.address,
        name=person.name,
        language=person.language,
        message_id=make_msgid(domain=domain),
        booking_id=booking.id,
        change_position=position,
        recipient_id=person.user_id,
        data={
            **notice.data,
            "version": change[0].version,
            "actor": change[0].actor_id,
            **_deciding(notice, booking),
        },
    )
