"""Calendar feeds: which there are, the window of time they show, and what each may say.

A room's or a building's feed shows what holds the rooms; a public request there shows its
title and organisation, any other only that the room is booked. The public events feeds show
the public approved requests with their public description. The private feeds (behind a feed
token) show their owner what they may see anyway: their own requests, their organisation's,
the requests waiting for their decision, pending ones as tentative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from booking.core.errors import BadParameter
from booking.core.messages import Message
from booking.core.timespan import TimeSpan
from booking.core.workflow import STATUS_NAMES, Status


class FeedKind(StrEnum):
    ROOM = "room"
    BUILDING = "building"
    EVENTS = "events"
    PERSONAL = "personal"
    ORGANISATION = "organisation"
    APPROVALS = "approvals"


# The kinds behind a secret token, each a user's own.
PRIVATE_KINDS = (FeedKind.PERSONAL, FeedKind.ORGANISATION, FeedKind.APPROVALS)

DEFAULT_PAST_DAYS = 60
DEFAULT_FUTURE_DAYS = 548  # 18 months
MAX_WINDOW_DAYS = 5 * 365 + 1


@dataclass(frozen=True, slots=True)
class FeedWindow:
    """The dates a feed shows, from the first day to the last, in the feed's zone. A window
    given by days moves with today; one given by dates stays."""

    first: date
    last: date
    moving: bool

    def span(self, zone: ZoneInfo) -> TimeSpan:
        return TimeSpan(_midnight(self.first, zone), _midnight(self.last + timedelta(days=1), zone))


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def feed_window(
    today: date,
    past_days: int | None,
    future_days: int | None,
    start: date | None,
    end: date | None,
) -> FeedWindow:
    """The window asked for: by days around today (60 back and 18 months ahead unless said),
    or between two dates; at most five years long, its end not before its start."""
    for name, days in (("past_days", past_days), ("future_days", future_days)):
        if days is not None and not 0 <= days <= MAX_WINDOW_DAYS:
            raise BadParameter(name, Message("feed.days_range", most=MAX_WINDOW_DAYS))
    back = timedelta(days=DEFAULT_PAST_DAYS if past_days is None else past_days)
    ahead = timedelta(days=DEFAULT_FUTURE_DAYS if future_days is None else future_days)
    first, last = start or today - back, end or today + ahead
    moving = start is None and end is None
    if last < first:
        raise BadParameter("end", Message("feed.end_before_start"))
    if (last - first).days + 1 > MAX_WINDOW_DAYS:
        raise BadParameter(
            "end" if end is not None else "future_days", Message("feed.window_too_long")
        )
    return FeedWindow(first, last, moving)


@dataclass(frozen=True, slots=True)
class FeedDate:
    """One occurrence as a feed reads it: the request's fields beside the slot's."""

    booking_id: int
    version: int
    changed_at: datetime
    title: str
    description: str
    organisation_name: str
    is_public: bool
    booking_status: str
    room_id: int
    start: datetime
    end: datetime
    status: str  # the slot's state as of the reading


# What a calendar's STATUS says of a date in each state; the others are not shown.
CALENDAR_STATUS = {
    Status.APPROVED.value: "CONFIRMED",
    Status.HELD.value: "TENTATIVE",
    Status.PENDING.value: "TENTATIVE",
    Status.CHANGES_REQUESTED.value: "TENTATIVE",
}
# The states each kind of feed shows: the public ones what holds a room, or is decided.
SHOWN_STATES = {
    FeedKind.ROOM: frozenset({Status.APPROVED.value, Status.HELD.value}),
    FeedKind.BUILDING: frozenset({Status.APPROVED.value, Status.HELD.value}),
    FeedKind.EVENTS: frozenset({Status.APPROVED.value}),
    FeedKind.PERSONAL: frozenset(CALENDAR_STATUS),
    FeedKind.ORGANISATION: frozenset(CALENDAR_STATUS),
    FeedKind.APPROVALS: frozenset(CALENDAR_STATUS),
}


@dataclass(frozen=True, slots=True)
class Shown:
    """What a feed says of a request: its summary and description as messages, and whether
    it links to the request's page."""

    summary: Message | str
    description: tuple[Message | str, ...]
    links: bool
    # A public request links to the public events page instead.
    links_events: bool = False


def shown(kind: FeedKind, found: FeedDate) -> Shown:
    """What `kind` of feed may say of the request: nothing private in a public feed."""
    organised = (
        (Message("feed.organised_by", organisation=found.organisation_name),)
        if found.organisation_name
        else ()
    )
    if kind in (FeedKind.ROOM, FeedKind.BUILDING):
        if found.is_public:
            return Shown(found.title, organised, links=False, links_events=True)
        return Shown(Message("feed.booked"), (), links=False)
    if kind is FeedKind.EVENTS:
        text = (found.description,) if found.description else ()
        return Shown(found.title, text + organised, links=False, links_events=True)
    state = STATUS_NAMES[Status(found.booking_status)]
    text = (found.description,) if found.description else ()
    return Shown(found.title, (Message("feed.state", state=state), *text, *organised), links=True)


@dataclass(frozen=True, slots=True)
class FeedToken:
    """The secret link of one private feed; only its digest is stored."""

    id: int
    user_id: int
    kind: FeedKind
    organisation_id: int | None
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    served_etag: str
    served_since: datetime | None
