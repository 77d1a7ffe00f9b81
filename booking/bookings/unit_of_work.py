"""The one write path of booking requests.

Every change of a request, its creation included, runs as one unit of work: holds whose time is
up lapse first; then, in one writing transaction, the rooms are locked, what is asked for is
checked against what holds them, the change is applied (the request, its slots, one audit row
and the change's events in the change log), and the transaction commits. A refusal comes back
explained: a collision with what holds the rooms and what could be had instead; a stale version
or a transition not allowed now with the request as it is now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.conflicts import conflict_error, current_conflicts
from booking.bookings.reading import visible_booking
from booking.core.booking import Booking
from booking.core.conflicts import Conflict, Placement
from booking.core.creation import NewBooking
from booking.core.errors import NotFound, StaleVersion, TransitionNotAllowed
from booking.core.events import Action, Event
from booking.core.messages import Message
from booking.core.transitions import Change, Decided, hold_ended, message_detail
from booking.core.workflow import check_version, hold_has_lapsed
from booking.db import booking_writes, bookings, catalogue, change_log, commits
from booking.db.room_locks import lock_rooms
from booking.db.transactions import RoomTaken, in_writing_transaction

T = TypeVar("T")


class Collision(Exception):
    """The slots asked for are held by another request (raised inside the transaction)."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__("collision")
        self.conflicts = conflicts


@dataclass(frozen=True, slots=True)
class WrittenEvent:
    booking_id: int
    version: int
    event: Event


@dataclass(frozen=True, slots=True)
class Outcome:
    """A use case's result: the request as it is after the change, and what happened."""

    booking: Booking
    events: tuple[WrittenEvent, ...]


@dataclass
class UnitOfWork:
    engine: Engine
    user: CurrentUser | None  # None: the service itself (a hold lapsing)
    now: datetime
    # What the change tries to hold, so that a refusal by the database can be explained.
    claimed: list[Placement] = field(default_factory=list)
    attendance: int = 1
    written: list[WrittenEvent] = field(default_factory=list)

    async def lock_rooms(self, room_ids: Sequence[int]) -> None:
        """Hold the rooms until the transaction ends, so that what is checked stays true."""
        await lock_rooms(room_ids)

    async def check_free(
        self, placements: Sequence[Placement], attendance: int, ignore_booking: int | None
    ) -> None:
        """Refuse, with every collision, slots that something else holds now."""
        self.claimed, self.attendance = list(placements), attendance
        conflicts = await current_conflicts(placements, ignore_booking=ignore_booking)
        if conflicts:
            raise Collision(conflicts)

    def _entry(
        self, action: Action, before: str, after: Change | NewBooking, version: int
    ) -> change_log.Entry:
        """The audit row and events of a change (or of a creation) made by this unit."""
        return change_log.Entry(
            actor_id=self.user.id if self.user else None,
            actor_name=self.user.display_name if self.user else change_log.SYSTEM,
            at=self.now,
            action=action,
            from_status=before,
            to_status=(after.to if isinstance(after, Change) else after.status).value,
            version=version,
            comment=after.comment if isinstance(after, Change) else "",
            changes=after.changes if isinstance(after, Change) else {},
            details=after.details,
            events=after.events,
            rooms=after.rooms,
        )

    async def apply(self, booking: Booking, change: Change) -> int:
        """Write the change if the request is still at the version it was read at; returns the
        new version."""
        values = {"status": change.to, **change.values}
        if not await booking_writes.update_booking(booking.id, booking.version, values, self.now):
            raise StaleVersion()
        version = booking.version + 1
        entry = self._entry(change.action, change.before.value, change, version)
        await booking_writes.apply_change(booking.id, change, entry)
        self.written += [WrittenEvent(booking.id, version, e) for e in change.events]
        return version

    async def write(self, booking: Booking, decided: Decided) -> None:
        """Lock what the decision says, check its new slots against what holds the rooms now,
        and apply it."""
        if decided.change is None:
            return
        if decided.lock:
            await self.lock_rooms(decided.lock)
        if decided.check:
            attendance = decided.change.values.get(
                "expected_attendance", booking.fields.expected_attendance
            )
            await self.check_free(decided.check, attendance, ignore_booking=booking.id)
        await self.apply(booking, decided.change)

    async def create(self, new: NewBooking) -> tuple[int, list[int]]:
        entry = self._entry(Action.CREATED, "", new, 1)
        booking_id, occurrence_ids = await booking_writes.insert_booking(new, entry, self.now)
        self.written += [WrittenEvent(booking_id, 1, e) for e in new.events]
        return booking_id, occurrence_ids

    async def explained(self, conflicts: Sequence[Conflict]) -> Exception:
        rooms = await catalogue.rooms_by_id(c.wanted.room_id for c in conflicts)
        return await conflict_error(conflicts, rooms, self.attendance, self.now)

    async def run(
        self,
        work: Callable[[], Awaitable[T]],
        single_statement: bool = False,
        lapse_and_retry: bool = False,
    ) -> T:
        """Run `work` in one writing transaction; a collision, found by the check or by the
        database itself, comes back as a conflict with its explanation. With
        `lapse_and_retry`, a refusal by the database lapses the holds whose time is up, and
        if one did, `work` is tried once more."""

        async def attempt() -> T:
            self.written.clear()
            done = await in_writing_transaction(self.engine, work, single_statement)
            if self.written:
                # The change's events are in the change log: its notifications may go now.
                commits.announce(self.engine)
            return done

        try:
            try:
                return await attempt()
            except RoomTaken:
                if not lapse_and_retry or not await sweep_expired_holds(self.engine, self.now):
                    raise
                return await attempt()
        except Collision as collision:
            raise await self.explained(collision.conflicts) from None
        except RoomTaken:
            # A concurrent change took the room first: say what holds it now.
            raise await self.explained(await current_conflicts(self.claimed)) from None


