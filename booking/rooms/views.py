"""The API's views of the catalogue, availability, booking rules and tiers, in each building's
local time."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from booking.core.booking_rules import MIDNIGHT, OpeningHours, RoomRules, clock
from booking.core.catalogue import Building, RoomDetails
from booking.core.conflicts import Occupation
from booking.core.tiers import TierCondition, TierRole, TierRule
from booking.rooms.availability import BuildingSchedule, RoomSchedule
from booking.rooms.rules import BookingWindows
from booking.rooms.schemas import (
    BuildingAvailability,
    BuildingRef,
    BuildingView,
    BusySpan,
    ClosedSpan,
    OpeningHoursView,
    RoomAvailability,
    RoomBookingRules,
    RoomView,
    TierSetting,
)


def building_view(building: Building) -> BuildingView:
    return msgspec.convert(building, BuildingView, from_attributes=True)


def room_view(room: RoomDetails) -> RoomView:
    facts = room.facts
    return RoomView(
        id=facts.id,
        code=facts.code,
        name=facts.name,
        building=BuildingRef(facts.building_id, room.building_code, room.building_name),
        capacity=facts.capacity,
        equipment=sorted(facts.equipment),
        setup_minutes=int(facts.setup.total_seconds() // 60),
        teardown_minutes=int(facts.teardown.total_seconds() // 60),
        instant_book=facts.instant_book,
        active=facts.active,
        description=room.description,
        is_demo=room.is_demo,
    )


def _busy(occupation: Occupation, zone: ZoneInfo) -> BusySpan:
    return BusySpan(
        start=occupation.meeting.start.astimezone(zone),
        end=occupation.meeting.end.astimezone(zone),
        blocked_from=occupation.blocked.start.astimezone(zone),
        blocked_until=occupation.blocked.end.astimezone(zone),
        status=occupation.status,
        title=occupation.public_title,
    )


def room_availability_view(schedule: RoomSchedule) -> RoomAvailability:
    room, zone = schedule.room, ZoneInfo(schedule.room.zone)
    return RoomAvailability(
        room_id=room.id,
        room_code=room.code,
        zone=room.zone,
        start=schedule.span.start.astimezone(zone),
        end=schedule.span.end.astimezone(zone),
        busy=[_busy(o, zone) for o in schedule.busy],
        requested=[_busy(o, zone) for o in schedule.requested],
        closed=[
            ClosedSpan(b.span.start.astimezone(zone), b.span.end.astimezone(zone), b.reason)
            for b in schedule.closed
        ],
    )


def building_availability_view(schedule: BuildingSchedule) -> BuildingAvailability:
    zone = ZoneInfo(schedule.building.zone)
    return BuildingAvailability(
        building_id=schedule.building.id,
        building_code=schedule.building.code,
        start=schedule.span.start.astimezone(zone),
        end=schedule.span.end.astimezone(zone),
        rooms=[room_availability_view(room) for room in schedule.rooms],
    )


def rules_view(rules: RoomRules) -> RoomBookingRules:
    return RoomBookingRules(
        opening_hours=[
            OpeningHoursView(weekday=h.weekday, opens=f"{h.opens:%H:%M}", closes=clock(h.closes))
            for h in sorted(rules.hours, key=lambda h: (h.weekday, h.opens))
        ],
        min_notice_minutes=int(rules.min_notice.total_seconds() // 60),
        max_advance_days=rules.max_advance.days if rules.max_advance else 0,
    )


def hours_of(data: RoomBookingRules) -> list[OpeningHours]:
    return [
        OpeningHours(
            h.weekday,
            time.fromisoformat(h.opens),
            MIDNIGHT if h.closes == "24:00" else time.fromisoformat(h.closes),
        )
        for h in data.opening_hours
    ]


def windows_of(data: RoomBookingRules) -> BookingWindows:
    return BookingWindows(
        min_notice=timedelta(minutes=data.min_notice_minutes),
        max_advance=timedelta(days=data.max_advance_days) if data.max_advance_days else None,
    )


def tier_settings(rules: list[TierRule]) -> list[TierSetting]:
    return [TierSetting(role=r.role.value, condition=r.condition.value) for r in rules]


def tier_rules(data: list[TierSetting]) -> list[TierRule]:
    return [TierRule(TierRole(t.role), TierCondition(t.condition)) for t in data]
