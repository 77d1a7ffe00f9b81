"""Deciding a new request: from what the requester asks and what the database knows, the
request to store, or the refusal with its reasons.

The use case reads first (the rooms, then, once the dates are known, the organisation, the
tiers, the rooms' rules and the blackouts of the period), lets `decide` judge it all at once,
then writes; only what holds the rooms is read again, under their locks, as it is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.core.access import Actor, can_act_for
from booking.core.booking import BookingFields
from booking.core.catalogue import Organisation
from booking.core.conflicts import Conflict, Placement
from booking.core.errors import FieldProblem, RuleViolation, refused
from booking.core.localtime import to_instant
from booking.core.messages import Message
from booking.core.recurrence import Ambiguity, Rule
from booking.core.requests import check_request, meeting_span
from booking.core.rooms import RoomFacts
from booking.core.rule_breaches import RoomsKnown, given_reason
from booking.core.series import (
    Series,
    SkippedDate,
    check_dates_apart,
    check_size,
    series_meetings,
    taken_dates,
    without_dates,
)
from booking.core.tiers import TierRole
from booking.core.timespan import TimeSpan
from booking.core.transitions import NewBooking, new_booking
from booking.core.workflow import Status, status_on_creation


@dataclass(frozen=True, slots=True)
class Asked:
    """What a requester asks for, besides the rooms and the times."""

    title: str
    description: str
    organiser_name: str
    contact_email: str
    contact_phone: str
    expected_attendance: int
    is_public: bool
    paid_rental: bool
    submit: bool
    skip_taken_dates: bool  # a series books its free dates and lists the others
    override_reason: str | None
    organisation: str | None  # the code of the one named; None: the requester's only one


def meetings_asked(
    start: datetime,
    end: datetime,
    recurrence: Rule | None,
    ambiguity: Ambiguity | None,
    rooms: Sequence[RoomFacts],
    now: datetime,
) -> tuple[list[TimeSpan], Series | None]:
    """The meetings asked for, in the first room's zone: one, or one a date of a series."""
    zone = ZoneInfo(rooms[0].zone)
    if recurrence is None:
        start_at, end_at = to_instant(start, zone, "start"), to_instant(end, zone, "end")
        return [meeting_span(start_at, end_at)], None
    room_ids = list(dict.fromkeys(room.id for room in rooms))
    meetings, series = series_meetings(start, end, recurrence, zone, ambiguity, room_ids, now)
    meeting_span(meetings[0].start, meetings[0].end)  # whole minutes, as for one meeting
    return meetings, series


@dataclass(frozen=True, slots=True)
class Creation:
    """The decision on a new request, before what holds the rooms is looked at."""

    fields: BookingFields
    organisation: Organisation | None
    status: Status
    requested_by: int
    tiers: tuple[TierRole, ...]
    series: Series | None
    placements: list[Placement]
    skipped: list[SkippedDate]  # dates the rooms' rules refuse, in a series that skips them
    overridden: Mapping[str, object]
    skip_taken_dates: bool
    rooms: Mapping[int, RoomFacts]  # by id

    @property
    def claims(self) -> bool:
        """Whether it asks to hold rooms: a draft claims nothing until it is submitted."""
        return self.status is not Status.DRAFT

    def stored(self, conflicts: Sequence[Conflict] = ()) -> NewBooking | None:
        """The request to store, given what holds its rooms now: a series asked to skip the
        dates taken skips them; else the conflicts refuse it (None)."""
        placements, skipped = self.placements, list[SkippedDate]()
        if conflicts and self.skip_taken_dates:
            zones = {room.id: room.zone for room in self.rooms.values()}
            codes = {room.id: room.code for room in self.rooms.values()}
            taken = taken_dates(conflicts, codes, zones)
            placements, skipped = without_dates(placements, taken, zones)
        if conflicts and not (self.skip_taken_dates and placements):
            return None
        return new_booking(
            self.fields,
            self.status,
            self.requested_by,
            self.tiers,
            self.series,
            sorted(self.skipped + skipped, key=lambda s: s.day),
            placements,
            self.overridden,
        )


def _organisation(
    actor: Actor, code: str | None, found: Organisation | None
) -> Organisation | None:
    """The organisation the request is filed for: the one named, which the requester must
    belong to, or else their only one."""
    if code is not None:
        if found is None:
            raise refused("organisation", Message("organisation.unknown", code=code))
        if not can_act_for(actor, found.id):
            raise refused("organisation", Message("organisation.not_member", code=code))
        return found
    if len(actor.organisations) == 1:
        return found
    if len(actor.organisations) > 1:
        raise refused("organisation", Message("organisation.name_one"))
    if can_act_for(actor, None):
        return None
    raise refused("organisation", Message("organisation.none"))


def _fields(asked: Asked, organisation: Organisation | None) -> BookingFields:
    problems = [
        FieldProblem(name, Message("text.blank"))
        for name, value in (("title", asked.title), ("organiser_name", asked.organiser_name))
        if not value.strip()
    ]
    if problems:
        raise RuleViolation(problems)
    return BookingFields(
        title=asked.title.strip(),
        description=asked.description,
        organisation_id=organisation.id if organisation else None,
        organiser_name=asked.organiser_name.strip(),
        contact_email=asked.contact_email.strip(),
        contact_phone=asked.contact_phone.strip(),
        expected_attendance=asked.expected_attendance,
        is_public=asked.is_public,
        paid_rental=asked.paid_rental,
    )


def decide(
    actor: Actor,
    asked: Asked,
    meetings: Sequence[TimeSpan],
    series: Series | None,
    organisation: Organisation | None,
    known: RoomsKnown,
    now: datetime,
) -> Creation:
    """Everything about a new request but what holds its rooms: refused with its reasons, or
    what to store. `organisation` is the one named, or the requester's only one, if any."""
    rooms = known.rooms
    check_request(meetings[0], rooms, asked.expected_attendance, now)
    organisation = _organisation(actor, asked.organisation, organisation)
    fields = _fields(asked, organisation)
    tiers = known.tiers(organisation is not None and organisation.external, asked.paid_rental)
    status = status_on_creation(asked.submit, known.instant(tiers))
    wanted = [
        Placement(room.id, meeting, room.blocked(meeting)) for meeting in meetings for room in rooms
    ]
    check_size(wanted)
    check_dates_apart(wanted)
    if given_reason(asked.override_reason) is not None and status is Status.DRAFT:
        raise refused("override_reason", Message("rules.override_on_submit"))
    skip_dates = series is not None and asked.skip_taken_dates
    verdict = known.verdict(wanted, actor, asked.override_reason, now, skip_dates)
    return Creation(
        fields=fields,
        organisation=organisation,
        status=status,
        requested_by=actor.user_id,
        tiers=tiers,
        series=series,
        placements=verdict.placements,
        skipped=verdict.skipped,
        overridden=verdict.overridden,
        skip_taken_dates=skip_dates,
        rooms={room.id: room for room in rooms},
    )
