"""Reading requests: one, a list, its history, the approvers' queue and competing requests.

Every read sees a request as it stands at the moment of reading: a hold whose time is up has
lapsed, whether or not a sweep has written so yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.accounts.current_user import CurrentUser
from booking.core.access import Actor, can_see, can_see_contact
from booking.core.actions import available_actions
from booking.core.booking import Booking
from booking.core.conflicts import find_conflicts
from booking.core.errors import FieldProblem, Forbidden, NotFound, RuleViolation
from booking.core.events import HistoryEntry
from booking.core.localtime import period
from booking.core.messages import Message
from booking.core.timespan import hull
from booking.core.workflow import COMPETING, Status, current_tier
from booking.db import bookings, change_log, occurrences

# What only the requester's side and the staff handling the request may read of its history.
CONTACT_FIELDS = frozenset({"contact_email", "contact_phone"})


async def visible_booking(user: CurrentUser, booking_id: int) -> Booking:
    """The request if the user may see it; otherwise 404, so ids tell nothing."""
    booking = await bookings.load_booking(booking_id)
    if booking is None or not can_see(user.actor, booking.seen_facts):
        raise NotFound("booking")
    return booking


async def get_booking(user: CurrentUser, booking_id: int, now: datetime) -> Booking:
    return (await visible_booking(user, booking_id)).as_of(now)


@dataclass(frozen=True, slots=True)
class BookingQuery:
    statuses: tuple[str, ...] = ()
    mine: bool = False
    room_id: int | None = None
    building_id: int | None = None
    organisation: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 50
    offset: int = 0


def _visibility(user: CurrentUser, managed: bool = False) -> bookings.Visibility:
    """What the user asked for; with `managed`, also what the rooms they manage are asked for."""
    actor = user.actor
    if not managed:
        return bookings.Visibility(user.id, actor.organisations)
    return bookings.Visibility(
        user.id, actor.organisations, actor.approver_rooms, actor.approver_buildings
    )


async def list_bookings(
    user: CurrentUser, query: BookingQuery, default_zone: ZoneInfo, now: datetime
) -> list[Booking]:
    unknown = [s for s in query.statuses if s not in Status.__members__.values()]
    if unknown:
        raise RuleViolation(
            [FieldProblem("status", Message("booking.unknown_status", status=s)) for s in unknown]
        )
    found = await bookings.find_bookings(
        bookings.BookingFilter(
            visible_to=None if user.actor.sees_every_request else _visibility(user, managed=True),
            as_of=now,
            mine=_visibility(user) if query.mine else None,
            statuses=query.statuses,
            room_id=query.room_id,
            building_id=query.building_id,
            organisation_code=query.organisation,
            window=period(query.start, query.end, default_zone),
            limit=query.limit,
            offset=query.offset,
        )
    )
    return [booking.as_of(now) for booking in found]


async def booking_history(user: CurrentUser, booking_id: int) -> list[HistoryEntry]:
    """The audit trail, oldest first; contact details stay hidden from whom they are hidden."""
    booking = await visible_booking(user, booking_id)
    show_contact = can_see_contact(user.actor, booking.seen_facts)
    entries = await change_log.history(booking_id)
    if show_contact:
        return entries
    return [
        replace(entry, changes={k: v for k, v in entry.changes.items() if k not in CONTACT_FIELDS})
        for entry in entries
    ]


@dataclass(frozen=True, slots=True)
class QueueQuery:
    building_id: int | None = None
    room_id: int | None = None
    tier: str | None = None
    limit: int = 50
    offset: int = 0


# The queue is filtered by tier here; this many candidates are read at most.
QUEUE_CANDIDATES = 1000


def _waits_for(actor: Actor, booking: Booking, tier: str | None, now: datetime) -> bool:
    """Whether the request waits for `actor`'s decision (at `tier`, if given)."""
    state = booking.state
    deciding = current_tier(state)
    return "approve" in available_actions(actor, booking.facts, state, now) and (
        tier is None or (deciding is not None and deciding.value == tier)
    )


def waiting_for(
    actor: Actor, candidates: Iterable[Booking], now: datetime, tier: str | None = None
) -> list[Booking]:
    """Those of the requests (as they stand at `now`) that wait for `actor`'s decision, at
    `tier` if given, soonest event first: a user's approval queue."""
    waiting = [b for b in candidates if _waits_for(actor, b, tier, now)]
    waiting.sort(key=lambda b: (_first_start(b), b.id))
    return waiting


async def awaiting_decision(
    now: datetime,
    approver: Actor | None = None,
    room_id: int | None = None,
    building_id: int | None = None,
    limit: int | None = QUEUE_CANDIDATES,
) -> list[Booking]:
    """The requests waiting for somebody's decision, as they stand at `now`: those of the
    rooms `approver` manages, if given; else every one; the newest `limit` (None: all)."""
    found = await bookings.find_bookings(
        bookings.BookingFilter(
            visible_to=None,
            as_of=now,
            awaiting_decision=True,
            approver_rooms=None if approver is None else approver.approver_rooms,
            approver_buildings=frozenset() if approver is None else approver.approver_buildings,
            room_id=room_id,
            building_id=building_id,
            limit=limit,
        )
    )
    return [b.as_of(now) for b in found]


async def approval_queue(user: CurrentUser, query: QueueQuery, now: datetime) -> list[Booking]:
    """The requests waiting for a decision this user can make, soonest event first."""
    actor = user.actor
    if not actor.decides_requests:
        raise Forbidden(Message("queue.only_approvers"))
    sees_all = actor.admin or actor.finance
    candidates = await awaiting_decision(
        now, None if sees_all else actor, query.room_id, query.building_id
    )
    waiting = waiting_for(actor, candidates, now, query.tier)
    return waiting[query.offset : query.offset + query.limit]


def _first_start(booking: Booking) -> datetime:
    return min(o.meeting.start for o in booking.proposed or booking.occurrences)


async def competing_requests(user: CurrentUser, booking_id: int, now: datetime) -> list[Booking]:
    """Other requests that want any of the same rooms at an overlapping time."""
    booking = (await visible_booking(user, booking_id)).as_of(now)
    if not user.actor.is_staff:
        raise Forbidden(Message("queue.competing_only_staff"))
    wanted = booking.placements(proposed=booking.change_pending)
    if not wanted:
        return []  # cancelled or refused: it wants no room any more
    window = hull(p.blocked for p in wanted)
    statuses = [*COMPETING, Status.HELD]
    others = await occurrences.occupations(window, statuses, {p.room_id for p in wanted}, as_of=now)
    hits = find_conflicts(wanted, [o for o in others if o.booking_id != booking_id])
    found = await bookings.load_bookings(sorted({hit.existing.booking_id for hit in hits}))
    return [b.as_of(now) for b in found if can_see(user.actor, b.seen_facts)]
