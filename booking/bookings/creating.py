"""Creating a request: one slot, several rooms, or a series of dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import CreateBooking
from booking.bookings.conflicts import current_conflicts
from booking.bookings.unit_of_work import Collision, Outcome, UnitOfWork, lapse_expired_holds
from booking.core.access import BookingFacts, can_act_for, manages
from booking.core.booking import BookingFields
from booking.core.catalogue import Organisation
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, RuleViolation, refused
from booking.core.localtime import to_instant
from booking.core.messages import Message
from booking.core.requests import check_request, meeting_span
from booking.core.rooms import RoomFacts
from booking.core.rule_breaches import given_reason, judge, refusal
from booking.core.series import (
    Series,
    SkippedDate,
    check_dates_apart,
    check_size,
    series_meetings,
    taken_dates,
    without_dates,
)
from booking.core.tiers import instant_approval
from booking.core.timespan import TimeSpan
from booking.core.transitions import NewBooking, new_booking
from booking.core.workflow import Status, status_on_creation
from booking.db import catalogue, tiers
from booking.db.booking_writes import claims_alone
from booking.rooms.rules import breaches


async def rooms_asked(room_ids: Sequence[int]) -> list[RoomFacts]:
    """The rooms, in the order asked; refuses ids of no room."""
    rooms = await catalogue.rooms_by_id(room_ids)
    unknown = [room_id for room_id in room_ids if room_id not in rooms]
    if unknown:
        raise RuleViolation(
            [FieldProblem("rooms", Message("rooms.unknown", id=i)) for i in unknown]
        )
    return [rooms[room_id] for room_id in room_ids]


def _placements(rooms: Sequence[RoomFacts], meeting: TimeSpan) -> list[Placement]:
    return [Placement(room.id, meeting, room.blocked(meeting)) for room in rooms]


async def _organisation_for(user: CurrentUser, code: str | None) -> Organisation | None:
    """The organisation the request is filed for: the one named, which the user must belong
    to, or else the user's only one."""
    actor = user.actor
    if code is not None:
        organisation = await catalogue.organisation_by_code(code)
        if organisation is None:
            raise refused("organisation", Message("organisation.unknown", code=code))
        if not can_act_for(actor, organisation.id):
            raise refused("organisation", Message("organisation.not_member", code=code))
        return organisation
    if len(actor.organisations) == 1:
        (only,) = actor.organisations
        return await catalogue.organisation(only)
    if len(actor.organisations) > 1:
        raise refused("organisation", Message("organisation.name_one"))
    if can_act_for(actor, None):
        return None
    raise refused("organisation", Message("organisation.none"))


def _fields(command: CreateBooking, organisation: Organisation | None) -> BookingFields:
    problems = [
        FieldProblem(name, Message("text.blank"))
        for name, value in (("title", command.title), ("organiser_name", command.organiser_name))
        if not value.strip()
    ]
    if problems:
        raise RuleViolation(problems)
    return BookingFields(
        title=command.title.strip(),
        description=command.description,
        organisation_id=organisation.id if organisation else None,
        organiser_name=command.organiser_name.strip(),
        contact_email=command.contact_email.strip(),
        contact_phone=command.contact_phone.strip(),
        expected_attendance=command.expected_attendance,
        is_public=command.is_public,
        paid_rental=command.paid_rental,
    )


async def create_booking(
    engine: Engine, user: CurrentUser, command: CreateBooking, now: datetime
) -> Outcome:
    # What the decision needs: the rooms, the organisation, the tiers, the rules.
    asked = await rooms_asked(command.rooms)
    rooms = {room.id: room for room in asked}
    zones = {room.id: room.zone for room in asked}
    zone = ZoneInfo(asked[0].zone)
    series: Series | None = None
    if command.recurrence is not None:
        meetings, series = series_meetings(
            command.start,
            command.end,
            command.recurrence,
            zone,
            command.ambiguous,
            list(dict.fromkeys(command.rooms)),
            now,
        )
    else:
        start = to_instant(command.start, zone, "start")
        meetings = [meeting_span(start, to_instant(command.end, zone, "end"))]
    meeting_span(meetings[0].start, meetings[0].end)
    check_request(meetings[0], asked, command.expected_attendance, now)
    organisation = await _organisation_for(user, command.organisation)
    fields = _fields(command, organisation)
    external = organisation is not None and organisation.external
    needed = await tiers.tiers_needed(asked, external, command.paid_rental)
    instant = instant_approval((room.instant_book for room in asked), needed)
    status = status_on_creation(command.submit, instant)
    wanted = [p for meeting in meetings for p in _placements(asked, meeting)]
    check_size(wanted)
    check_dates_apart(wanted)
    skip_taken = series is not None and command.skip_taken_dates
    override_reason = given_reason(command.override_reason)
    if override_reason is not None and status is Status.DRAFT:
        raise refused("override_reason", Message("rules.override_on_submit"))
    found = await breaches(wanted, asked, now)
    places = BookingFacts.of(None, None, False, ((r.id, r.building_id) for r in asked))
    verdict = judge(
        found,
        zones,
        override_reason=override_reason,
        may_override=manages(user.actor, places),
        skip_dates=skip_taken,
    )
    wanted, rule_skipped = without_dates(wanted, verdict.skipped, zones)
    if not wanted:
        raise refusal(found, zones)

    def new(placements: list[Placement], skipped: list[SkippedDate]) -> NewBooking:
        skipped = sorted(rule_skipped + skipped, key=lambda s: s.day)
        return new_booking(
            fields, status, user.id, needed, series, skipped, placements, verdict.overridden
        )

    unit = UnitOfWork(engine, user, now)
    unit.claimed, unit.attendance = wanted, command.expected_attendance
    # A draft claims nothing yet: it is checked when it is submitted. A request the database
    # checks by itself as it stores it (one slot that holds its room, on PostgreSQL) needs no
    # check first; any other is checked against what holds the rooms, and a series' answer
    # must list every date that is taken.
    alone = claims_alone(wanted, status)
    check_first = status is not Status.DRAFT and not alone

    async def insert() -> tuple[int, list[int], NewBooking]:
        placements, skipped = wanted, list[SkippedDate]()
        if check_first:
            # The lock is held from the check to the insert.
            await unit.lock_rooms([p.room_id for p in placements])
            conflicts = await current_conflicts(placements)
            if conflicts and await lapse_expired_holds(unit):
                # Holds whose time is up were in the way: they are pending again now.
                conflicts = await current_conflicts(placements)
            if conflicts and skip_taken:
                taken = taken_dates(conflicts, {r.id: r.code for r in asked}, zones)
                placements, skipped = without_dates(placements, taken, zones)
            if conflicts and (not skip_taken or not placements):
                raise Collision(conflicts)
        plan = new(placements, skipped)
        booking_id, occurrence_ids = await unit.create(plan)
        return booking_id, occurrence_ids, plan

    created = await unit.run(insert, single_statement=alone, lapse_and_retry=True)
    booking_id, occurrence_ids, plan = created
    booking = plan.stored_as(
        booking_id, occurrence_ids, rooms, organisation, user.display_name, now
    )
    return Outcome(booking, tuple(unit.written))
