"""API shapes of buildings, rooms, their availability, their booking rules and tiers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from booking.api.validation import CLOSING_TIME_PATTERN, WALL_CLOCK_PATTERN


class BuildingView(msgspec.Struct):
    id: int
    code: str
    name: str
    name_en: str
    zone: str
    address: str
    is_demo: bool


class BuildingRef(msgspec.Struct):
    id: int
    code: str
    name: str


class RoomView(msgspec.Struct):
    id: int
    code: str
    name: str
    building: BuildingRef
    capacity: int
    equipment: list[str]
    setup_minutes: int
    teardown_minutes: int
    instant_book: bool
    active: bool
    description: str
    is_demo: bool


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class RoomUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What an administrator may change of a room here; what is left out stays."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    capacity: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=5000)] | msgspec.UnsetType = msgspec.UNSET


class BuildingUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    name_en: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    address: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET


class BusySpan(msgspec.Struct):
    """A span a room is held or asked for; the title only for public events."""

    start: datetime
    end: datetime
    blocked_from: datetime
    blocked_until: datetime
    status: str
    title: str | None


class ClosedSpan(msgspec.Struct):
    """A blackout: the room cannot be booked then."""

    start: datetime
    end: datetime
    reason: str


class RoomAvailability(msgspec.Struct):
    room_id: int
    room_code: str
    zone: str
    start: datetime
    end: datetime
    busy: list[BusySpan]
    requested: list[BusySpan]
    closed: list[ClosedSpan]


class BuildingAvailability(msgspec.Struct):
    building_id: int
    building_code: str
    start: datetime
    end: datetime
    rooms: list[RoomAvailability]


WallClock = Annotated[str, msgspec.Meta(pattern=WALL_CLOCK_PATTERN)]
# A closing time may also be 24:00, the end of the day.
ClosingTime = Annotated[str, msgspec.Meta(pattern=CLOSING_TIME_PATTERN)]


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


class TierSetting(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    role: Literal["room_manager", "finance"]
    condition: Literal["always", "external_or_paid"] = "always"
