"""The resource calendar of a building: its rooms as columns for a day, as rows on a week.

The page itself is a list per room rendered here (the phone, keyboard and no-script view);
calendar.js draws the graphical calendar beside it from /calendar/<building>/data, the same
arrangement (pages.calendar_view) as JSON. Selecting a free span leads to the booking form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from booking.core.catalogue import Building
from booking.core.errors import NotFound
from booking.core.messages import Message
from booking.core.timespan import TimeSpan
from booking.core.workflow import STATUS_NAMES, Status
from booking.feeds.links import building_path
from booking.pages.calendar_view import (
    PROPOSED_LENGTH,
    BuildingCalendar,
    Item,
    RoomCalendar,
    building_calendar,
)
from booking.pages.forms import day_typed, within_years
from booking.pages.subscribe import public_feed
from booking.rooms import availability, catalogue
from booking.settings import Settings
from booking.web.rendering import current_user, page
from booking.web.templates import said

VIEWS = {"day": 1, "week": 7}
# The graphical calendar's view of each: rooms as columns for a day, as rows on a week.
CALENDAR_VIEWS = {"day": "resourceTimeGridDay", "week": "resourceTimelineWeek"}
# The data endpoint answers for this many days at most (the availability query's limit).
LONGEST_DATA_RANGE = availability.MAX_RANGE.days


async def _building(code: str) -> Building:
    for building in await catalogue.list_buildings():
        if building.code.casefold() == code.casefold():
            return building
    raise NotFound("building")


def _first_day(day: date, view: str) -> date:
    return day - timedelta(days=day.weekday()) if view == "week" else day


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def _clock(moment: datetime, zone: ZoneInfo, day: date) -> str:
    """HH:MM on `day`'s clock; the midnight ending it is 24:00."""
    local = _local(moment, zone)
    return "24:00" if local.date() > day else f"{local:%H:%M}"


def day_times(item: Item, day: date, zone: ZoneInfo, start_only: bool = False) -> str:
    """The part of `day` an item covers, on the building's clock: 08:00–24:00."""
    start = max(_local(item.span.start, zone), datetime.combine(day, time(0), zone))
    begins = "00:00" if start.date() < day else f"{start:%H:%M}"
    if start_only:
        return begins
    return f"{begins}–{_clock(item.span.end, zone, day)}"


def book_link(room_code: str, span: TimeSpan, zone: ZoneInfo) -> str:
    """The booking form for a meeting in the room at the start of a free period."""
    day = _local(span.start, zone).date()
    end = min(span.end, span.start + PROPOSED_LENGTH)
    query = {
        "room": room_code,
        "date": day.isoformat(),
        "start": _clock(span.start, zone, day),
        # A time field cannot hold 24:00: a free period up to midnight asks for 23:59.
        "end": _clock(end, zone, day).replace("24:00", "23:59"),
    }
    return "/book?" + urlencode(query, safe=":")


def item_label(item: Item) -> str:
    """What an item is, in words: the status for what holds a room and a waiting request."""
    if item.kind == "busy" and item.status == Status.HELD:
        return said(Message("calendar_page.held"))
    if item.kind == "busy":
        return said(Message("calendar_page.busy"))
    if item.kind == "mine":
        return said(STATUS_NAMES[Status(item.status or Status.PENDING)])
    return said(
        {
            "closure": Message("calendar_page.closure"),
            "closed": Message("calendar_page.closed_hours"),
            "free": Message("calendar_page.free"),
        }[item.kind]
    )


def event_title(item: Item) -> str:
    """The text on the graphical calendar's block: the kind in words (not colour alone), and
    the title where the caller may read it."""
    label = item_label(item)
    if item.kind == "mine":
        return said(Message("calendar_page.event_mine", status=label, title=item.title or ""))
    if item.kind == "busy" and item.own:
        return said(Message("calendar_page.event_own", status=label, title=item.title or ""))
    if item.kind == "closure":
        return said(Message("calendar_page.event_closure", status=label, title=item.title or ""))
    if item.title:
        return said(Message("calendar_page.event_titled", status=label, title=item.title))
    return label


def _wall(moment: datetime, zone: ZoneInfo) -> str:
    # Floating local times: the calendar shows the building's clock wherever the browser is.
    return _local(moment, zone).strftime("%Y-%m-%dT%H:%M:%S")


