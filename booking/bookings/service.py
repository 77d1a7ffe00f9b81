"""Use cases of requesters: create, read, list, edit, submit, cancel, and the history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.approvals.holds import lapse_expired_holds, sweep_expired_holds
from booking.bookings import rule_check, transitions
from booking.bookings.changing import Claim, Collision, change_booking, check_free
from booking.bookings.conflict_report import conflict_error, current_conflicts
from booking.bookings.records import BookingRecord, visible_record
from booking.bookings.schemas import (
    AuditEntryView,
    BookingCreate,
    BookingUpdate,
    BookingView,
    Submission,
    VersionedAction,
)
from booking.bookings.series import (
    check_dates_apart,
    check_size,
    series_meetings,
    without_broken_dates,
    without_taken_dates,
)
from booking.bookings.views import created_booking_view, load_booking_views, local
from booking.core.access import (
    BookingFacts,
    can_act_for,
    can_cancel,
    can_change,
    can_see_contact,
    manages,
)
from booking.core.changes import changed_fields
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, Forbidden, RuleViolation, TransitionNotAllowed
from booking.core.localtime import to_instant
from booking.core.requests import check_request, meeting_span
from booking.core.rooms import RoomFacts
from booking.core.tiers import instant_approval
from booking.core.timespan import TimeSpan
from booking.core.workflow import (
    HOLDING,
    NO_CHANGE_WAITING,
    PROPOSED,
    SUPERSEDED,
    Action,
    EditEffect,
    Status,
    check_can_cancel,
    check_not_ended,
    check_version,
    edit_effect,
    status_on_creation,
    submitted_status,
)
from booking.db import audit, bookings, catalogue, tiers
from booking.db.engine import is_postgres
from booking.db.room_locks import lock_rooms
from booking.db.transactions import in_writing_transaction, is_exclusion_violation


async def _rooms_asked(room_ids: list[int]) -> list[RoomFacts]:
    rooms = await catalogue.rooms_by_id(room_ids)
    unknown = [room_id for room_id in room_ids if room_id not in rooms]
    if unknown:
        raise RuleViolation([FieldProblem("rooms", f"no room with id {i}") for i in unknown])
    return [rooms[room_id] for room_id in room_ids]


def _placements(rooms: list[RoomFacts], meeting: TimeSpan) -> list[Placement]:
    return [Placement(room.id, meeting, room.blocked(meeting)) for room in rooms]


async def create_booking(
    engine: Engine, user: CurrentUser, data: BookingCreate, now: datetime
) -> BookingView:
    asked = await _rooms_asked(data.rooms)
    zone = ZoneInfo(asked[0].zone)
    recurrence = None
    if data.recurrence is not None:
        meetings, recurrence = series_meetings(data, data.recurrence, zone, now)
    else:
        start, end = to_instant(data.start, zone, "start"), to_instant(data.end, zone, "end")
        meetings = [meeting_span(start, end)]
    meeting_span(meetings[0].start, meetings[0].end)
    check_request(meetings[0], asked, data.expected_attendance, now)
    organisation = await _organisation_for(user, data.organisation)
    fields = _checked_fields(data, organisation)
    needed = await tiers.tiers_needed(asked, _external(organisation), data.paid_rental)
    instant = instant_approval((room.instant_book for room in asked), needed)
    status = status_on_creation(data.submit, instant)
    wanted = [p for meeting in meetings for p in _placements(asked, meeting)]
    check_size(wanted)
    check_dates_apart(wanted)
    rooms = {room.id: room for room in asked}
    skip_taken = recurrence is not None and data.on_conflict == "skip"
    broken = await rule_check.breaches(wanted, asked, now)
    rule_skipped: list[dict[str, str]] = []
    overridden: dict[str, object] = {}
    override_reason = rule_check.given_reason(data.override_reason)
    if override_reason is not None and status is Status.DRAFT:
        raise RuleViolation(
            [
                FieldProblem(
                    "override_reason",
                    "rules are checked, and may be overridden, when a request is submitted:"
                    " send the override with submit true, or when you submit the draft",
                )
            ]
        )
    if override_reason is not None:
        places = BookingFacts.of(None, None, False, ((r.id, r.building_id) for r in asked))
        if not manages(user.actor, places):
            raise Forbidden("only the managers of these rooms may override their rules")
        if broken:
            overridden = {
                "override_reason": override_reason,
                "overridden": sorted(
                    {f"{rule_check.day_of(b, rooms)}: {b.reason}" for b in broken}
                ),
            }
    elif broken and skip_taken:
        wanted, rule_skipped = without_broken_dates(wanted, broken, rooms)
        if not wanted:
            raise rule_check.refusal(broken, rooms)
    elif broken:
        raise rule_check.refusal(broken, rooms)
    # On PostgreSQL the exclusion constraint alone decides whether a single hold may be
    # inserted; a pending request, which the constraint does not cover, is checked against the
    # holds, and so is a series, whose answer must list every date that is taken. A draft
    # claims nothing yet: it is checked when it is submitted.
    check_first = status is not Status.DRAFT and (
        recurrence is not None or status not in HOLDING or not is_postgres(engine)
    )

    async def insert() -> tuple[int, list[int], bookings.NewBooking, list[Placement]]:
        placements: list[Placement] = wanted
        skipped: list[dict[str, str]] = []
        if check_first or not bookings.is_single_statement(placements):
            # The lock is held from the check to the insert; an unchecked one-slot insert
            # takes its room's lock itself.
            await lock_rooms(engine, (p.room_id for p in placements))
        if check_first:
            conflicts = await current_conflicts(placements)
            if conflicts and await lapse_expired_holds(now):
                # Holds whose time is up were in the way: they are pending again now.
                conflicts = await current_conflicts(placements)
            if conflicts and skip_taken:
                placements, skipped = without_taken_dates(placements, conflicts, rooms)
            if conflicts and (not skip_taken or not placements):
                raise Collision(conflicts)
        skipped = sorted(skipped + rule_skipped, key=lambda s: s["date"])
        new = bookings.NewBooking(
            fields, status, user.id, [t.value for t in needed], recurrence, skipped
        )
        creation = bookings.Creation(
            action=Action.CREATED.value,
            actor_id=user.id,
            actor_name=user.display_name,
            details={"required_tiers": new.required_tiers, "skipped_dates": skipped, **overridden},
        )
        booking_id, occurrence_ids = await bookings.insert_booking(new, placements, now, creation)
        return booking_id, occurrence_ids, new, placements

    # Nothing to check, lock or write but one statement: it needs no transaction around it.
    alone = not check_first and bookings.is_single_statement(wanted)

    async def write() -> tuple[int, list[int], bookings.NewBooking, list[Placement]]:
        return await in_writing_transaction(engine, insert, single_statement=alone)

    try:
        try:
            created = await write()
        except Exception as exc:
            # PostgreSQL refused the hold. Holds whose time is up may be in the way: once they
            # are pending again, try once more.
            if not is_exclusion_violation(exc) or not await sweep_expired_holds(engine, now):
                raise
            created = await write()
    except Collision as collision:
        raise await conflict_error(
            collision.conflicts, rooms, data.expected_attendance, now
        ) from None
    except Exception as exc:
        if not is_exclusion_violation(exc):
            raise
        # Say what holds the room now.
        conflicts = await current_conflicts(wanted)
        raise await conflict_error(conflicts, rooms, data.expected_attendance, now) from None
    booking_id, occurrence_ids, new, placements = created
    return created_booking_view(
        booking_id,
        new,
        organisation,
        placements,
        occurrence_ids,
        rooms,
        user.actor,
        user.display_name,
        now,
    )


def _external(organisation: dict[str, Any] | None) -> bool:
    return organisation is not None and organisation["kind"] == "external"


async def _organisation_for(user: CurrentUser, code: str | None) -> dict[str, Any] | None:
    """The organisation the request is filed for: the one named, which the user must belong
    to, or else the user's only one."""
    actor = user.actor
    if code is not None:
        organisation = await catalogue.organisation_by_code(code)
        if organisation is None:
            raise RuleViolation([FieldProblem("organisation", f"no organisation {code!r}")])
        if not can_act_for(actor, organisation["id"]):
            raise RuleViolation([FieldProblem("organisation", f"you are not a member of {code!r}")])
        return organisation
    if len(actor.organisations) == 1:
        (only,) = actor.organisations
        rows = [o for o in await catalogue.organisations() if o["id"] == only]
        return rows[0] if rows else None
    if len(actor.organisations) > 1:
        raise RuleViolation(
            [FieldProblem("organisation", "you act for several organisations; name one")]
        )
    if can_act_for(actor, None):
        return None
    raise RuleViolation(
        [
            FieldProblem(
                "organisation",
                "you are not a member of any organisation; ask an administrator to add you",
            )
        ]
    )


