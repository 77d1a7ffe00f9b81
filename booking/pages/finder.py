"""The home page and the room finder: when, how many people and where, answered with the rooms
free then, best fits first.

The finder is a GET form, so an answer has an address to share
(`/?date=2027-01-20&start=14:00&end=16:00&people=40&building=CC`); htmx asks for the same
address and gets the form and its answer alone (`finder/_finder.html.j2`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from booking.api.validation import CLOSING_TIME_PATTERN
from booking.core.errors import RuleViolation
from booking.core.messages import Message
from booking.pages.forms import day_typed, field_errors
from booking.rooms import catalogue
from booking.rooms.equipment_names import equipment_name, equipment_names
from booking.rooms.search import RoomSearch, SearchAnswer, search_rooms_explained
from booking.settings import Settings
from booking.web.language import current_texts
from booking.web.rendering import is_fragment_request, page
from booking.web.templates import said

# "All day" asks for the rooms free through a working day.
ALL_DAY = (time(8, 0), time(20, 0))
MOST_PEOPLE = 100_000
FIELDS = ("date", "start", "end", "people", "building")


@dataclass
class FinderQuery:
    """What the finder was asked, as typed (to show it again), and what it means."""

    typed: dict[str, str]
    equipment: list[str]
    all_day: bool
    asked: bool  # the form was sent: answer it
    errors: dict[str, str] = field(default_factory=dict)
    day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    people: int | None = None
    building_id: int | None = None


def _clock(text: str) -> time | None:
    """A wall-clock time typed as HH:MM, as opening hours take it (24:00 is the end of the
    day, returned as midnight)."""
    if not re.fullmatch(CLOSING_TIME_PATTERN, text):
        return None
    return time(0) if text == "24:00" else time.fromisoformat(text)


def _read(request: Request[Any, Any, Any], buildings: dict[str, int], today: date) -> FinderQuery:
    params = request.query_params
    typed = {name: (params.get(name) or "").strip() for name in FIELDS}
    query = FinderQuery(
        typed=typed,
        equipment=[e for e in params.getall("equipment", []) if e],
        all_day=params.get("all_day") == "1",
        asked=bool(typed["date"]),
    )
    if not query.asked:
        return query
    errors: dict[str, Message] = {}
    query.day = day_typed(typed["date"])
    if query.day is None:
        errors["date"] = Message("finder.date_invalid")
    else:
        if query.day < today:
            errors["date"] = Message("finder.date_past")
    if query.all_day:
        opens, closes = ALL_DAY
        typed["start"], typed["end"] = f"{opens:%H:%M}", f"{closes:%H:%M}"
    starts, ends = _clock(typed["start"]), _clock(typed["end"])
    if starts is None:
        errors["start"] = Message("finder.time_invalid")
    if ends is None:
        errors["end"] = Message("finder.time_invalid")
    if query.day is not None and starts is not None and ends is not None:
        query.start = datetime.combine(query.day, starts)
        query.end = datetime.combine(query.day, ends)
        if ends == time(0):
            query.end += timedelta(days=1)
        if query.end <= query.start:
            errors["end"] = Message("finder.end_before_start")
    if typed["people"]:
        try:
            query.people = int(typed["people"])
        except ValueError:
            query.people = None
        if query.people is None or not 1 <= query.people <= MOST_PEOPLE:
            errors["people"] = Message("finder.people_invalid", most=MOST_PEOPLE)
    if typed["building"]:
        query.building_id = buildings.get(typed["building"])
        if query.building_id is None:
            errors["building"] = Message("finder.building_unknown")
    query.errors = {name: said(message) for name, message in errors.items()}
    return query


def _sort_key(text: str) -> str:
    """Alphabetical as people expect it: "înregistrare" among the i's, not after z."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


LAST_MINUTE = "23:59"


def _book_link(room_code: str, query: FinderQuery) -> str:
    assert query.start is not None
    assert query.end is not None
    params = {
        "room": room_code,
        "date": f"{query.start:%Y-%m-%d}",
        "start": f"{query.start:%H:%M}",
        # A time field cannot hold 24:00: a search up to midnight asks the form for 23:59.
        "end": LAST_MINUTE if query.end.date() > query.start.date() else f"{query.end:%H:%M}",
    }
    if query.people is not None:
        params["people"] = str(query.people)
    return "/book?" + urlencode(params, safe=":")


def _room(details: Any) -> dict[str, Any]:
    facts = details.facts
    return {
        "code": facts.code,
        "name": facts.name,
        "building_code": details.building_code,
        "building_name": details.building_name_in(current_texts().language),
        "capacity": facts.capacity,
        "equipment": equipment_names(facts.equipment),
        "description": details.description,
    }


class FinderPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        buildings = await catalogue.list_buildings()
        today = now.astimezone(settings.default_zone).date()
        query = _read(request, {b.code: b.id for b in buildings}, today)
        answer: SearchAnswer | None = None
        if query.asked and not query.errors:
            search = RoomSearch(
                building_id=query.building_id,
                min_capacity=query.people,
                equipment=tuple(query.equipment),
                free_start=query.start,
                free_end=query.end,
            )
            try:
                answer = await search_rooms_explained(search, settings.default_zone, now)
            except RuleViolation as refusal:
                names = {"free_start": "start", "free_end": "end"}
                query.errors = field_errors(refusal.problems, names)
        every_room = await catalogue.active_rooms()
        known_equipment = sorted(
            {e for room in every_room for e in room.facts.equipment},
            key=lambda e: _sort_key(said(equipment_name(e))),
        )
        found = []
        passed_over = []
        if answer is not None:
            best_first = sorted(answer.found, key=lambda r: (r.facts.capacity, r.facts.code))
            found = [_room(r) | {"book": _book_link(r.facts.code, query)} for r in best_first]
            passed_over = [
                _room(p.room) | {"reason": p.reason}
                for p in sorted(answer.passed_over, key=lambda p: p.room.facts.code)
            ]
        context = {
            "query": query,
            "typed": query.typed,
            "errors": query.errors,
            "buildings": buildings,
            "equipment_choices": [(e, equipment_name(e)) for e in known_equipment],
            "found": found,
            "passed_over": passed_over,
            "answered": answer is not None,
        }
        if is_fragment_request(request):
            # htmx swaps only a 2xx answer; the fragment carries its errors itself.
            return page(request, "finder/_finder.html.j2", context)
        status = 422 if query.errors else 200
        return page(request, "finder/home.html.j2", context, status_code=status)
