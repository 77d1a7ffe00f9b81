"""The booking form: when and where, about the event, organiser and contact, check, sent.

Everything typed travels with the form: each step shows its own fields and carries the others
as hidden fields, so a plain POST moves between steps and nothing is lost. Step 1 is checked
while the user types (htmx posts to /book/check) by the same use case the JSON API's preview
runs; sending creates the request exactly as POST /api/bookings does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from booking.accounts import users
from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_login
from booking.api.validation import EMAIL_PATTERN, WALL_CLOCK_PATTERN, problems
from booking.bookings import creating, previewing, reading
from booking.bookings.controllers import create_command
from booking.bookings.previewing import Preview, PreviewBooking
from booking.bookings.schemas import BookingCreate
from booking.core.catalogue import RoomDetails
from booking.core.conflicts import Conflict
from booking.core.errors import BookingConflict, FieldProblem, RuleViolation
from booking.core.messages import Message
from booking.core.recurrence import Frequency, Rule
from booking.pages.forms import day_typed, field_errors
from booking.rooms import catalogue as room_catalogue
from booking.settings import Settings
from booking.web import formatting
from booking.web.language import current_texts
from booking.web.rendering import page
from booking.web.templates import said

STEPS = (
    Message("form.step_when"),
    Message("form.step_event"),
    Message("form.step_organiser"),
    Message("form.step_check"),
)
# The form's fields, by the step that asks them; `room` and `skip` may repeat.
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("room", "date", "start", "end", "repeat", "interval", "ends", "until", "count", "skip"),
    2: ("title", "description", "attendance", "visibility"),
    3: ("organiser_name", "contact_email", "contact_phone", "organisation", "paid"),
}
LISTS = ("room", "skip")
# The service's names of the request's fields, as the form names them.
FORM_NAMES = {
    "rooms": "room",
    "expected_attendance": "attendance",
    "is_public": "visibility",
    "paid_rental": "paid",
    "recurrence": "repeat",
    "recurrence.interval": "interval",
    "recurrence.until": "until",
    "recurrence.count": "count",
    "recurrence.weekdays": "repeat",
    "recurrence.month_day": "repeat",
    "recurrence.frequency": "repeat",
}
_INDEX = re.compile(r"\[\d+\]")
FREQUENCIES = ("daily", "weekly", "monthly")
MISSING_TIME = {"start": Message("form.start_missing"), "end": Message("form.end_missing")}


def step_of(name: str) -> int:
    return next((step for step, names in STEP_FIELDS.items() if name in names), 4)


@dataclass
class Draft:
    """What the user has typed so far, as text, exactly as typed."""

    values: dict[str, str] = field(default_factory=dict)
    rooms: list[str] = field(default_factory=list)  # room codes
    skip: list[str] = field(default_factory=list)  # ISO dates a series leaves out
    # The service's checks of these answers made while answering this request, by what was
    # asked: every step's checks and the page shown afterwards ask the same once.
    previews: dict[PreviewBooking, Preview] = field(default_factory=dict, compare=False)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def hidden(self, step: int) -> list[tuple[str, str]]:
        """The fields of the other steps, to carry along as hidden inputs."""
        shown = STEP_FIELDS.get(step, ())
        carried = [(n, v) for n, v in self.values.items() if n not in shown and v != ""]
        for name, values in (("room", self.rooms), ("skip", self.skip)):
            if name not in shown:
                carried += [(name, value) for value in values]
        return carried

    @property
    def series(self) -> bool:
        return self.get("repeat") in FREQUENCIES

    @property
    def slot_given(self) -> bool:
        return bool(self.rooms and self.get("date") and self.get("start") and self.get("end"))


KNOWN = {name for names in STEP_FIELDS.values() for name in names} - set(LISTS)


async def draft_from_form(request: Request[Any, Any, Any]) -> Draft:
    form = await request.form()
    values = {
        name: value.strip() if name not in ("description",) else value
        for name, value in form.items()
        if name in KNOWN and isinstance(value, str)
    }
    lists = {
        name: [v.strip() for v in form.getall(name, []) if isinstance(v, str) and v.strip()]
        for name in LISTS
    }
    return Draft(values, list(dict.fromkeys(lists["room"])), list(dict.fromkeys(lists["skip"])))


def draft_from_query(request: Request[Any, Any, Any]) -> Draft:
    query = request.query_params
    values = {name: query.get(name, "").strip() for name in ("date", "start", "end")}
    if query.get("people"):
        values["attendance"] = query.get("people", "").strip()
    rooms = [code.strip() for code in query.getall("room", []) if code.strip()]
    return Draft({k: v for k, v in values.items() if v}, list(dict.fromkeys(rooms)))


@dataclass
class Slot:
    """Step 1's answers, read: or the problems of reading them."""

    rooms: tuple[int, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    recurrence: Rule | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _whole(text: str) -> int | None:
    # isdigit() alone takes "²", which int() does not.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 8 else None


def read_slot(draft: Draft, room_ids: dict[str, int]) -> Slot:
    """The rooms, times and repetition asked for; what is missing or unreadable, by field.
    Whether they can be had is for the service to say."""
    slot = Slot()
    errors = slot.errors
    if not draft.rooms:
        errors["room"] = said(Message("form.room_missing"))
    unknown = [code for code in draft.rooms if code not in room_ids]
    if unknown:
        errors["room"] = said(Message("form.room_unknown", room=unknown[0]))
    slot.rooms = tuple(room_ids[code] for code in draft.rooms if code in room_ids)
    day = day_typed(draft.get("date"))
    if day is None:
        errors["date"] = said(
            Message("form.date_format") if draft.get("date") else Message("form.date_missing")
        )
    times: dict[str, time] = {}
    for name in ("start", "end"):
        text = draft.get(name)
        if not re.match(WALL_CLOCK_PATTERN, text):
            errors[name] = said(MISSING_TIME[name] if not text else Message("form.time_format"))
        else:
            times[name] = time.fromisoformat(text)
    if day is not None and len(times) == 2:
        slot.start = datetime.combine(day, times["start"])
        slot.end = datetime.combine(day, times["end"])
    if draft.series and day is not None:
        slot.recurrence = _rule(draft, day, errors)
    return slot


def _rule(draft: Draft, day: date, errors: dict[str, str]) -> Rule | None:
    interval = _whole(draft.get("interval") or "1")
    if interval is None or interval < 1:
        errors["interval"] = said(Message("form.whole_number"))
    until, count = None, None
    if draft.get("ends") == "count":
        count = _whole(draft.get("count"))
        if count is None or count < 1:
            errors["count"] = said(Message("form.count_missing"))
    else:
        until = day_typed(draft.get("until"))
        if until is None:
            errors["until"] = said(Message("form.until_missing"))
    if interval is None or (until is None and count is None):
        return None
    frequency = Frequency(draft.get("repeat"))
    return Rule(
        frequency=frequency,
        interval=interval,
        weekdays=frozenset({day.weekday()}) if frequency is Frequency.WEEKLY else frozenset(),
        month_day=day.day if frequency is Frequency.MONTHLY else None,
        until=until,
        count=count,
    )


def form_problems(found: list[FieldProblem]) -> dict[str, str]:
    """The service's problems beside the form's fields."""
    renamed = [
        FieldProblem(_INDEX.sub("", p.field) if isinstance(p.field, str) else p.field, p.reason)
        for p in found
    ]
    return field_errors(renamed, FORM_NAMES)


@dataclass
class Catalogue:
    """The rooms one may ask for, by building, and the user's organisations."""

    rooms: list[RoomDetails]
    organisations: list[tuple[str, str]]  # (code, name)

    @property
    def ids(self) -> dict[str, int]:
        return {room.facts.code: room.facts.id for room in self.rooms}

    @property
    def by_building(self) -> list[tuple[str, list[RoomDetails]]]:
        groups: dict[str, list[RoomDetails]] = {}
        for room in self.rooms:
            groups.setdefault(room.building_name_in(current_texts().language), []).append(room)
        return list(groups.items())

    def names(self, codes: list[str]) -> list[RoomDetails]:
        found = {room.facts.code: room for room in self.rooms}
        return [found[code] for code in codes if code in found]


async def catalogue(user: CurrentUser, settings: Settings, now: datetime) -> Catalogue:
    rooms = await room_catalogue.active_rooms()
    account = await users.get_account(user.id)
    organisations = [(m.code, m.name) for m in account.organisations]
    return Catalogue(rooms, organisations)


async def checked(
    engine: Engine, user: CurrentUser, now: datetime, draft: Draft, known: Catalogue
) -> tuple[Slot, Preview | None]:
    """Step 1's answers read, and the service's check of them (None while they cannot be
    read), made at most once per request for the same answers."""
    slot = read_slot(draft, known.ids)
    command = preview_command(draft, slot)
    if command is None:
        return slot, None
    if command not in draft.previews:
        draft.previews[command] = await previewing.preview_booking(engine, user, command, now)
    return slot, draft.previews[command]


def preview_command(draft: Draft, slot: Slot) -> PreviewBooking | None:
    if slot.errors or slot.start is None or slot.end is None:
        return None
    attendance = _whole(draft.get("attendance")) or 1
    return PreviewBooking(
        rooms=slot.rooms,
        start=slot.start,
        end=slot.end,
        expected_attendance=attendance,
        recurrence=slot.recurrence,
        organisation=draft.get("organisation") or None,
        paid_rental=draft.get("paid") == "1",
    )


def slot_errors(draft: Draft, preview: Preview) -> dict[str, str]:
    """What stops step 1: the service's refusal, a taken slot, or a series' taken or refused
    dates not marked to be skipped."""
    errors = {
        name: text
        for name, text in form_problems(preview.problems).items()
        if step_of(name) not in (2, 3)
    }
    if errors:
        return errors
    if not preview.is_series:
        day = preview.dates[0] if preview.dates else None
        if day is not None and day.conflicts:
            errors["start"] = said(Message("form.slot_taken_error"))
        return errors
    blocked = [
        d for d in preview.dates if d.state != "free" and d.day.isoformat() not in draft.skip
    ]
    if blocked:
        errors["skip"] = said(Message("form.dates_to_skip", count=len(blocked)))
    elif all(d.state != "free" for d in preview.dates):
        errors["skip"] = said(Message("form.no_date_left"))
    return errors


def request_body(draft: Draft, slot: Slot) -> dict[str, Any]:
    """The request as POST /api/bookings takes it."""
    body: dict[str, Any] = {
        "title": draft.get("title"),
        "rooms": list(slot.rooms),
        "start": slot.start,
        "end": slot.end,
        "expected_attendance": _whole(draft.get("attendance")) or 0,
        "organiser_name": draft.get("organiser_name"),
        "contact_email": draft.get("contact_email"),
        "contact_phone": draft.get("contact_phone"),
        "description": draft.get("description"),
        "is_public": draft.get("visibility") == "public",
        "paid_rental": draft.get("paid") == "1",
    }
    if draft.get("organisation"):
        body["organisation"] = draft.get("organisation")
    rule = slot.recurrence
    if rule is not None:
        body["recurrence"] = {
            "frequency": rule.frequency.value,
            "interval": rule.interval,
            "weekdays": sorted(rule.weekdays),
            "month_day": rule.month_day,
            "until": rule.until,
            "count": rule.count,
        }
        if draft.skip:
            body["on_conflict"] = "skip"
    return body


def event_errors(draft: Draft) -> dict[str, str]:
    errors = {}
    if not draft.get("title"):
        errors["title"] = said(Message("form.title_missing"))
    attendance = _whole(draft.get("attendance"))
    if attendance is None or attendance < 1:
        errors["attendance"] = said(Message("form.attendance_missing"))
    return errors


def organiser_errors(draft: Draft, organisations: list[tuple[str, str]]) -> dict[str, str]:
    errors = {}
    if not draft.get("organiser_name"):
        errors["organiser_name"] = said(Message("form.organiser_missing"))
    email = draft.get("contact_email")
    if not email:
        errors["contact_email"] = said(Message("form.email_missing"))
    elif not re.match(EMAIL_PATTERN, email):
        errors["contact_email"] = said(Message("validation.email"))
    if len(organisations) > 1 and not draft.get("organisation"):
        errors["organisation"] = said(Message("organisation.name_one"))
    return errors


def take(draft: Draft, choice: str) -> None:
    """One click on a suggestion: another room instead of the one taken, or another time."""
    kind, _, rest = choice.partition(":")
    if kind == "room":
        old, _, new = rest.partition(":")
        draft.rooms = [new if code == old else code for code in draft.rooms]
        draft.rooms = list(dict.fromkeys(draft.rooms))
    elif kind == "time":
        start, _, end = rest.partition("-")
        if re.match(WALL_CLOCK_PATTERN, start) and re.match(WALL_CLOCK_PATTERN, end):
            draft.values["start"], draft.values["end"] = start, end


@dataclass
class DateRow:
    """One date of the live check, said for the page."""

    iso: str
    when: str
    state: str  # free, taken, refused
    reason: str | None  # why the rooms' rules refuse it
    held: list[str]  # what holds the rooms then, in words
    rooms: list[tuple[str, str]]  # suggested rooms: (label, what `take` gets)
    times: list[tuple[str, str]]  # suggested times, likewise


def _named(room: Any) -> str:
    """A room as people know it: its name, and its code for those who use codes."""
    return f"{room.name} ({room.code})"


def _held(conflict: Conflict, preview: Preview) -> str:
    room = preview.rooms[conflict.wanted.room_id]
    zone = ZoneInfo(room.zone)
    existing = conflict.existing
    span = formatting.time_span(existing.meeting.start, existing.meeting.end, zone)
    status = said(Message(f"status.{existing.status}"))
    if existing.public_title:
        message = Message(
            "form.held_by_event", room=_named(room), title=existing.public_title, time=span,
            status=status,
        )  # fmt: skip
    else:
        message = Message("form.held_by_private", room=_named(room), time=span, status=status)
    return said(message)


def date_rows(preview: Preview) -> list[DateRow]:
    rows = []
    for day in preview.dates:
        zone = ZoneInfo(day.zone)
        rooms: list[tuple[str, str]] = []
        times: list[tuple[str, str]] = []
        if day.alternatives is not None and day.conflicts:
            taken = preview.rooms[day.conflicts[0].wanted.room_id].code
            for room in day.alternatives.rooms:
                label = said(Message("form.room_choice", room=room.code, name=room.name,
                                     capacity=room.capacity))  # fmt: skip
                rooms.append((label, f"room:{taken}:{room.code}"))
            for room_id, span in day.alternatives.slots:
                local = span.in_zone(ZoneInfo(preview.rooms[room_id].zone))
                value = f"time:{local.start:%H:%M}-{local.end:%H:%M}"
                times.append((formatting.time_span(local.start, local.end), value))
        rows.append(
            DateRow(
                iso=day.day.isoformat(),
                when=formatting.when(day.meeting.start, day.meeting.end, zone),
                state=day.state,
                reason=said(day.refused) if day.refused else None,
                held=[_held(c, preview) for c in day.conflicts],
                rooms=rooms,
                times=list(dict.fromkeys(times)),
            )
        )
    return rows


class RequestFormPages(Controller):
    include_in_schema = False
    guards = [requires_login]  # noqa: RUF012

    @get("/book")
    async def start(
        self,
        request: Request[Any, Any, Any],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        draft = draft_from_query(request)
        if not draft.get("organiser_name"):
            draft.values["organiser_name"] = user.display_name
            draft.values["contact_email"] = user.email
        known = await catalogue(user, settings, now)
        return await self._step(request, engine, user, now, draft, known, 1, {})

    @post("/book", status_code=200)
    async def answer(
        self,
        request: Request[Any, Any, Any],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template | Redirect:
        form = await request.form()
        draft = await draft_from_form(request)
        step = _whole(str(form.get("step", "1"))) or 1
        step = min(max(step, 1), 4)
        go = str(form.get("go", "next"))
        choice = str(form.get("take", ""))
        known = await catalogue(user, settings, now)
        if choice:
            take(draft, choice)
            return await self._step(request, engine, user, now, draft, known, 1, {})
        if go == "back":
            return await self._step(request, engine, user, now, draft, known, max(step - 1, 1), {})
        if go in ("1", "2", "3", "4"):
            return await self._step(request, engine, user, now, draft, known, int(go), {})
        if go == "check":
            return await self._step(request, engine, user, now, draft, known, 1, {})
        last = 3 if go == "send" else step
        for asked in range(1, last + 1):
            errors = await self._errors(engine, user, now, draft, known, asked)
            if errors:
                return await self._step(request, engine, user, now, draft, known, asked, errors)
        if go != "send":
            following = min(step + 1, 4)
            return await self._step(request, engine, user, now, draft, known, following, {})
        return await self._send(request, engine, user, now, draft, known)

    @post("/book/check", status_code=200)
    async def check(
        self,
        request: Request[Any, Any, Any],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        draft = await draft_from_form(request)
        known = await catalogue(user, settings, now)
        context = await self._check(engine, user, now, draft, known)
        return page(request, "request_form/check.html.j2", {"check": context})

    @get("/book/sent/{booking_id:int}")
    async def sent(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Template:
        booking = await reading.get_booking(user, booking_id, now)
        tiers = [Message(f"tier.{tier.value}") for tier in booking.state.required_tiers]
        rooms = await room_catalogue.rooms_by_id({o.room_id for o in booking.occurrences})
        dates = [
            (
                formatting.when(o.meeting.start, o.meeting.end, ZoneInfo(o.zone)),
                _named(rooms[o.room_id]),
            )
            for o in booking.occurrences
        ]
        context = {
            "booking": booking,
            "tiers": tiers,
            "dates": dates,
            "email": booking.fields.contact_email,
        }
        return page(request, "request_form/sent.html.j2", context)

    async def _errors(
        self,
        engine: Engine,
        user: CurrentUser,
        now: datetime,
        draft: Draft,
        known: Catalogue,
        step: int,
    ) -> dict[str, str]:
        if step == 1:
            slot, preview = await checked(engine, user, now, draft, known)
            return slot.errors if preview is None else slot_errors(draft, preview)
        if step == 2:
            errors = event_errors(draft)
            if errors:
                return errors
            # The room must hold the people: the service says so, as it would on sending.
            _, preview = await checked(engine, user, now, draft, known)
            if preview is None:
                return {}
            return {
                name: text
                for name, text in form_problems(preview.problems).items()
                if step_of(name) == 2
            }
        if step == 3:
            return organiser_errors(draft, known.organisations)
        return {}

    async def _check(
        self, engine: Engine, user: CurrentUser, now: datetime, draft: Draft, known: Catalogue
    ) -> dict[str, Any]:
        """The live check of step 1: each date free, taken (and what instead) or refused."""
        slot, preview = await checked(engine, user, now, draft, known)
        problems = [said(p.reason) for p in preview.problems] if preview else []
        return {
            "step_ok": preview is not None and not slot.errors and not slot_errors(draft, preview),
            "draft": draft,
            "preview": preview,
            "rows": date_rows(preview) if preview else [],
            "problems": problems,
            "known": known,
            "tiers": [Message(f"tier.{t.value}") for t in preview.tiers] if preview else [],
        }

    async def _step(
        self,
        request: Request[Any, Any, Any],
        engine: Engine,
        user: CurrentUser,
        now: datetime,
        draft: Draft,
        known: Catalogue,
        step: int,
        errors: dict[str, str],
        *,
        summary: list[tuple[str, str]] | None = None,
    ) -> Template:
        context: dict[str, Any] = {
            "draft": draft,
            "step": step,
            "steps": STEPS,
            "errors": errors,
            "summary": summary or [],
            "hidden": draft.hidden(step),
            "known": known,
            "check": None,
        }
        if step == 1 and draft.slot_given:
            context["check"] = await self._check(engine, user, now, draft, known)
        if step == 4:
            context["review"] = await self._check(engine, user, now, draft, known)
        status = 422 if errors or summary else 200
        return page(request, f"request_form/step{step}.html.j2", context, status_code=status)

    async def _send(
        self,
        request: Request[Any, Any, Any],
        engine: Engine,
        user: CurrentUser,
        now: datetime,
        draft: Draft,
        known: Catalogue,
    ) -> Template | Redirect:
        slot = read_slot(draft, known.ids)
        try:
            data = msgspec.convert(request_body(draft, slot), BookingCreate)
            outcome = await creating.create_booking(engine, user, create_command(data), now)
        except msgspec.ValidationError as invalid:
            found = problems([{"message": str(invalid)}], "")
            return await self._refused(
                request, engine, user, now, draft, known, form_problems(found)
            )
        except RuleViolation as refusal:
            return await self._refused(
                request, engine, user, now, draft, known, form_problems(refusal.problems)
            )
        except BookingConflict as conflict:
            draft.previews.clear()  # taken since it was checked: show it as it is now
            errors = {"start": said(conflict.message)}
            if slot.recurrence is not None:
                errors = {"skip": said(Message("form.dates_taken_meanwhile"))}
            return await self._step(request, engine, user, now, draft, known, 1, errors)
        return Redirect(f"/book/sent/{outcome.booking.id}", status_code=303)

    async def _refused(
        self,
        request: Request[Any, Any, Any],
        engine: Engine,
        user: CurrentUser,
        now: datetime,
        draft: Draft,
        known: Catalogue,
        errors: dict[str, str],
    ) -> Template:
        """The service's refusal, beside the fields of the first step it concerns; what has
        no field of its own is said at the top of the last step."""
        steps = [step_of(name) for name in errors if name in KNOWN | set(LISTS)]
        step = min(steps) if steps else 4
        shown = {n: t for n, t in errors.items() if step_of(n) == step}
        summary = [(n, t) for n, t in errors.items() if n not in shown]
        return await self._step(
            request, engine, user, now, draft, known, step, shown, summary=summary
        )
