"""Changes to single dates of a request: cancel one, move one, change the series from a date
on, and take back a date the series skipped.

A date is every occurrence of the request that starts on that local day (one per room), so a
request has at most one date a day. New times and rooms take effect as an edit of the whole
booking would: a draft changes in place; a pending or held request goes back to pending and its
tiers start again; an approved booking in rooms that need approval keeps its slots while the
new ones wait for the tiers as a proposed change; in instant-book rooms it moves at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.bookings import rule_check, transitions
from booking.bookings.changing import Claim, change_booking, check_free
from booking.bookings.records import BookingRecord, placement, visible_record
from booking.bookings.schemas import BookingView, DateRestore
from booking.bookings.series import (
    MAX_DATE_LENGTH,
    SeriesDay,
    check_dates_apart,
    check_wall_clock_times,
    series_day,
    with_change_from,
)
from booking.core.access import can_cancel, can_change
from booking.core.conflicts import Placement
from booking.core.errors import (
    FieldProblem,
    Forbidden,
    NotFound,
    RuleViolation,
    TransitionNotAllowed,
)
from booking.core.localtime import to_instant
from booking.core.recurrence import MAX_HORIZON, Ambiguity, series_slots
from booking.core.requests import check_request, meeting_span
from booking.core.rooms import RoomFacts
from booking.core.tiers import instant_approval
from booking.core.workflow import (
    LIVE,
    NO_CHANGE_WAITING,
    PROPOSED,
    SUPERSEDED,
    Action,
    EditEffect,
    Status,
    check_not_ended,
    check_not_final,
    check_version,
    edit_effect,
    status_once_dates_decided,
)
from booking.db import bookings, catalogue, tiers
from booking.db.room_locks import lock_rooms


def local_day(row: dict[str, Any]) -> date:
    day: date = row["starts_at"].astimezone(ZoneInfo(row["zone"])).date()
    return day


def date_of(record: BookingRecord, occurrence_id: int) -> tuple[date, list[dict[str, Any]]]:
    """The local date of an occurrence, and every live occurrence of the request that day."""
    found = next((o for o in record.occurrences if o["id"] == occurrence_id), None)
    if found is None:
        raise NotFound("occurrence", field="occurrence")
    if found["status"] not in LIVE:
        raise RuleViolation([FieldProblem("occurrence", f"this date is already {found['status']}")])
    day = local_day(found)
    return day, [o for o in record.live if local_day(o) == day]


def _requester(user: CurrentUser, record: BookingRecord) -> None:
    if not can_change(user.actor, record.facts):
        raise Forbidden("only the requester's organisation can change this request")


async def cancel_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    version: int,
    comment: str,
    now: datetime,
) -> BookingView:
    """Cancel one date; cancelling the last live date cancels the request."""

    async def cancel(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        if not can_cancel(user.actor, record.held_facts):
            raise Forbidden("only the requester's organisation or the room's manager can cancel")
        check_version(record.state, version)
        check_not_final(record.state)
        day, rows = date_of(record, occurrence_id)
        _check_not_over(rows, now)
        ids = [o["id"] for o in rows]
        if set(ids) & record.replaced_by_change():
            raise TransitionNotAllowed(
                "a change of this date is waiting for approval: cancel the date once the change"
                " is decided, or cancel the whole request"
            )
        await bookings.set_status_of(booking_id, ids, Status.CANCELLED)
        left = [o["status"] for o in record.live if o["id"] not in ids]
        to = status_once_dates_decided(record.status, left, emptied=Status.CANCELLED)
        values: dict[str, Any] = {}
        if to is Status.CANCELLED:
            if record.proposed:
                await bookings.set_occurrence_status(booking_id, [PROPOSED], SUPERSEDED)
            values = {"hold_until": None, **NO_CHANGE_WAITING}
        elif to is Status.APPROVED:
            values = transitions.all_tiers_done(record)
        await transitions.apply(
            record,
            user,
            now,
            action=Action.DATE_CANCELLED,
            to=to,
            values=values,
            comment=comment,
            details={"date": day.isoformat(), "occurrences": ids},
        )

    return await change_booking(engine, user, booking_id, now, cancel)


async def move_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    start: datetime,
    end: datetime,
    version: int,
    comment: str,
    now: datetime,
    override_reason: str | None = None,
) -> BookingView:
    """Give one date another time (any day), in the same rooms."""

    async def move(claim: Claim) -> None:
        record = await _changeable(user, booking_id, version, now)
        day, rows = date_of(record, occurrence_id)
        _check_not_over(rows, now)
        rooms = await _rooms([o["room"] for o in rows])
        zone = ZoneInfo(rows[0]["zone"])
        meeting = meeting_span(to_instant(start, zone, "start"), to_instant(end, zone, "end"))
        if record.row["recurrence"] and meeting.duration > MAX_DATE_LENGTH:
            raise RuleViolation(
                [FieldProblem("end", "each date of a series may last at most 24 hours")]
            )
        horizon = now.astimezone(zone).date() + MAX_HORIZON
        if record.row["recurrence"] and meeting.start.astimezone(zone).date() > horizon:
            raise RuleViolation(
                [FieldProblem("start", f"a series may reach {horizon} at the latest")]
            )
        check_request(meeting, rooms, record.row["expected_attendance"], now)
        new = [record.placement_in(r, meeting) for r in rooms]
        await _reslot(
            engine,
            user,
            record,
            {day: (rows, new)},
            claim,
            comment,
            now,
            override_reason=override_reason,
        )

    return await change_booking(engine, user, booking_id, now, move)


async def change_following(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    changes: dict[str, Any],
    version: int,
    comment: str,
    now: datetime,
    override_reason: str | None = None,
) -> BookingView:
    """New wall-clock times and/or rooms for this date and every later one of the series."""

    async def change(claim: Claim) -> None:
        record = await _changeable(user, booking_id, version, now)
        if not record.row["recurrence"]:
            raise RuleViolation([FieldProblem("occurrence", "this request is not a series")])
        first_day, first_rows = date_of(record, occurrence_id)
        _check_not_over(first_rows, now)
        rule = json.loads(record.row["recurrence"])
        before = series_day(rule, first_day, record.room_ids())
        asked_rooms = changes.get("rooms") or before.rooms
        if len(set(asked_rooms)) != len(asked_rooms):
            raise RuleViolation([FieldProblem("rooms", "a room is named more than once")])
        after = SeriesDay(
            changes.get("start_time") or before.start_time,
            changes.get("end_time") or before.end_time,
            list(asked_rooms),
        )
        check_wall_clock_times(after)
        rooms = await _rooms(after.rooms)
        zone = ZoneInfo(rooms[0].zone)  # the wall clock of the rooms the dates move to
        by_day: dict[date, list[dict[str, Any]]] = {}
        for row in record.live:
            if local_day(row) >= first_day:
                by_day.setdefault(local_day(row), []).append(row)
        ambiguity = _ambiguity(changes.get("ambiguous"), rule)
        slots = series_slots(sorted(by_day), after.start_time, after.end_time, zone, ambiguity)
        check_request(slots[0].meeting, rooms, record.row["expected_attendance"], now)
        plan = {
            slot.day: (
                by_day[slot.day],
                [record.placement_in(r, slot.meeting) for r in rooms],
            )
            for slot in slots
        }
        # The rule keeps the change, so a skipped date restored later gets the times and
        # rooms of its own part of the series.
        extra = {"recurrence": json.dumps(with_change_from(rule, first_day, after))}
        await _reslot(
            engine,
            user,
            record,
            plan,
            claim,
            comment,
            now,
            extra=extra,
            override_reason=override_reason,
        )

    return await change_booking(engine, user, booking_id, now, change)


async def restore_skipped_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    day: date,
    data: DateRestore,
    now: datetime,
) -> BookingView:
    """Add back a date the series skipped, with the times and rooms the series has that day,
    if it is free now."""

    async def restore(claim: Claim) -> None:
        record = await _changeable(user, booking_id, data.version, now)
        skipped = json.loads(record.row["skipped_dates"] or "[]")
        if day.isoformat() not in [s["date"] for s in skipped]:
            raise NotFound("skipped date", field="date")
        rule = json.loads(record.row["recurrence"])
        that_day = series_day(rule, day, record.room_ids())
        ambiguity = _ambiguity(data.ambiguous, rule)
        rooms = await _rooms(that_day.rooms)
        (slot,) = series_slots(
            [day], that_day.start_time, that_day.end_time, ZoneInfo(rooms[0].zone), ambiguity
        )
        check_request(slot.meeting, rooms, record.row["expected_attendance"], now)
        new = [record.placement_in(r, slot.meeting) for r in rooms]
        left = [s for s in skipped if s["date"] != day.isoformat()]
        await _reslot(
            engine,
            user,
            record,
            {day: ([], new)},
            claim,
            data.comment,
            now,
            action=Action.DATE_RESTORED,
            extra={"skipped_dates": json.dumps(left)},
            override_reason=data.override_reason,
        )

    return await change_booking(engine, user, booking_id, now, restore)


async def _changeable(
    user: CurrentUser, booking_id: int, version: int, now: datetime
) -> BookingRecord:
    record = await visible_record(user, booking_id)
    _requester(user, record)
    check_version(record.state, version)
    check_not_final(record.state)
    check_not_ended(record.state, now)
    return record


async def _rooms(room_ids: Sequence[int]) -> list[RoomFacts]:
    wanted = list(dict.fromkeys(room_ids))
    found = await catalogue.rooms_by_id(wanted)
    missing = [r for r in wanted if r not in found]
    if missing:
        raise RuleViolation([FieldProblem("rooms", f"no room with id {r}") for r in missing])
    return [found[r] for r in wanted]


async def _reslot(
    engine: Engine,
    user: CurrentUser,
    record: BookingRecord,
    plan: dict[date, tuple[list[dict[str, Any]], list[Placement]]],
    claim: Claim,
    comment: str,
    now: datetime,
    *,
    action: Action = Action.DATES_MOVED,
    extra: dict[str, Any] | None = None,
    override_reason: str | None = None,
) -> None:
    """Replace the occurrences of each planned date with new placements."""
    old_ids = [o["id"] for rows, _ in plan.values() for o in rows]
    new = [p for _, placements in plan.values() for p in placements]
    kept = [o for o in record.live if o["id"] not in old_ids]
    after = await _rooms([*(o["room"] for o in kept), *(p.room_id for p in new)])
    rooms = {room.id: room for room in after}
    _check_one_date_a_day(kept, new, rooms)
    check_dates_apart([placement(o) for o in kept] + new, field="start")
    # The tiers are those of every room the request has after the change.
    needed = await tiers.tiers_needed(after, record.external, bool(record.row["paid_rental"]))
    tier_names = [t.value for t in needed]
    instant = instant_approval((room.instant_book for room in after), needed)
    # Refuses final states, and a change while another one waits for approval.
    effect = edit_effect(record.state, slot_changed=True, instant=instant)
    claim.attendance = record.row["expected_attendance"]
    new_rooms = [rooms[r] for r in dict.fromkeys(p.room_id for p in new)]
    overridden = await rule_check.check_or_override(
        new, new_rooms, now, user.actor, override_reason
    )
    changes = {
        day.isoformat(): [
            [_describe(o["starts_at"], o["ends_at"], o["zone"]) for o in rows],
            [_describe(p.meeting.start, p.meeting.end, rooms[p.room_id].zone) for p in placements],
        ]
        for day, (rows, placements) in plan.items()
    }
    # What the change sets besides the dates (the series' rule, its skipped dates) takes
    # effect with the dates: at once, or when a change waiting for approval is approved.
    values: dict[str, Any] = dict(extra or {}) if effect is not EditEffect.PROPOSE_CHANGE else {}
    if tier_names != list(record.state.required_tiers):
        values |= {"required_tiers": tier_names, "tiers_done": 0}
    to, slots_to = record.status, None
    if effect is not EditEffect.IN_PLACE:
        await lock_rooms(engine, [*(o["room"] for o in record.live), *rooms])
        await check_free(claim, new, ignore_booking=record.id)
    if effect is EditEffect.IN_PLACE:
        await bookings.delete_occurrence_ids(record.id, old_ids)
        await bookings.insert_occurrences(record.id, new, record.status)
    elif effect is EditEffect.BACK_TO_PENDING:
        await bookings.delete_occurrence_ids(record.id, old_ids)
        await bookings.insert_occurrences(record.id, new, Status.PENDING)
        values |= {"required_tiers": tier_names, "tiers_done": 0, "hold_until": None}
        to, slots_to = Status.PENDING, Status.PENDING
    elif effect is EditEffect.PROPOSE_CHANGE:
        await bookings.insert_occurrences(record.id, new, PROPOSED)
        values |= {
            "required_tiers": tier_names,
            "tiers_done": 0,
            "change_pending": True,
            "change_supersedes": json.dumps(old_ids),
            "change_values": json.dumps(extra or {}),
        }
        action = Action.CHANGE_PROPOSED
    else:  # EditEffect.MOVE_NOW
        await bookings.set_status_of(record.id, old_ids, SUPERSEDED)
        await bookings.insert_occurrences(record.id, new, Status.APPROVED)
        values |= {"required_tiers": tier_names, "tiers_done": len(tier_names)}
    await transitions.apply(
        record,
        user,
        now,
        action=action,
        to=to,
        values=values,
        slots_to=slots_to,
        comment=comment,
        changes=changes,
        details=overridden,
    )


def _ambiguity(given: str | None, rule: dict[str, Any]) -> Ambiguity | None:
    """The reading of a repeated hour asked for now, else the one the series was made with."""
    choice = given or rule.get("ambiguous")
    return Ambiguity(choice) if choice else None


def _check_not_over(rows: list[dict[str, Any]], now: datetime) -> None:
    if max(o["ends_at"] for o in rows) <= now:
        raise RuleViolation([FieldProblem("occurrence", "this date is over")])


def _check_one_date_a_day(
    kept: list[dict[str, Any]], new: list[Placement], rooms: dict[int, RoomFacts]
) -> None:
    taken = {local_day(o) for o in kept}
    for slot in new:
        day = slot.meeting.start.astimezone(ZoneInfo(rooms[slot.room_id].zone)).date()
        if day in taken:
            raise RuleViolation(
                [
                    FieldProblem(
                        "start",
                        f"this request already has a date on {day.isoformat()}; move or cancel"
                        " that one first",
                    )
                ]
            )


def _describe(start: datetime, end: datetime, zone: str) -> str:
    local = ZoneInfo(zone)
    return f"{start.astimezone(local).isoformat()}/{end.astimezone(local).isoformat()}"
