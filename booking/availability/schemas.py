"""API shapes for availability. Busy spans show a title only for public events."""

from __future__ import annotations

from datetime import datetime

import msgspec


class BusySpan(msgspec.Struct):
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
