"""API shapes for booking requests. Input shapes forbid unknown fields (no mass assignment)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from booking.api.places import RoomRef
from booking.api.validation import EMAIL_PATTERN, WALL_CLOCK_PATTERN
from booking.core.requests import MAX_ROOMS_PER_REQUEST, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH

# Each room by its id or its code.
RoomIds = Annotated[list[RoomRef], msgspec.Meta(min_length=1, max_length=MAX_ROOMS_PER_REQUEST)]


class RecurrenceSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How a series repeats. `start` and `end` of the request give the first date and the
    wall-clock times of every date. End it with `until` (a date, inclusive) or `count`."""

    frequency: Literal["daily", "weekly", "monthly"]
    interval: int = 1
    # daily: only these weekdays (0 = Monday); weekly: the weekdays; monthly with nth: one.
    weekdays: Annotated[list[int], msgspec.Meta(max_length=7)] = msgspec.field(default_factory=list)
    month_day: int | None = None
    nth: int | None = None  # 1..5, or -1 for the last
    until: date | None = None
    count: int | None = None


class BookingCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A booking request. Times without an offset are wall-clock times in the room's zone."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TITLE_LENGTH)]
    rooms: RoomIds
    start: datetime
    end: datetime
    expected_attendance: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    organiser_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    contact_email: Annotated[str, msgspec.Meta(max_length=254, pattern=EMAIL_PATTERN)]
    contact_phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    description: Annotated[str, msgspec.Meta(max_length=MAX_TEXT_LENGTH)] = ""
    organisation: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    is_public: bool = False
    paid_rental: bool = False
    submit: bool = True  # False keeps it as a draft, to submit later
    recurrence: RecurrenceSpec | None = None
    # For a series: refuse it all if any date is taken, or book the free dates and list the
    # others as skipped.
    on_conflict: Literal["all_or_nothing", "skip"] = "all_or_nothing"
    # A start or end in the fall-back hour happens twice: which one is meant.
    ambiguous: Literal["earlier", "later"] | None = None
    # Managers of the rooms may book outside opening hours, booking windows and blackouts,
    # saying why; the reason is kept in the audit trail.
    override_reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class BookingPreviewAsk(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The rooms and times of a request to check before sending it, as a request gives them;
    nothing is stored."""

    rooms: RoomIds
    start: datetime
    end: datetime
    expected_attendance: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 1
    organisation: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    paid_rental: bool = False
    recurrence: RecurrenceSpec | None = None
    ambiguous: Literal["earlier", "later"] | None = None
    override_reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


Comment = Annotated[str, msgspec.Meta(max_length=MAX_TEXT_LENGTH)]
Version = Annotated[int, msgspec.Meta(ge=1)]


class BookingUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An edit by the requester: only the fields given change. Status, tiers and organisation
    are not fields one can set."""

    version: Version
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TITLE_LENGTH)] | UnsetType = (
        UNSET
    )
    rooms: RoomIds | UnsetType = UNSET
    start: datetime | UnsetType = UNSET
    end: datetime | UnsetType = UNSET
    expected_attendance: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | UnsetType = UNSET
    organiser_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | UnsetType = UNSET
    contact_email: (
        Annotated[str, msgspec.Meta(max_length=254, pattern=EMAIL_PATTERN)] | UnsetType
    ) = UNSET
    contact_phone: Annotated[str, msgspec.Meta(max_length=40)] | UnsetType = UNSET
    description: Annotated[str, msgspec.Meta(max_length=MAX_TEXT_LENGTH)] | UnsetType = UNSET
    is_public: bool | UnsetType = UNSET
    paid_rental: bool | UnsetType = UNSET
    comment: Comment = ""
    # Managers of the rooms may move it outside opening hours, windows and blackouts.
    override_reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class VersionedAction(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An action on a booking; `version` is the version the caller saw, for optimistic locking."""

    version: Version
    comment: Comment = ""


class Submission(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Submit a draft or resubmit a request sent back; the rooms' managers may override the
    rooms' rules with a reason."""

    version: Version
    comment: Comment = ""
    override_reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class AuditEntryView(msgspec.Struct):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    from_status: str
    to_status: str
    version: int
    comment: str
    changes: dict[str, Any]
    details: dict[str, Any]


class OccurrenceView(msgspec.Struct):
    id: int
    room_id: int
    room_code: str
    start: datetime
    end: datetime
    blocked_from: datetime
    blocked_until: datetime
    status: str


class SkippedDate(msgspec.Struct):
    date: date
    reason: str


class BookingView(msgspec.Struct):
    id: int
    title: str
    description: str
    organisation: str | None
    requested_by: int | None
    requested_by_name: str | None
    organiser_name: str
    contact_email: str | None  # None: hidden from this reader
    contact_phone: str | None
    expected_attendance: int
    is_public: bool
    paid_rental: bool
    status: str
    version: int
    required_tiers: list[str]
    tiers_done: int
    awaiting_tier: str | None
    hold_until: datetime | None
    change_pending: bool
    created_at: datetime
    updated_at: datetime
    occurrences: list[OccurrenceView]
    proposed_occurrences: list[OccurrenceView]
    allowed_actions: list[str]
    recurrence: dict[str, Any] | None = None
    skipped_dates: list[SkippedDate] = msgspec.field(default_factory=list)


class ConflictView(msgspec.Struct):
    """An existing occurrence that collides with a requested room and time."""

    room_id: int
    room_code: str
    requested_start: datetime
    requested_end: datetime
    occurrence_id: int
    booking_id: int
    start: datetime
    end: datetime
    blocked_from: datetime
    blocked_until: datetime
    status: str
    title: str | None


class DateMove(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new time for one date; without an offset, wall-clock times in the building's zone."""

    version: Version
    start: datetime
    end: datetime
    comment: Comment = ""
    override_reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


# A wall-clock time as people write it: 09:30, 14:00.
WallClock = Annotated[str, msgspec.Meta(pattern=WALL_CLOCK_PATTERN)]


class DateRestore(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Take back a skipped date, with the times and rooms the series has that day."""

    version: Version
    ambiguous: Literal["earlier", "later"] | None = None
    comment: Comment = ""
    override_reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class FollowingChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """New wall-clock times and/or rooms for a date of a series and every later one."""

    version: Version
    start_time: WallClock | None = None
    end_time: WallClock | None = None
    rooms: RoomIds | None = None
    ambiguous: Literal["earlier", "later"] | None = None
    comment: Comment = ""
    override_reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class Decision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A decision on the version of the request the approver saw."""

    version: Version
    comment: Comment = ""


class HoldPlacement(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Hold the rooms until `until` (at most 30 days); then the request is pending again."""

    version: Version
    until: datetime
    comment: Comment = ""


class BufferChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Minutes of setup before and teardown after every date of the booking; null returns to
    the rooms' own. The reason is kept in the audit trail."""

    version: Version
    setup_minutes: int | None
    teardown_minutes: int | None
    reason: str


class ProblemView(msgspec.Struct):
    field: str
    message: str


class DatePreviewView(msgspec.Struct):
    """One date asked for: `free`, `taken` (the `conflicts`, and `alternatives` as a 409
    gives them) or `refused` by the rooms' rules (`reason`)."""

    date: date
    start: datetime
    end: datetime
    state: Literal["free", "taken", "refused"]
    reason: str | None
    conflicts: list[ConflictView]
    alternatives: dict[str, Any] | None


class PreviewView(msgspec.Struct):
    """What sending the request now would meet. `clear`: every date free and no problem;
    `problems`: why it would be refused as a whole; `status` and `required_tiers`: what it
    would be once created."""

    clear: bool
    status: str | None
    required_tiers: list[str]
    dates: list[DatePreviewView]
    problems: list[ProblemView]
