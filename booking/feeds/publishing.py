"""The use cases of the calendar feeds: each feed prepared in two steps, its validators first
(a few small reads, so a client that has it already gets 304 without anything being rendered),
then, only when asked, its bytes.

The validators change with anything the feed shows: a change of any request in its rooms
(the rooms' stamps, written with the change log), a hold whose time ran out, a room's or a
building's name or address, the window moving on to a new day, the language. Last-Modified
never moves backwards: it is the latest of the rooms' last change, the lapsed hold and the
start of the window's day; a private feed keeps the moment it first served what it serves now.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from booking.accounts.current_user import CurrentUser
from booking.bookings import reading
from booking.calendars.entries import Entry, Occasion, uid_for
from booking.calendars.publishing import Feed, render
from booking.core.catalogue import Building, RoomDetails
from booking.core.errors import NotFound
from booking.core.feeds import (
    CALENDAR_STATUS,
    SHOWN_STATES,
    FeedDate,
    FeedKind,
    FeedToken,
    FeedWindow,
    Shown,
    shown,
)
from booking.core.messages import Message
from booking.db import accounts, catalogue, feed_tokens, feed_validators, feeds
from booking.i18n import Texts, texts

# Bumped when the rendering changes, so that clients fetch the new bytes.
FORMAT = "1"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A feed whose validators are known and whose bytes are made on demand."""

    etag: str
    last_modified: datetime
    render: Callable[[], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Asked:
    """What every feed request says besides its scope."""

    window: FeedWindow
    language: str
    now: datetime
    base_url: str
    default_zone: ZoneInfo


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr((FORMAT, *parts)).encode()).hexdigest()[:40]


def _day_began(asked: Asked, zone: ZoneInfo) -> datetime:
    """When today began where the feed is: a moving window moved then."""
    today = asked.now.astimezone(zone).date()
    return datetime(today.year, today.month, today.day, tzinfo=zone).astimezone(UTC)


def _domain(base_url: str) -> str:
    return base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def _place(room: RoomDetails, building: Building | None, language: str) -> str:
    parts = [room.facts.name, room.building_name_in(language)]
    if building is not None and building.address:
        parts.append(building.address)
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class _Scope:
    kind: FeedKind
    name: Message
    description: Message | None
    zone: ZoneInfo
    rooms: dict[int, RoomDetails]
    buildings: dict[int, Building]


def _entries(
    scope: _Scope, found: Sequence[FeedDate], say: Texts, language: str, base_url: str
) -> tuple[Entry, ...]:
    """The requests of `found`, each an entry with its dates grouped by time (one date in
    several rooms is one date, in all of them)."""
    by_booking: dict[int, list[FeedDate]] = {}
    for one in found:
        by_booking.setdefault(one.booking_id, []).append(one)
    domain = _domain(base_url)
    # The place of each set of rooms, written once: every date of a room's feed is in the same
    # room, and writing it anew for each of 5,000 dates took 5 of the 65 ms of CPU the render
    # took without it.
    places: dict[tuple[int, ...], str] = {}
    entries = []
    for booking_id in sorted(by_booking):
        dates = by_booking[booking_id]
        first = dates[0]
        what = shown(scope.kind, first)
        spans: dict[tuple[datetime, datetime, str], list[int]] = {}
        for one in dates:
            spans.setdefault((one.start, one.end, one.status), []).append(one.room_id)
        occasions = []
        for (start, end, status), room_ids in sorted(spans.items()):
            key = tuple(sorted(set(room_ids)))
            where = places.get(key)
            if where is None:
                rooms = [scope.rooms[r] for r in key if r in scope.rooms]
                where = places[key] = "; ".join(
                    _place(room, scope.buildings.get(room.facts.building_id), language)
                    for room in rooms
                )
            occasions.append(Occasion(start, end, where, CALENDAR_STATUS[status]))
        zone = scope.rooms[first.room_id].facts.zone if first.room_id in scope.rooms else ""
        entries.append(
            Entry(
                uid=uid_for(booking_id, domain),
                sequence=first.version,
                changed_at=first.changed_at,
                summary=what.summary if isinstance(what.summary, str) else say(what.summary),
                description="\n".join(
                    part if isinstance(part, str) else say(part) for part in what.description
                ),
                url=_page(what, booking_id, occasions[0].start, scope.zone, base_url),
                zone=zone or scope.zone.key,
                occasions=tuple(occasions),
            )
        )
    return tuple(entries)


