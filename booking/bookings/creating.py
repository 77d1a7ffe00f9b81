"""Creating a request: one slot, several rooms, or a series of dates.

Read what the decision needs, let the core decide (core/creation.py), then write: the rooms'
holders are read once more under their locks as the request is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import CreateBooking
from booking.bookings.conflicts import current_conflicts
from booking.bookings.unit_of_work import Collision, Outcome, UnitOfWork, lapse_expired_holds
from booking.core.catalogue import Organisation
from booking.core.creation import Asked, Creation, NewBooking, decide, meetings_asked
from booking.core.errors import FieldProblem, RuleViolation
from booking.core.messages import Message
from booking.core.rooms import RoomFacts
from booking.db import catalogue
from booking.db.booking_writes import claims_alone
from booking.rooms.rules import rooms_known


async def rooms_asked(room_ids: Sequence[int]) -> list[RoomFacts]:
    """The rooms, in the order asked; refuses ids of no room."""
    rooms = await catalogue.rooms_by_id(room_ids)
    unknown = [room_id for room_id in room_ids if room_id not in rooms]
    if unknown:
        raise RuleViolation(
            [FieldProblem("rooms", Message("rooms.unknown", id=i)) for i in unknown]
        )
    return [rooms[room_id] for room_id in room_ids]


async def organisation_asked(user: CurrentUser, code: str | None) -> Organisation | None:
    """The organisation named, or else the user's only one (the core judges either)."""
    if code is not None:
        return await catalogue.organisation_by_code(code)
    if len(user.actor.organisations) == 1:
        (only,) = user.actor.organisations
        return await catalogue.organisation(only)
    return None


def _asked(command: CreateBooking) -> Asked:
    return Asked(
        title=command.title,
        description=command.description,
        organiser_name=command.organiser_name,
        contact_email=command.contact_email,
        contact_phone=command.contact_phone,
        expected_attendance=command.expected_attendance,
        is_public=command.is_public,
        paid_rental=command.paid_rental,
        submit=command.submit,
        skip_taken_dates=command.skip_taken_dates,
        override_reason=command.override_reason,
        organisation=command.organisation,
    )


async def create_booking(
    engine: Engine, user: CurrentUser, command: CreateBooking, now: datetime
) -> Outcome:
    rooms = await rooms_asked(command.rooms)
    meetings, series = meetings_asked(
        command.start, command.end, command.recurrence, command.ambiguous, rooms, now
    )
    organisation = await organisation_asked(user, command.organisation)
    known = await rooms_known(rooms, meetings)
    creation = decide(user.actor, _asked(command), meetings, series, organisation, known, now)
    unit = UnitOfWork(engine, user, now)
    booking_id, occurrence_ids, stored = await _store(unit, creation)
    booking = stored.stored_as(
        booking_id,
        occurrence_ids,
        creation.rooms,
        creation.organisation,
        user.display_name,
        now,
    )
    return Outcome(booking, tuple(unit.written))


async def _store(unit: UnitOfWork, creation: Creation) -> tuple[int, list[int], NewBooking]:
    """Store the request, checked against what holds its rooms: first, under the rooms' locks,
    or, when the database refuses a collision by itself as it stores it (one slot that holds
    its room, on PostgreSQL), by that alone. A draft claims nothing yet: it is checked when it
    is submitted."""
    unit.claimed = creation.placements
    unit.attendance = creation.fields.expected_attendance
    alone = claims_alone(creation.placements, creation.status)

    async def insert() -> tuple[int, list[int], NewBooking]:
        conflicts = []
        if creation.claims and not alone:
            # The lock is held from the check to the insert.
            await unit.lock_rooms([p.room_id for p in creation.placements])
            conflicts = await current_conflicts(creation.placements)
            if conflicts and await lapse_expired_holds(unit):
                # Holds whose time is up were in the way: they are pending again now.
                conflicts = await current_conflicts(creation.placements)
        new = creation.stored(conflicts)
        if new is None:
            raise Collision(conflicts)
        booking_id, occurrence_ids = await unit.create(new)
        return booking_id, occurrence_ids, new

    return await unit.run(insert, single_statement=alone, lapse_and_retry=True)