async def lapse_expired_holds(unit: UnitOfWork) -> int:
    """Inside the unit's transaction: every hold whose time is up goes back to pending, as the
    service's own change (whoever's change found it in the way)."""
    service = UnitOfWork(unit.engine, None, unit.now)
    lapsed = 0
    for booking in await bookings.load_bookings(await bookings.expired_holds(unit.now)):
        if not hold_has_lapsed(booking.state, unit.now):
            continue
        note = {"note": message_detail(Message("hold.expired"))}
        lapse = hold_ended(booking, Action.HOLD_LAPSED, details=note)
        try:
            await service.apply(booking, lapse)
        except StaleVersion:
            continue
        lapsed += 1
    unit.written += service.written
    return lapsed


async def sweep_expired_holds(engine: Engine, now: datetime) -> int:
    """Lapse the holds whose time is up, in a transaction of its own. Usually there is none:
    asking first spares every change a second writing transaction (on SQLite, the whole
    database's write lock)."""
    if not await bookings.expired_holds(now):
        return 0
    lapsed = await in_writing_transaction(
        engine, lambda: lapse_expired_holds(UnitOfWork(engine, None, now))
    )
    if lapsed:
        commits.announce(engine)
    return lapsed


async def change_booking(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    version: int,
    now: datetime,
    may: Callable[[CurrentUser, Booking], None],
    work: Callable[[UnitOfWork, Booking], Awaitable[None]],
) -> Outcome:
    """Change one request: read it (404 if the user may not see it), check that the user `may`
    do this and that it is still at the `version` they saw, then let `work` decide and apply the
    change in the unit."""
    # Holds whose time is up go back to pending first, in a transaction of their own: the
    # change then reads, and is checked against, what holds the rooms now, and a refusal does
    # not undo the lapse (the request's version moved on; the caller reloads and decides).
    await sweep_expired_holds(engine, now)
    unit = UnitOfWork(engine, user, now)

    async def changing() -> None:
        booking = await visible_booking(user, booking_id)
        may(user, booking)
        check_version(booking.state, version)
        await work(unit, booking)

    try:
        await unit.run(changing)
    except (StaleVersion, TransitionNotAllowed) as exc:
        exc.current = await bookings.load_booking(booking_id)
        raise
    changed = await bookings.load_booking(booking_id)
    if changed is None:
        raise NotFound("booking")
    return Outcome(changed, tuple(unit.written))
