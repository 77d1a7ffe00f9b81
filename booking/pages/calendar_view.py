"""What a building's calendar shows for a day or a week, room by room: what holds each room
(with a title only where the API would show one), its closures and closed hours, the caller's
own requests still waiting, and the free periods between them.

The same arrangement feeds the server-rendered list (the phone and no-script view) and the
JSON the graphical calendar draws, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.accounts.current_user import CurrentUser
from booking.bookings import reading
from booking.core.booking import Booking
from booking.core.booking_rules import MINUTES_A_DAY, RoomRules
from booking.core.catalogue import Building
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan, merge
from booking.core.workflow import COMPETING, Status
from booking.rooms import availability, rules
from booking.rooms.availability import RoomSchedule

# Free periods shorter than this are not offered; "book" links start on this step.
FREE_STEP = timedelta(minutes=15)
SHORTEST_FREE = timedelta(minutes=30)
# What a "book" link proposes from the start of a free period (the form changes it).
PROPOSED_LENGTH = timedelta(hours=1)
# The hours a calendar shows of rooms open day and night, unless something happens outside.
WORKING_DAY = (7, 22)
# The caller's own requests read for one calendar page, at most.
OWN_REQUESTS = 200


@dataclass(frozen=True, slots=True)
class Item:
    """One span of a room's day. kind: "busy" (held by a booking), "mine" (the caller's own
    request, still waiting), "closure" (a blackout), "closed" (outside opening hours), "free"."""

    kind: str
    span: TimeSpan
    title: str | None = None
    status: str | None = None
    own: bool = False
    booking_id: int | None = None


@dataclass(frozen=True, slots=True)
class RoomDay:
    day: date
    items: list[Item]

    @property
    def free(self) -> list[Item]:
        return [i for i in self.items if i.kind == "free"]


@dataclass(frozen=True, slots=True)
class RoomCalendar:
    room: RoomFacts
    rules: RoomRules
    days: list[RoomDay]


@dataclass(frozen=True, slots=True)
class BuildingCalendar:
    building: Building
    zone: ZoneInfo
    days: list[date]
    rooms: list[RoomCalendar]

    @property
    def span(self) -> TimeSpan:
        return TimeSpan(_midnight(self.days[0], self.zone), _midnight(self.days[-1], self.zone, 1))

    def visible_hours(self) -> tuple[int, int]:
        """The first and last hour the graphical calendar shows: the opening hours of every
        room on these days (a room open day and night counts as open in the working day) and
        anything held or closed outside them."""
        first, last = 24, 0
        weekdays = {d.weekday() for d in self.days}
        for room in self.rooms:
            windows = [h.window for h in room.rules.hours if h.weekday in weekdays]
            if not room.rules.hours:
                windows = [(WORKING_DAY[0] * 60, WORKING_DAY[1] * 60)]
            for opens, closes in windows:
                first, last = min(first, opens // 60), max(last, -(-closes // 60))
            for day in room.days:
                for item in day.items:
                    if item.kind in ("busy", "mine", "closure"):
                        start, end = _clipped(item.span, day.day, self.zone)
                        first, last = min(first, start // 60), max(last, -(-end // 60))
        return WORKING_DAY if first >= last else (first, last)


def _midnight(day: date, zone: ZoneInfo, days_later: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=days_later), time(0), zone).astimezone(UTC)


def _at_minute(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute >= MINUTES_A_DAY:
        return _midnight(day, zone, 1)
    return datetime.combine(day, time(minute // 60, minute % 60), zone).astimezone(UTC)


def _clipped(span: TimeSpan, day: date, zone: ZoneInfo) -> tuple[int, int]:
    """The minutes of `day` (local) that `span` covers."""
    start = max(span.start, _midnight(day, zone))
    end = min(span.end, _midnight(day, zone, 1))
    local_start = start.astimezone(zone)
    minutes_end = int((end - _midnight(day, zone)).total_seconds() // 60)
    return local_start.hour * 60 + local_start.minute, min(minutes_end, MINUTES_A_DAY)


def closed_hours(room_rules: RoomRules, day: date, zone: ZoneInfo) -> list[TimeSpan]:
    """The parts of a local day when the room is outside its opening hours."""
    return [
        TimeSpan(_at_minute(day, a, zone), _at_minute(day, b, zone))
        for a, b in room_rules.closed_windows(day.weekday())
    ]


def _round_up(moment: datetime) -> datetime:
    since = moment - datetime(2000, 1, 1, tzinfo=UTC)
    return moment + (-since % FREE_STEP)


def free_periods(
    day_span: TimeSpan, taken: Iterable[TimeSpan], not_before: datetime
) -> list[TimeSpan]:
    """The parts of the day no span takes, from `not_before` on, long enough to offer."""
    start = max(day_span.start, _round_up(not_before))
    free = []
    for span in merge(s for s in taken if s.overlaps(day_span)):
        if span.start - start >= SHORTEST_FREE:
            free.append(TimeSpan(start, span.start))
        start = max(start, span.end)
    if day_span.end - start >= SHORTEST_FREE:
        free.append(TimeSpan(start, day_span.end))
    return free


def _own_waiting(mine: Sequence[Booking], room_id: int, user_id: int) -> list[Item]:
    """The caller's own requests for the room that wait for a decision, each live date."""
    return [
        Item("mine", slot.meeting, booking.fields.title, slot.status, True, booking.id)
        for booking in mine
        if booking.requested_by == user_id
        for slot in booking.live
        if slot.room_id == room_id and slot.status in COMPETING
    ]


