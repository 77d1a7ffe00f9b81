"""API shapes of blackouts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from booking.api.places import BuildingRef, RoomRef


class BlackoutCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A closure of one room, one building, or (with neither) everything."""

    start: datetime
    end: datetime
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    building: BuildingRef | None = None
    room: RoomRef | None = None


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
