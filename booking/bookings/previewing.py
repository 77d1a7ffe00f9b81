"""Checking a request before it is sent: what creating it would find, date by date, without
writing anything.

It reads what creating.py reads and lets the same core decision judge it (core/creation.py
`decide`, with a series asked to skip the dates its rooms' rules refuse, so that each such date
is reported with its reason); then it looks, as creating does under the rooms' locks, at what
holds the rooms, and explains each collision with the suggestions a refusal carries
(bookings/conflicts.py `suggestions`). What only the form's later steps ask (the title, the
organiser) is not judged here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.conflicts import current_conflicts, suggestions
from booking.bookings.creating import organisation_asked, rooms_asked
from booking.core.alternatives import Alternatives
from booking.core.catalogue import Organisation
from booking.core.conflicts import Conflict
from booking.core.creation import Asked, decide, meetings_asked
from booking.core.errors import FieldProblem, RuleViolation
from booking.core.messages import Message
from booking.core.recurrence import Ambiguity, Rule
from booking.core.rooms import RoomFacts
from booking.core.series import local_date
from booking.core.tiers import TierRole
from booking.core.timespan import TimeSpan
from booking.core.workflow import Status
from booking.db import catalogue
from booking.rooms.rules import rooms_known

# Suggestions are looked for on the first few taken dates of a series only: each costs reads.
DATES_WITH_SUGGESTIONS = 5
# Stand-ins for what the form asks after the slot; `decide` refuses blank ones.
_NOT_ASKED_YET = "-"


@dataclass(frozen=True, slots=True)
class PreviewBooking:
    """The slot(s) to check: what a request asks about where and when."""

    rooms: tuple[int, ...]
    start: datetime
    end: datetime
    expected_attendance: int = 1
    recurrence: Rule | None = None
    ambiguous: Ambiguity | None = None
    organisation: str | None = None
    paid_rental: bool = False
    override_reason: str | None = None


@dataclass(frozen=True, slots=True)
class DatePreview:
    """One date asked for: free, taken (what holds the rooms, and what could be had instead),
    or refused by the rooms' rules (why)."""

    day: date
    meeting: TimeSpan
    zone: str
    conflicts: list[Conflict] = field(default_factory=list)
    refused: Message | None = None
    alternatives: Alternatives | None = None

    @property
    def state(self) -> str:
        if self.refused is not None:
            return "refused"
        return "taken" if self.conflicts else "free"


@dataclass(frozen=True, slots=True)
class Preview:
    """What sending the request now would meet. `problems`: refused as a whole (then `dates`
    may be empty); `status` and `tiers`: what it would be on creation."""

    dates: list[DatePreview]
    rooms: dict[int, RoomFacts]  # every room the dates and suggestions name, by id
    problems: list[FieldProblem] = field(default_factory=list)
    status: Status | None = None
    tiers: tuple[TierRole, ...] = ()
    is_series: bool = False

    @property
    def clear(self) -> bool:
        return not self.problems and all(d.state == "free" for d in self.dates)


def _asked(command: PreviewBooking, organisation: str | None, series: bool) -> Asked:
    return Asked(
        title=_NOT_ASKED_YET,
        description="",
        organiser_name=_NOT_ASKED_YET,
        contact_email="",
        contact_phone="",
        expected_attendance=command.expected_attendance,
        is_public=False,
        paid_rental=command.paid_rental,
        submit=True,
        skip_taken_dates=series,
        override_reason=command.override_reason,
        organisation=organisation,
    )


async def _organisation_for_preview(
    user: CurrentUser, code: str | None
) -> tuple[str | None, Organisation | None]:
    """The organisation named; a member of several who has not chosen yet is checked as one
    of them (the organisation changes who decides, never whether the rooms are free)."""
    if code is None and len(user.actor.organisations) > 1:
        found = await catalogue.organisation(min(user.actor.organisations))
        if found is not None:
            return found.code, found
    return code, await organisation_asked(user, code)


async def preview_booking(
    engine: Engine, user: CurrentUser, command: PreviewBooking, now: datetime
) -> Preview:
    del engine  # nothing is written: the signature is the one of the use cases that write
    try:
        rooms = await rooms_asked(command.rooms)
        meetings, series = meetings_asked(
            command.start, command.end, command.recurrence, command.ambiguous, rooms, now
        )
        code, organisation = await _organisation_for_preview(user, command.organisation)
        known = await rooms_known(rooms, meetings)
        creation = decide(
            user.actor, _asked(command, code, series is not None), meetings, series,
            organisation, known, now,
        )  # fmt: skip
    except RuleViolation as refusal:
        return Preview([], {}, problems=refusal.problems)
    by_id = {room.id: room for room in rooms}
    zone = rooms[0].zone
    conflicts = await current_conflicts(creation.placements)
    taken: dict[date, list[Conflict]] = {}
    for conflict in conflicts:
        day = local_date(conflict.wanted.meeting.start, zone)
        taken.setdefault(day, []).append(conflict)
    refused = {s.day: s.reason for s in creation.skipped}
    named = dict(by_id)
    dates: list[DatePreview] = []
    for meeting in meetings:
        day = local_date(meeting.start, zone)
        alternatives = None
        if day in taken and len([d for d in dates if d.conflicts]) < DATES_WITH_SUGGESTIONS:
            alternatives, known_rooms = await suggestions(
                taken[day], by_id, command.expected_attendance, now
            )
            named |= known_rooms
        dates.append(
            DatePreview(
                day=day,
                meeting=meeting,
                zone=zone,
                conflicts=taken.get(day, []),
                refused=refused.get(day),
                alternatives=alternatives,
            )
        )
    return Preview(
        dates,
        named,
        status=creation.status,
        tiers=creation.tiers,
        is_series=series is not None,
    )