def _event(item: Item, room: RoomCalendar, zone: ZoneInfo) -> dict[str, Any]:
    event: dict[str, Any] = {
        "resourceId": room.room.code,
        "start": _wall(item.span.start, zone),
        "end": _wall(item.span.end, zone),
        "title": event_title(item),
        "classNames": [f"cal-{item.kind}"] + (["cal-own"] if item.own else []),
        "extendedProps": {
            "kind": item.kind,
            "status": item.status,
            "own": item.own,
            "title": item.title,
            "booking": item.booking_id if item.own else None,
        },
    }
    if item.kind == "closed":
        event["display"] = "background"
        event["title"] = ""
    return event


def calendar_events(calendar: BuildingCalendar) -> list[dict[str, Any]]:
    """Every item but the free periods, once each (a span across midnight is in two days)."""
    events = []
    for room in calendar.rooms:
        seen: set[Item] = set()
        for day in room.days:
            for item in day.items:
                if item.kind != "free" and item not in seen:
                    seen.add(item)
                    events.append(_event(item, room, calendar.zone))
    return events


def calendar_resources(calendar: BuildingCalendar) -> list[dict[str, Any]]:
    return [
        {
            "id": room.room.code,
            "title": said(
                Message(
                    "calendar_page.resource",
                    name=room.room.name,
                    code=room.room.code,
                    capacity=room.room.capacity,
                )
            ),
        }
        for room in calendar.rooms
    ]


@dataclass(frozen=True, slots=True)
class Navigation:
    view: str
    day: date
    previous: date
    next: date
    today: date

    def href(self, building: Building, day: date, view: str | None = None) -> str:
        query = urlencode({"date": day.isoformat(), "view": view or self.view})
        return f"/calendar/{building.code}?{query}"


class CalendarPages(Controller):
    include_in_schema = False

    @get("/calendar")
    async def buildings(self, request: Request[Any, Any, Any]) -> Template:
        buildings = await catalogue.list_buildings()
        return page(request, "calendar/buildings.html.j2", {"buildings": buildings})

    @get("/calendar/{code:str}")
    async def building(
        self,
        request: Request[Any, Any, Any],
        now: NamedDependency[datetime],
        settings: NamedDependency[Settings],
        code: FromPath[str],
        day_asked: Annotated[str | None, QueryParameter(name="date")] = None,
        view: FromQuery[str] = "day",
    ) -> Template:
        building = await _building(code)
        zone = ZoneInfo(building.zone)
        today = _local(now, zone).date()
        view = view if view in VIEWS else "day"
        bad_date = False
        day = day_typed(day_asked) if day_asked else today
        if day is None:
            day, bad_date = today, True
        first = _first_day(day, view)
        step = timedelta(days=VIEWS[view])
        calendar = await building_calendar(building, first, VIEWS[view], current_user(request), now)
        opens, closes = calendar.visible_hours()
        config = {
            "view": CALENDAR_VIEWS[view],
            "date": day.isoformat(),
            "data_url": f"/calendar/{building.code}/data",
            "resources": json.dumps(calendar_resources(calendar), ensure_ascii=False),
            "slot_min": f"{opens:02d}:00",
            "slot_max": f"{closes:02d}:00",
        }
        return page(
            request,
            "calendar/building.html.j2",
            {
                "building": building,
                "calendar": calendar,
                "zone": zone,
                "nav": Navigation(view, day, first - step, first + step, today),
                "bad_date": bad_date,
                "config": config,
                "item_label": item_label,
                "book_link": book_link,
                "day_times": partial(day_times, zone=zone),
                "today": today,
                "feed": public_feed(settings.base_url, building_path(building.code)),
            },
        )

    @get("/calendar/{code:str}/data")
    async def data(
        self,
        request: Request[Any, Any, Any],
        now: NamedDependency[datetime],
        code: FromPath[str],
        start: FromQuery[datetime],
        end: FromQuery[datetime],
    ) -> dict[str, Any]:
        """The rooms and what the calendar draws between `start` and `end` (the building's
        local times, the days they touch), as the caller may see them."""
        building = await _building(code)
        zone = ZoneInfo(building.zone)
        first = within_years(_local(start, zone).date() if start.tzinfo else start.date())
        last = within_years((_local(end, zone) if end.tzinfo else end).date())
        if last > first and (_local(end, zone) if end.tzinfo else end).time() == time(0):
            last -= timedelta(days=1)  # an end at midnight does not touch the day it starts
        days = min(max((last - first).days + 1, 1), LONGEST_DATA_RANGE)
        calendar = await building_calendar(building, first, days, current_user(request), now)
        return {
            "building": building.code,
            "zone": building.zone,
            "resources": calendar_resources(calendar),
            "events": calendar_events(calendar),
        }
