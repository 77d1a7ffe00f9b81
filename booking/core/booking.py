"""A booking request as the use cases work on it: its fields, its state and its slots.

A request has one occurrence ("slot") per room per time span. Its current slots are those that
are neither the proposal of a change waiting for approval nor superseded; a date cancelled or
refused on its own stays among them in that state, and no slot is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from booking.core.access import BookingFacts
from booking.core.conflicts import Placement
from booking.core.errors import NotFound, refused
from booking.core.messages import Message
from booking.core.rooms import RoomFacts
from booking.core.series import Series, SkippedDate, local_date
from booking.core.tiers import TierRole
from booking.core.timespan import TimeSpan, blocked_span
from booking.core.workflow import (
    LIVE,
    PROPOSED,
    STATUS_NAMES,
    SUPERSEDED,
    BookingState,
    Status,
    hold_has_lapsed,
)


@dataclass(frozen=True, slots=True)
class Slot:
    """One stored occurrence: a room for a span of time, in a state."""

    id: int
    room_id: int
    room_code: str
    building_id: int
    zone: str
    meeting: TimeSpan
    blocked: TimeSpan
    status: str  # a Status, PROPOSED or SUPERSEDED

    @property
    def placement(self) -> Placement:
        return Placement(self.room_id, self.meeting, self.blocked)

    @property
    def local_day(self) -> date:
        return local_date(self.meeting.start, self.zone)


@dataclass(frozen=True, slots=True)
class BookingFields:
    """The requester's own fields of a request, already checked."""

    title: str
    description: str
    organisation_id: int | None
    organiser_name: str
    contact_email: str
    contact_phone: str
    expected_attendance: int
    is_public: bool
    paid_rental: bool = False


# The fields a requester may change by an edit, besides the time and rooms.
EDITABLE_FIELDS = (
    "title",
    "description",
    "expected_attendance",
    "organiser_name",
    "contact_email",
    "contact_phone",
    "is_public",
    "paid_rental",
)


@dataclass(frozen=True, slots=True)
class WaitingValues:
    """What a change waiting for approval sets besides its slots, once approved."""

    paid_rental: bool | None = None
    series: Series | None = None
    skipped_dates: tuple[SkippedDate, ...] | None = None

    def as_values(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in (
                ("paid_rental", self.paid_rental),
                ("series", self.series),
                ("skipped_dates", self.skipped_dates),
            )
            if value is not None
        }


@dataclass(frozen=True, slots=True)
class Booking:
    id: int
    fields: BookingFields
    organisation_code: str | None
    organisation_kind: str | None
    requested_by: int | None
    requested_by_name: str | None
    status: Status
    version: int
    required_tiers: tuple[TierRole, ...]
    tiers_done: int
    hold_until: datetime | None
    change_pending: bool
    # The slots a change waiting for approval replaces; None: every current one.
    change_supersedes: frozenset[int] | None
    change_values: WaitingValues
    setup_override: timedelta | None
    teardown_override: timedelta | None
    series: Series | None
    skipped_dates: tuple[SkippedDate, ...]
    created_at: datetime
    updated_at: datetime
    occurrences: tuple[Slot, ...]  # current slots, dates dropped on their own included
    proposed: tuple[Slot, ...] = field(default=())  # the slots of a change waiting

    @property
    def live(self) -> list[Slot]:
        """The slots that still count: not cancelled or rejected on their own."""
        return [o for o in self.occurrences if o.status in LIVE]

    @property
    def _held(self) -> Sequence[Slot]:
        # A request with no live date left (each cancelled or refused on its own) is judged by
        # the dates it had.
        return self.live or self.occurrences

    def room_ids(self) -> list[int]:
        return list(dict.fromkeys(o.room_id for o in self._held))

    @property
    def facts(self) -> BookingFacts:
        """For deciding: while a change waits, the proposed rooms' managers decide on it."""
        return self._facts_of(self.proposed or self._held)

    @property
    def seen_facts(self) -> BookingFacts:
        """For who may read it: the managers of every room it has or would have."""
        return self._facts_of((*self.occurrences, *self.proposed))

    @property
    def held_facts(self) -> BookingFacts:
        """For what acts on the rooms the booking holds now (cancelling, their buffers),
        whatever change may be waiting."""
        return self._facts_of(self._held)

    def _facts_of(self, slots: Iterable[Slot]) -> BookingFacts:
        rooms = {(o.room_id, o.building_id) for o in slots}
        return BookingFacts.of(
            self.fields.organisation_id, self.requested_by, self.fields.is_public, rooms
        )

    @property
    def state(self) -> BookingState:
        return BookingState(
            status=self.status,
            version=self.version,
            required_tiers=self.required_tiers,
            tiers_done=self.tiers_done,
            change_pending=self.change_pending,
            hold_until=self.hold_until,
            last_end=max((o.meeting.end for o in self._held), default=None),
        )

    @property
    def approved_dates(self) -> list[Slot]:
        """Dates approved on their own while the request as a whole is not."""
        if self.status is Status.APPROVED:
            return []
        return [o for o in self.live if o.status == Status.APPROVED]

    @property
    def external(self) -> bool:
        return self.organisation_kind == "external"

    def placement_in(self, room: RoomFacts, meeting: TimeSpan) -> Placement:
        """A new slot of this booking in `room`, with the booking's own buffers if an approver
        set them."""
        setup = room.setup if self.setup_override is None else self.setup_override
        teardown = room.teardown if self.teardown_override is None else self.teardown_override
        return Placement(room.id, meeting, blocked_span(meeting, setup, teardown))

    def replaced_by_change(self) -> set[int]:
        """The slots a change waiting for approval would replace."""
        if not self.change_pending:
            return set()
        if self.change_supersedes is not None:
            return set(self.change_supersedes)
        return {o.id for o in self.live}

    def date_of(self, occurrence_id: int) -> tuple[date, list[Slot]]:
        """The local date of an occurrence, and every live occurrence of the request that
        day (one per room)."""
        found = next((o for o in self.occurrences if o.id == occurrence_id), None)
        if found is None:
            raise NotFound("occurrence", field="occurrence")
        if found.status not in LIVE:
            status = STATUS_NAMES[Status(found.status)]
            raise refused("occurrence", Message("dates.already", status=status))
        return found.local_day, slots_by_day(self.live).get(found.local_day, [])

    def placements(self, proposed: bool = False) -> list[Placement]:
        return [o.placement for o in (self.proposed if proposed else self.live)]

    def as_of(self, now: datetime) -> Booking:
        """The request as everybody must see it at `now`: a hold whose time is up has lapsed
        (the request is pending again) even before a sweep has written so."""
        if not hold_has_lapsed(self.state, now):
            return self
        return replace(
            self,
            status=Status.PENDING,
            hold_until=None,
            occurrences=tuple(
                replace(o, status=Status.PENDING.value) if o.status == Status.HELD else o
                for o in self.occurrences
            ),
        )


def current_and_proposed(slots: Iterable[Slot]) -> tuple[tuple[Slot, ...], tuple[Slot, ...]]:
    """A request's stored slots as it is worked on: its current ones (dates cancelled or
    refused on their own included), and those of a change waiting for approval. Superseded
    slots are history only."""
    found = list(slots)
    current = tuple(o for o in found if o.status not in (PROPOSED, SUPERSEDED))
    return current, tuple(o for o in found if o.status == PROPOSED)


def slots_by_day(slots: Sequence[Slot]) -> dict[date, list[Slot]]:
    by_day: dict[date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.local_day, []).append(slot)
    return by_day