def _checked_fields(
    data: BookingCreate, organisation: dict[str, Any] | None
) -> bookings.BookingFields:
    problems = [
        FieldProblem(name, "must not be blank")
        for name, value in (("title", data.title), ("organiser_name", data.organiser_name))
        if not value.strip()
    ]
    if problems:
        raise RuleViolation(problems)
    return bookings.BookingFields(
        title=data.title.strip(),
        description=data.description,
        organisation_id=organisation["id"] if organisation else None,
        organiser_name=data.organiser_name.strip(),
        contact_email=data.contact_email.strip(),
        contact_phone=data.contact_phone.strip(),
        expected_attendance=data.expected_attendance,
        is_public=data.is_public,
        paid_rental=data.paid_rental,
    )


async def get_booking(user: CurrentUser, booking_id: int, now: datetime) -> BookingView:
    record = await visible_record(user, booking_id)
    return (await load_booking_views([record.row], user.actor, now))[0]


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
) -> list[BookingView]:
    unknown = [s for s in query.statuses if s not in Status.__members__.values()]
    if unknown:
        raise RuleViolation([FieldProblem("status", f"unknown status {s!r}") for s in unknown])
    window = None
    if query.start is not None or query.end is not None:
        if query.start is None or query.end is None:
            missing = "start" if query.start is None else "end"
            raise RuleViolation([FieldProblem(missing, "give both start and end")])
        start = to_instant(query.start, default_zone, "start")
        end = to_instant(query.end, default_zone, "end")
        if end <= start:
            raise RuleViolation([FieldProblem("end", "must be after start")])
        window = TimeSpan(start, end)
    rows = await bookings.booking_rows(
        bookings.BookingFilter(
            visible_to=None if user.actor.sees_every_request else _visibility(user, managed=True),
            mine=_visibility(user) if query.mine else None,
            statuses=query.statuses,
            room_id=query.room_id,
            building_id=query.building_id,
            organisation_code=query.organisation,
            window=window,
            limit=query.limit,
            offset=query.offset,
        )
    )
    return await load_booking_views(rows, user.actor, now)