def _page(what: Shown, booking_id: int, start: datetime, zone: ZoneInfo, base_url: str) -> str:
    if what.links:
        return f"{base_url}/requests/{booking_id}"
    if what.links_events:
        return f"{base_url}/events?month={start.astimezone(zone):%Y-%m}"
    return ""


async def request_entries(
    kind: FeedKind,
    found: Sequence[FeedDate],
    say: Texts,
    language: str,
    base_url: str,
    zone: ZoneInfo,
) -> tuple[Entry, ...]:
    """The entries of the requests of `found` as `kind` of calendar shows them (an invitation
    shows what the personal feed shows)."""
    rooms = await _rooms_of(None)
    scope = _Scope(kind, Message("feed.personal_title"), None, zone, rooms, await _buildings())
    return _entries(scope, found, say, language, base_url)


async def _render(scope: _Scope, found: Sequence[FeedDate], asked: Asked) -> bytes:
    say = texts(asked.language)
    feed = Feed(
        name=say(scope.name),
        description=say(scope.description) if scope.description else "",
        zone=scope.zone.key,
        entries=_entries(scope, found, say, asked.language, asked.base_url),
        rules_year=asked.window.first.year,
    )
    rendered = render(feed, lambda day: say(Message("feed.cut_short", date=day)))
    return rendered.body


def _catalogue_part(scope: _Scope) -> tuple[object, ...]:
    rooms = tuple(
        (r.facts.id, r.facts.name, r.building_name, r.building_name_en, r.facts.zone)
        for r in sorted(scope.rooms.values(), key=lambda r: r.facts.id)
    )
    buildings = tuple(
        (b.id, b.name, b.name_en, b.address, b.zone) for b in scope.buildings.values()
    )
    return rooms, buildings


async def _public(scope: _Scope, room_ids: list[int] | None, asked: Asked) -> Prepared:
    stamp = await feeds.stamp(room_ids)
    lapsed = await feeds.latest_lapsed_hold(asked.now)
    return _prepared(scope, room_ids, asked, stamp, lapsed)


def _prepared(
    scope: _Scope,
    room_ids: list[int] | None,
    asked: Asked,
    stamp: feeds.Stamp,
    lapsed: datetime | None,
) -> Prepared:
    window = asked.window
    etag = _digest(
        scope.kind,
        room_ids,
        _catalogue_part(scope),
        stamp.changes,
        stamp.changed_at,
        lapsed,
        window.first,
        window.last,
        asked.language,
        asked.base_url,
    )
    moments = [m for m in (stamp.changed_at, lapsed) if m is not None]
    if window.moving:
        moments.append(_day_began(asked, scope.zone))
    last_modified = max(moments, default=EPOCH)

    async def make() -> bytes:
        span = window.span(scope.zone)
        if scope.kind is FeedKind.EVENTS:
            found = await feeds.public_dates(room_ids, span, asked.now)
        else:
            found = await feeds.dates_in_rooms(
                room_ids or [], span, SHOWN_STATES[scope.kind], asked.now
            )
        return await _render(scope, found, asked)

    return Prepared(etag, last_modified, make)


async def _rooms_of(building_id: int | None) -> dict[int, RoomDetails]:
    return {
        room.facts.id: room
        for room in await catalogue.rooms()
        if building_id is None or room.facts.building_id == building_id
    }


async def _buildings() -> dict[int, Building]:
    return {building.id: building for building in await catalogue.buildings()}


async def room_feed(room: int | str, asked: Asked) -> Prepared:
    """The feed of the room with this id or this code."""
    # The room, its building, its stamp and the lapsed hold in one statement: most polls end
    # in a 304 decided by these alone (db.feed_validators says what that saves).
    basis = await feed_validators.room_feed_basis(room, asked.now)
    if basis is None:
        # An unknown code names the path's field, as booking.api.places says it of any path.
        raise NotFound("room", None if isinstance(room, int) else "room_id")
    details = basis.room
    scope = _Scope(
        FeedKind.ROOM,
        Message(
            "feed.room_name",
            room=details.facts.name,
            building=details.building_name_in(asked.language),
        ),
        Message("feed.room_description", room=details.facts.name),
        ZoneInfo(details.facts.zone),
        {details.facts.id: details},
        {basis.building.id: basis.building},
    )
    return _prepared(scope, [details.facts.id], asked, basis.stamp, basis.lapsed_hold)


