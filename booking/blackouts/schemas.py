"""API shapes of blackouts and of rooms' booking rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from booking.api.record_ids import RecordId

WallClock = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
# A closing time may also be 24:00, the end of the day.
ClosingTime = Annotated[str, msgspec.Meta(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]


class BlackoutCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A closure of one room, one building, or (with neither) everything."""

    start: datetime
    end: datetime
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    building: RecordId | None = None
    room: RecordId | None = None


class BlackoutView(msgspec.Struct):
    id: int
    start: datetime
    end: datetime
    reason: str
    building: int | None
    room: int | None
    imported_uid: str | None


class AffectedOccurrence(msgspec.Struct):
    """An existing booking that a blackout falls on, for its approver to sort out."""

    booking_id: int
    occurrence_id: int
    room_id: int
    room_code: str
    start: datetime
    end: datetime
    status: str
    title: str


class BlackoutSaved(msgspec.Struct):
    blackout: BlackoutView
    affected: list[AffectedOccurrence]


class ImportReport(msgspec.Struct):
    created: int
    updated: int
    unchanged: int
    removed: int  # blackouts of events the calendar now marks cancelled
    blackouts: list[BlackoutView]
    affected: list[AffectedOccurrence]


class OpeningHoursView(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6)]  # 0 = Monday
    opens: WallClock
    closes: ClosingTime


class RoomBookingRules(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """When a room may be booked. No opening hours: at all times. max_advance_days 0: as far
    ahead as any series may reach (two years)."""

    opening_hours: list[OpeningHoursView] = msgspec.field(default_factory=list)
    min_notice_minutes: Annotated[int, msgspec.Meta(ge=0, le=60 * 24 * 90)] = 0
    max_advance_days: Annotated[int, msgspec.Meta(ge=0, le=731)] = 0