def _requester_record(user: CurrentUser, record: BookingRecord) -> None:
    if not can_change(user.actor, record.facts):
        raise Forbidden("only the requester's organisation can change this request")


async def submit_booking(
    engine: Engine, user: CurrentUser, booking_id: int, action: Submission, now: datetime
) -> BookingView:
    """Submit a draft, or resubmit a request sent back for changes."""

    async def submit(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _requester_record(user, record)
        check_version(record.state, action.version)
        asked = await _rooms_asked(record.room_ids())
        needed = await tiers.tiers_needed(asked, record.external, bool(record.row["paid_rental"]))
        instant = instant_approval((room.instant_book for room in asked), needed)
        status = submitted_status(record.state, instant)
        check_not_ended(record.state, now)
        # Dates already begun or over are history: only those ahead are checked again.
        placements = [p for p in record.placements() if p.meeting.start > now]
        if not placements:
            raise TransitionNotAllowed("every date of this request has begun already")
        check_request(placements[0].meeting, asked, record.row["expected_attendance"], now)
        claim.attendance = record.row["expected_attendance"]
        overridden = await rule_check.check_or_override(
            placements, asked, now, user.actor, action.override_reason
        )
        await lock_rooms(engine, (p.room_id for p in placements))
        await check_free(claim, placements, ignore_booking=booking_id)
        await transitions.apply(
            record,
            user,
            now,
            action=Action.SUBMITTED,
            to=status,
            values={"required_tiers": [t.value for t in needed], "tiers_done": 0},
            slots_to=status.value,
            comment=action.comment,
            details=overridden,
        )

    return await change_booking(engine, user, booking_id, now, submit)


async def cancel_booking(
    engine: Engine, user: CurrentUser, booking_id: int, action: VersionedAction, now: datetime
) -> BookingView:
    """Cancel a request or booking; its rooms are free again as soon as this commits."""

    async def cancel(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        if not can_cancel(user.actor, record.held_facts):
            raise Forbidden("only the requester's organisation or the room's manager can cancel")
        check_version(record.state, action.version)
        check_can_cancel(record.state, now)
        if record.proposed:
            await bookings.set_occurrence_status(booking_id, [PROPOSED], SUPERSEDED)
        await transitions.apply(
            record,
            user,
            now,
            action=Action.CANCELLED,
            to=Status.CANCELLED,
            values={"hold_until": None, **NO_CHANGE_WAITING},
            slots_to=Status.CANCELLED.value,
            comment=action.comment,
        )

    return await change_booking(engine, user, booking_id, now, cancel)


_SLOT_FIELDS = ("rooms", "start", "end")
_PLAIN_FIELDS = (
    "title",
    "description",
    "expected_attendance",
    "organiser_name",
    "contact_email",
    "contact_phone",
    "is_public",
    "paid_rental",
)


async def edit_booking(
    engine: Engine, user: CurrentUser, booking_id: int, data: BookingUpdate, now: datetime
) -> BookingView:
    """Change a request. A new time or rooms for an approved booking waits for the tiers while
    the booking keeps its current slot; for a pending one it restarts the tiers."""
    given = {
        name: getattr(data, name)
        for name in (*_SLOT_FIELDS, *_PLAIN_FIELDS)
        if getattr(data, name) is not msgspec.UNSET
    }
    for name in ("title", "organiser_name"):
        if name in given:
            given[name] = given[name].strip()
            if not given[name]:
                raise RuleViolation([FieldProblem(name, "must not be blank")])

    async def edit(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _requester_record(user, record)
        check_version(record.state, data.version)
        check_not_ended(record.state, now)
        row = record.row
        moving = any(name in given for name in _SLOT_FIELDS)
        if moving and row["recurrence"]:
            raise TransitionNotAllowed(
                "this is a series: move or cancel its dates one by one, or change it from a date on"
            )
        current_rooms = record.room_ids()
        asked = await _rooms_asked(given.get("rooms", current_rooms))
        zone = ZoneInfo(asked[0].zone)
        first = record.occurrences[0]
        start = (
            to_instant(given["start"], zone, "start") if "start" in given else first["starts_at"]
        )
        end = to_instant(given["end"], zone, "end") if "end" in given else first["ends_at"]
        meeting = meeting_span(start, end)
        attendance = given.get("expected_attendance", row["expected_attendance"])
        claim.attendance = attendance
        placements = (
            [record.placement_in(room, meeting) for room in asked]
            if moving
            else record.placements()
        )
        slot_changed = sorted(placements, key=_order) != sorted(record.placements(), key=_order)
        if slot_changed or "expected_attendance" in given:
            # An unchanged slot may have begun already; only a new one must lie ahead.
            check_request(meeting, asked, attendance, now if slot_changed else meeting.start)
        paid = given.get("paid_rental", bool(row["paid_rental"]))
        needed = await tiers.tiers_needed(asked, record.external, paid)
        instant = instant_approval((room.instant_book for room in asked), needed)
        effect = edit_effect(record.state, slot_changed, instant)
        overridden: dict[str, object] = {}
        if slot_changed:
            overridden = await rule_check.check_or_override(
                placements, asked, now, user.actor, data.override_reason
            )

        plain = {name: given[name] for name in _PLAIN_FIELDS if name in given}
        changes = changed_fields(row, plain)
        if slot_changed:
            changes |= _slot_changes(record, asked, meeting)
        if not changes:
            return
        values: dict[str, Any] = dict(plain)
        tier_names = [t.value for t in needed]
        if tier_names != list(record.state.required_tiers) or paid != bool(row["paid_rental"]):
            values |= {"required_tiers": tier_names, "tiers_done": 0}
        new_tiers = set(tier_names) - set(record.state.required_tiers)
        if new_tiers and record.approved_dates:
            raise TransitionNotAllowed(
                "this change would need the approval of "
                + ", ".join(sorted(new_tiers))
                + " for dates already approved on their own; cancel those dates first"
            )
        if record.status is Status.APPROVED and effect is EditEffect.IN_PLACE and new_tiers:
            raise TransitionNotAllowed(
                "this change would need the approval of "
                + ", ".join(sorted(new_tiers))
                + " for a booking already approved; cancel it and request it again"
            )
        action, to = Action.EDITED, record.status
        if effect is not EditEffect.IN_PLACE or record.status in HOLDING:
            await lock_rooms(engine, [*current_rooms, *(p.room_id for p in placements)])
        if effect is EditEffect.IN_PLACE and slot_changed:
            await bookings.delete_occurrences(booking_id, [record.status.value])
            await bookings.insert_occurrences(booking_id, placements, record.status.value)
        elif effect is EditEffect.BACK_TO_PENDING:
            await check_free(claim, placements, ignore_booking=booking_id)
            await bookings.delete_occurrences(booking_id, [record.status.value])
            await bookings.insert_occurrences(booking_id, placements, Status.PENDING.value)
            values |= {"required_tiers": tier_names, "tiers_done": 0, "hold_until": None}
            to = Status.PENDING
        elif effect is EditEffect.PROPOSE_CHANGE:
            await check_free(claim, placements, ignore_booking=booking_id)
            await bookings.insert_occurrences(booking_id, placements, PROPOSED)
            # A paid rental changes who must approve: it waits with the new slot.
            deferred = {"paid_rental": values.pop("paid_rental")} if "paid_rental" in values else {}
            values |= {
                "required_tiers": tier_names,
                "tiers_done": 0,
                "change_pending": True,
                "change_values": json.dumps(deferred),
            }
            action = Action.CHANGE_PROPOSED
        elif effect is EditEffect.MOVE_NOW:
            await check_free(claim, placements, ignore_booking=booking_id)
            await bookings.set_occurrence_status(booking_id, [Status.APPROVED], SUPERSEDED)
            await bookings.insert_occurrences(booking_id, placements, Status.APPROVED.value)
            values |= {"required_tiers": tier_names, "tiers_done": len(tier_names)}
        if "tiers_done" in values and to is Status.APPROVED and action is Action.EDITED:
            # Approved and staying so (no new slot to decide on): its tiers stay complete.
            values["tiers_done"] = len(tier_names)
        await transitions.apply(
            record,
            user,
            now,
            action=action,
            to=to,
            values=values,
            comment=data.comment,
            changes=changes,
            details=overridden,
        )

    return await change_booking(engine, user, booking_id, now, edit)


def _order(p: Placement) -> tuple[int, datetime]:
    return p.room_id, p.meeting.start


def _slot_changes(
    record: BookingRecord, asked: list[RoomFacts], meeting: TimeSpan
) -> dict[str, list[Any]]:
    first = record.occurrences[0]
    zone = first["zone"]
    before = {
        "rooms": sorted(o["room_code"] for o in record.occurrences),
        "start": local(first["starts_at"], zone).isoformat(),
        "end": local(first["ends_at"], zone).isoformat(),
    }
    after = {
        "rooms": sorted(room.code for room in asked),
        "start": local(meeting.start, asked[0].zone).isoformat(),
        "end": local(meeting.end, asked[0].zone).isoformat(),
    }
    return changed_fields(before, after)


_CONTACT_FIELDS = frozenset({"contact_email", "contact_phone"})


async def booking_history(user: CurrentUser, booking_id: int) -> list[AuditEntryView]:
    """The audit trail, oldest first; contact details stay hidden from whom they are hidden."""
    record = await visible_record(user, booking_id)
    show_contact = can_see_contact(user.actor, record.seen_facts)
    return [
        AuditEntryView(
            id=row["id"],
            at=row["at"],
            actor_id=row["actor"],
            actor_name=row["actor_name"],
            action=row["action"],
            from_status=row["from_status"],
            to_status=row["to_status"],
            version=row["version"],
            comment=row["comment"],
            changes={
                name: value
                for name, value in row["changes"].items()
                if show_contact or name not in _CONTACT_FIELDS
            },
            details=row["details"],
        )
        for row in await audit.history(booking_id)
    ]