async def building_feed(building_id: int, asked: Asked, public_events: bool = False) -> Prepared:
    building = await catalogue.building(building_id)
    if building is None:
        raise NotFound("building")
    name = building.name_in(asked.language)
    rooms = await _rooms_of(building_id)
    if public_events:
        kind, title = FeedKind.EVENTS, Message("feed.events_building_name", building=name)
        description = Message("feed.events_description")
    else:
        kind, title = FeedKind.BUILDING, Message("feed.building_name", building=name)
        description = Message("feed.building_description")
    scope = _Scope(
        kind,
        title,
        description,
        ZoneInfo(building.zone),
        rooms,
        {building.id: building},
    )
    return await _public(scope, sorted(rooms), asked)


async def events_feed(asked: Asked) -> Prepared:
    scope = _Scope(
        FeedKind.EVENTS,
        Message("feed.events_name"),
        Message("feed.events_description"),
        asked.default_zone,
        await _rooms_of(None),
        await _buildings(),
    )
    return await _public(scope, None, asked)


class FeedGone(Exception):
    """The token was revoked or replaced: the feed is gone for good."""


async def private_feed(token_digest: str, asked_for: Callable[[str], Asked]) -> Prepared:
    """The feed behind a token, as its owner may see it now: access is checked again on every
    read, so a membership or a role that ended stops showing what it gave."""
    token = await feed_tokens.by_digest(token_digest)
    if token is None:
        raise NotFound("feed")
    if token.revoked_at is not None:
        raise FeedGone()
    principal = await accounts.active_principal(token.user_id)
    if principal is None:
        raise FeedGone()
    user = CurrentUser.of(principal)
    asked = asked_for(user.language)
    booking_ids, versions, name = await _private_scope(token, user, asked)
    scope = _Scope(
        token.kind,
        name,
        None,
        asked.default_zone,
        await _rooms_of(None),
        await _buildings(),
    )
    window = asked.window
    etag = _digest(
        token.kind,
        token.id,
        versions,
        _catalogue_part(scope),
        window.first,
        window.last,
        asked.language,
        asked.base_url,
        await feeds.latest_lapsed_hold(asked.now),
    )
    if token.served_etag == etag and token.served_since is not None:
        last_modified = token.served_since
    else:
        last_modified = asked.now.replace(microsecond=0)
        if token.served_since is not None and last_modified <= token.served_since:
            last_modified = token.served_since
        await feed_tokens.mark_served(token.id, etag, last_modified)

    async def make() -> bytes:
        span = window.span(scope.zone)
        found = await feeds.dates_of_bookings(
            booking_ids, span, SHOWN_STATES[token.kind], asked.now
        )
        return await _render(scope, found, asked)

    return Prepared(etag, last_modified, make)


# An approver's feed reads this many waiting requests at most (the queue's own limit).
QUEUE_SIZE = 1000


async def _private_scope(
    token: FeedToken, user: CurrentUser, asked: Asked
) -> tuple[list[int], tuple[tuple[int, int], ...], Message]:
    """The requests a private feed shows, with their versions, and the feed's name."""
    if token.kind is FeedKind.PERSONAL:
        found = await feeds.versions_of_requests(requested_by=user.id, contact_email=user.email)
        name = Message("feed.personal_name", name=user.display_name)
    elif token.kind is FeedKind.ORGANISATION:
        organisation = (
            await catalogue.organisation(token.organisation_id)
            if token.organisation_id is not None
            else None
        )
        if organisation is None:
            raise FeedGone()
        name = Message("feed.organisation_name", organisation=organisation.name)
        member = organisation.id in user.actor.organisations
        found = await feeds.versions_of_requests(organisation_id=organisation.id) if member else []
    else:
        name = Message("feed.approvals_name")
        if user.actor.decides_requests:
            queue = await reading.approval_queue(
                user, reading.QueueQuery(limit=QUEUE_SIZE), asked.now
            )
            found = [(booking.id, booking.version) for booking in queue]
        else:
            found = []
    return [booking_id for booking_id, _ in found], tuple(found), name
