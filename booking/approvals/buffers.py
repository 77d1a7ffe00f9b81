"""An approver's own setup and teardown for one booking, instead of the rooms' defaults."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.bookings import transitions
from booking.bookings.changing import Claim, change_booking, check_free
from booking.bookings.records import visible_record
from booking.bookings.schemas import BookingView
from booking.bookings.series import check_dates_apart
from booking.core.access import manages
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, Forbidden, RuleViolation, TransitionNotAllowed
from booking.core.rooms import MAX_BUFFER
from booking.core.timespan import TimeSpan, blocked_span
from booking.core.workflow import FINAL, HOLDING, PROPOSED, Action, check_version
from booking.db import bookings
from booking.db.room_locks import lock_rooms

MAX_MINUTES = int(MAX_BUFFER.total_seconds() // 60)


class BufferChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Minutes of setup before and teardown after every date of the booking; null returns to
    the rooms' own. The reason is kept in the audit trail."""

    version: int
    setup_minutes: int | None
    teardown_minutes: int | None
    reason: str


async def set_buffers(
    engine: Engine, user: CurrentUser, booking_id: int, data: BufferChange, now: datetime
) -> BookingView:
    problems = [
        FieldProblem(name, f"must be 0 to {MAX_MINUTES} minutes")
        for name in ("setup_minutes", "teardown_minutes")
        if getattr(data, name) is not None and not 0 <= getattr(data, name) <= MAX_MINUTES
    ]
    if not data.reason.strip():
        problems.append(FieldProblem("reason", "say why this booking needs other buffers"))
    if problems:
        raise RuleViolation(problems)

    async def change(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        # The buffers apply to the rooms held now and to those of a change waiting for approval.
        if not (manages(user.actor, record.held_facts) and manages(user.actor, record.facts)):
            raise Forbidden("only the managers of these rooms may change a booking's buffers")
        check_version(record.state, data.version)
        if record.status in FINAL:
            raise TransitionNotAllowed(f"a {record.status} request keeps no rooms to prepare")
        slots = record.live + record.proposed
        rooms = await bookings.rooms_buffers(list({row["room"] for row in slots}))
        replaced = record.replaced_by_change()
        updated: list[tuple[int, TimeSpan]] = []
        holding: list[Placement] = []
        current: list[Placement] = []  # the dates as they are
        approved_change: list[Placement] = []  # once a change waiting for approval is approved
        for row in slots:
            default_setup, default_teardown = rooms[row["room"]]
            setup = data.setup_minutes if data.setup_minutes is not None else default_setup
            teardown = (
                data.teardown_minutes if data.teardown_minutes is not None else default_teardown
            )
            meeting = TimeSpan(row["starts_at"], row["ends_at"])
            blocked = blocked_span(meeting, timedelta(minutes=setup), timedelta(minutes=teardown))
            updated.append((row["id"], blocked))
            placement = Placement(row["room"], meeting, blocked)
            if row["status"] != PROPOSED:
                current.append(placement)
            if row["id"] not in replaced:
                approved_change.append(placement)
            if row["status"] in HOLDING:
                holding.append(placement)
        check_dates_apart(current, field="setup_minutes")
        check_dates_apart(approved_change, field="setup_minutes")
        if holding:
            await lock_rooms(engine, [p.room_id for p in holding])
            claim.attendance = record.row["expected_attendance"]
            await check_free(claim, holding, ignore_booking=booking_id)
        await bookings.set_blocked(updated)
        before = {
            "setup_minutes": record.row["setup_override"],
            "teardown_minutes": record.row["teardown_override"],
        }
        after = {"setup_minutes": data.setup_minutes, "teardown_minutes": data.teardown_minutes}
        await transitions.apply(
            record,
            user,
            now,
            action=Action.BUFFERS_CHANGED,
            values={
                "setup_override": data.setup_minutes,
                "teardown_override": data.teardown_minutes,
            },
            comment=data.reason.strip(),
            changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
        )

    return await change_booking(engine, user, booking_id, now, change)
