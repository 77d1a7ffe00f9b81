"""What anyone may read without an account: the buildings and their rooms, each room's week,
the public events.

Only what the public availability API shows is shown here: a booking's title only when its
requester made the event public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from booking.core.catalogue import RoomDetails
from booking.core.errors import NotFound
from booking.core.timespan import TimeSpan
from booking.core.workflow import Status
from booking.feeds.links import building_path, events_path, room_path
from booking.pages.forms import day_typed
from booking.pages.subscribe import public_feed
from booking.rooms import availability, catalogue, rules
from booking.rooms.equipment_names import equipment_names
from booking.settings import Settings
from booking.web.language import current_texts
from booking.web.rendering import page

MONTHS_AHEAD = 24


def initials(name: str) -> str:
    """Up to two letters for a room's placeholder picture, of its first and last words that
    say something: "Aula Magna" AM, "Sala de seminar 3" S3, "Spațiul expozițional" SE."""
    words = [w for w in name.split() if len(w) > 2 or w[:1].isdigit()] or name.split()
    chosen = words[:1] + words[1:][-1:]
    return "".join(w[0] for w in chosen).upper()


def _room_card(room: RoomDetails) -> dict[str, Any]:
    facts = room.facts
    return {
        "code": facts.code,
        "name": facts.name,
        "initials": initials(facts.name),
        "building_id": facts.building_id,
        "building_code": room.building_code,
        "building_name": room.building_name_in(current_texts().language),
        "capacity": facts.capacity,
        "equipment": equipment_names(facts.equipment),
        "description": room.description,
        "setup": int(facts.setup.total_seconds() // 60),
        "teardown": int(facts.teardown.total_seconds() // 60),
    }


async def _room_by_code(code: str) -> RoomDetails:
    for room in await catalogue.active_rooms():
        if room.facts.code.casefold() == code.casefold():
            return room
    raise NotFound("room")


def _monday(asked: str | None, today: date) -> date:
    day = (day_typed(asked) if asked else None) or today
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class DayItem:
    kind: str  # "booked", "held", "requested", "closed"
    start: datetime
    end: datetime
    whole_day: bool
    title: str | None


def _on_day(span: TimeSpan, day: TimeSpan) -> tuple[datetime, datetime, bool] | None:
    if not span.overlaps(day):
        return None
    start, end = max(span.start, day.start), min(span.end, day.end)
    return start, end, start == day.start and end == day.end


def _day_span(day: date, zone: ZoneInfo) -> TimeSpan:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return TimeSpan(start.astimezone(UTC), end.astimezone(UTC))


def _opening(hours: list[Any], weekday: int) -> list[str] | None:
    """The day's opening hours as text ("08:00–22:00"), [] if closed all day, None if the room
    keeps no hours (open at all times)."""
    if not hours:
        return None
    windows = sorted(h.window for h in hours if h.weekday == weekday)
    return [f"{o // 60:02d}:{o % 60:02d}–{c // 60:02d}:{c % 60:02d}" for o, c in windows]


class VisitorPages(Controller):
    include_in_schema = False

    @get("/rooms")
    async def rooms(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Template:
        rooms = await catalogue.active_rooms()
        buildings = await catalogue.list_buildings()
        feeds = {b.code: public_feed(settings.base_url, building_path(b.code)) for b in buildings}
        return page(
            request,
            "visitors/rooms.html.j2",
            {
                "buildings": buildings,
                "rooms": [_room_card(room) for room in rooms],
                "feeds": feeds,
            },
        )

    @get("/buildings/{code:str}")
    async def building(self, code: FromPath[str]) -> Redirect:
        """A building is a part of the rooms' page."""
        for building in await catalogue.list_buildings():
            if building.code.casefold() == code.casefold():
                return Redirect(f"/rooms#building-{building.code}", status_code=303)
        raise NotFound("building")

    @get("/rooms/{code:str}")
    async def room(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        room = await _room_by_code(code)
        zone = ZoneInfo(room.facts.zone)
        today = now.astimezone(zone).date()
        monday = _monday(request.query_params.get("week"), today)
        start = datetime.combine(monday, time(0))
        schedule = await availability.room_availability(
            room.facts.id, start, start + timedelta(days=7), now
        )
        room_rules = await rules.room_rules(room.facts.id)
        days = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            span = _day_span(day, zone)
            items = []
            for kind, occupations in (("booked", schedule.busy), ("requested", schedule.requested)):
                for occupation in occupations:
                    on_day = _on_day(occupation.meeting, span)
                    if on_day is not None:
                        shown = "held" if occupation.status == Status.HELD else kind
                        items.append(DayItem(shown, *on_day, occupation.public_title))
            for blackout in schedule.closed:
                on_day = _on_day(blackout.span, span)
                if on_day is not None:
                    items.append(DayItem("closed", *on_day, blackout.reason))
            items.sort(key=lambda item: (item.start, item.kind))
            days.append(
                {
                    "date": day,
                    "today": day == today,
                    "opening": _opening(list(room_rules.hours), day.weekday()),
                    "entries": items,
                }
            )
        context = {
            "room": _room_card(room),
            "zone": zone,
            "days": days,
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "this_week": monday == today - timedelta(days=today.weekday()),
            "feed": public_feed(settings.base_url, room_path(room.facts.code)),
        }
        return page(request, "visitors/room.html.j2", context)

    @get("/events")
    async def events(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        zone = settings.default_zone
        today = now.astimezone(zone).date()
        this_month = today.replace(day=1)
        month = this_month
        asked = request.query_params.get("month")
        if asked:
            month = day_typed(f"{asked}-01") or this_month
        next_month = (month + timedelta(days=32)).replace(day=1)
        first = max(month, today)
        events: dict[date, list[dict[str, Any]]] = {}
        if first < next_month:
            schedules = await availability.every_building_availability(
                datetime.combine(first, time(0)), datetime.combine(next_month, time(0)), zone, now
            )
            for schedule in schedules:
                building = schedule.building
                for room in schedule.rooms:
                    for occupation in room.busy:
                        # Approved and made public by its requester: nothing else shows.
                        if occupation.status != Status.APPROVED or not occupation.public_title:
                            continue
                        start = occupation.meeting.start.astimezone(zone)
                        events.setdefault(start.date(), []).append(
                            {
                                "title": occupation.public_title,
                                "start": occupation.meeting.start,
                                "end": occupation.meeting.end,
                                "room_code": room.room.code,
                                "room_name": room.room.name,
                                "building": building,
                            }
                        )
        for day_events in events.values():
            day_events.sort(key=lambda event: (event["start"], event["room_code"]))
        previous_month = (month - timedelta(days=1)).replace(day=1)
        latest = (today + timedelta(days=31 * MONTHS_AHEAD)).replace(day=1)
        locale = current_texts().locale
        context = {
            "zone": zone,
            "days": sorted(events.items()),
            "month_name": format_date(month, "LLLL y", locale=locale),
            "month": month,
            "previous_month": previous_month if previous_month >= this_month else None,
            "next_month": next_month if next_month <= latest else None,
            "previous_name": format_date(previous_month, "LLLL y", locale=locale),
            "next_name": format_date(next_month, "LLLL y", locale=locale),
            "feed": public_feed(settings.base_url, events_path()),
            "building_feeds": [
                (building, public_feed(settings.base_url, events_path(building.code)))
                for building in await catalogue.list_buildings()
            ],
        }
        return page(request, "visitors/events.html.j2", context)
