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
from typing import Any
from zoneinfo import ZoneInfo

from booking.core.access import Actor, can_act_for
from booking.core.booking import Booking, BookingFields, Slot, WaitingValues
from booking.core.catalogue import Organisation
from booking.core.conflicts import Conflict, Placement
from booking.core.errors import FieldProblem, RuleViolation, refused
from booking.core.events import Action, Event
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
from booking.core.transitions import message_detail
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


@dataclass(frozen=True, slots=True)
class NewBooking:
    """A request to store, with its slots, and what its creation records."""

    fields: BookingFields
    status: Status
    requested_by: int | None
    required_tiers: tuple[TierRole, ...]
    series: Series | None
    skipped_dates: tuple[SkippedDate, ...]
    placements: tuple[Placement, ...]
    details: Mapping[str, Any]
    events: tuple[Event, ...]

    @property
    def tiers_done(self) -> int:
        return len(self.required_tiers) if self.status is Status.APPROVED else 0

    @property
    def rooms(self) -> tuple[int, ...]:
        return tuple(sorted({p.room_id for p in self.placements}))

    def stored_as(
        self,
        booking_id: int,
        occurrence_ids: Sequence[int],
        rooms: Mapping[int, RoomFacts],
        organisation: Organisation | None,
        requested_by_name: str | None,
        now: datetime,
    ) -> Booking:
        """The request as it was stored, with these ids (no need to read it back)."""
        slots = sorted(
            (
                Slot(
                    id=occurrence_id,
                    room_id=p.room_id,
                    room_code=rooms[p.room_id].code,
                    building_id=rooms[p.room_id].building_id,
                    zone=rooms[p.room_id].zone,
                    meeting=p.meeting,
                    blocked=p.blocked,
                    status=self.status.value,
                )
                for p, occurrence_id in zip(self.placements, occurrence_ids, strict=True)
            ),
            key=lambda o: (o.meeting.start, o.id),
        )
        return Booking(
            id=booking_id,
            fields=self.fields,
            organisation_code=organisation.code if organisation else None,
            organisation_kind=organisation.kind if organisation else None,
            requested_by=self.requested_by,
            requested_by_name=requested_by_name,
            status=self.status,
            version=1,
            required_tiers=self.required_tiers,
            tiers_done=self.tiers_done,
            hold_until=None,
            change_pending=False,
            change_supersedes=None,
            change_values=WaitingValues(),
            setup_override=None,
            teardown_override=None,
            series=self.series,
            skipped_dates=self.skipped_dates,
            created_at=now,
            updated_at=now,
            occurrences=tuple(slots),
        )


def new_booking(
    fields: BookingFields,
    status: Status,
    requested_by: int | None,
    required_tiers: Sequence[TierRole],
    series: Series | None,
    skipped_dates: Sequence[SkippedDate],
    placements: Sequence[Placement],
    overridden: Mapping[str, Any],
) -> NewBooking:
    """A new request; its creation is an event, and so is its submission or its approval."""
    details = {
        "required_tiers": [t.value for t in required_tiers],
        "skipped_dates": [
            {"date": s.day.isoformat(), "reason": message_detail(s.reason)} for s in skipped_dates
        ],
        **overridden,
    }
    events = [Event(Action.CREATED, {"from": None, "to": status.value, **details})]
    if status is Status.PENDING:
        events.append(Event(Action.SUBMITTED, {"from": None, "to": status.value}))
    elif status is Status.APPROVED:
        events.append(Event(Action.APPROVED, {"from": None, "to": status.value}))
    return NewBooking(
        fields=fields,
        status=status,
        requested_by=requested_by,
        required_tiers=tuple(required_tiers),
        series=series,
        skipped_dates=tuple(skipped_dates),
        placements=tuple(placements),
        details=details,
        events=tuple(events),
    )


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