def _room_calendar(
    schedule: RoomSchedule,
    room_rules: RoomRules,
    mine: Mapping[int, Booking],
    user_id: int | None,
    days: Sequence[date],
    zone: ZoneInfo,
    now: datetime,
) -> RoomCalendar:
    """`mine`: the requests of the caller and their organisations that the caller may read
    in full; the titles of those that hold the room are shown, and the caller's own waiting
    ones are drawn apart."""
    held = []
    for occupation in schedule.busy:
        own = mine.get(occupation.booking_id)
        title = own.fields.title if own is not None else occupation.public_title
        held.append(
            Item(
                "busy",
                occupation.meeting,
                title,
                occupation.status,
                own is not None and own.requested_by == user_id,
                occupation.booking_id,
            )
        )
    blocked = [o.blocked for o in schedule.busy]
    closures = [Item("closure", b.span, b.reason) for b in schedule.closed]
    waiting = (
        [] if user_id is None else _own_waiting(list(mine.values()), schedule.room.id, user_id)
    )
    room_days = []
    for day in days:
        day_span = TimeSpan(_midnight(day, zone), _midnight(day, zone, 1))
        shut = [Item("closed", span) for span in closed_hours(room_rules, day, zone)]
        items = [i for i in (*held, *closures, *waiting) if i.span.overlaps(day_span)] + shut
        taken = [*blocked, *(i.span for i in closures), *(i.span for i in shut)]
        items += [Item("free", span) for span in free_periods(day_span, taken, now)]
        items.sort(key=lambda i: (i.span.start, i.span.end))
        room_days.append(RoomDay(day, items))
    return RoomCalendar(schedule.room, room_rules, room_days)


async def building_calendar(
    building: Building,
    first_day: date,
    day_count: int,
    user: CurrentUser | None,
    now: datetime,
) -> BuildingCalendar:
    """The building's rooms over `day_count` days from `first_day`, as `user` may see them
    (None: a visitor)."""
    zone = ZoneInfo(building.zone)
    days = [first_day + timedelta(days=n) for n in range(day_count)]
    start, end = _midnight(days[0], zone), _midnight(days[-1], zone, 1)
    schedule = await availability.building_availability(building.id, start, end, now)
    room_rules = await rules.rules_of_rooms([r.room for r in schedule.rooms])
    mine: dict[int, Booking] = {}
    if user is not None:
        query = reading.BookingQuery(
            mine=True,
            building_id=building.id,
            start=start,
            end=end,
            statuses=tuple(s.value for s in (*COMPETING, Status.HELD, Status.APPROVED)),
            limit=OWN_REQUESTS,
        )
        mine = {b.id: b for b in await reading.list_bookings(user, query, zone, now)}
    return BuildingCalendar(
        building,
        zone,
        days,
        [
            _room_calendar(
                room,
                room_rules[room.room.id],
                mine,
                None if user is None else user.id,
                days,
                zone,
                now,
            )
            for room in schedule.rooms
        ],
    )
