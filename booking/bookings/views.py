"""Turning stored rows and domain values into API views, in the building's local time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from booking.bookings.records import BookingRecord
from booking.bookings.schemas import (
    AlternativesView,
    BookingView,
    ConflictView,
    OccurrenceView,
    RoomSuggestion,
    SkippedDate,
    SlotSuggestion,
)
from booking.core.access import Actor, can_see_contact
from booking.core.actions import available_actions
from booking.core.alternatives import Alternatives
from booking.core.conflicts import Conflict, Placement
from booking.core.rooms import RoomFacts
from booking.core.workflow import PROPOSED, SUPERSEDED, Status, current_tier
from booking.db import bookings


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def occurrence_view(row: Mapping[str, Any]) -> OccurrenceView:
    zone = row["zone"]
    return OccurrenceView(
        id=row["id"],
        room_id=row["room"],
        room_code=row["room_code"],
        start=local(row["starts_at"], zone),
        end=local(row["ends_at"], zone),
        blocked_from=local(row["blocked_from"], zone),
        blocked_until=local(row["blocked_until"], zone),
        status=row["status"],
    )


def booking_view(
    row: Mapping[str, Any],
    occurrence_rows: Sequence[Mapping[str, Any]],
    actor: Actor | None,
    now: datetime,
) -> BookingView:
    record = BookingRecord(
        dict(row),
        [dict(o) for o in occurrence_rows if o["status"] not in (PROPOSED, SUPERSEDED)],
        [dict(o) for o in occurrence_rows if o["status"] == PROPOSED],
    )
    facts, state = record.facts, record.state
    contact = can_see_contact(actor, record.seen_facts)
    tier = current_tier(state)
    return BookingView(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        organisation=row["organisation_code"],
        requested_by=row["requested_by"],
        requested_by_name=row.get("requested_by_name"),
        organiser_name=row["organiser_name"],
        contact_email=row["contact_email"] if contact else None,
        contact_phone=row["contact_phone"] if contact else None,
        expected_attendance=row["expected_attendance"],
        is_public=bool(row["is_public"]),
        paid_rental=bool(row["paid_rental"]),
        status=row["status"],
        version=row["version"],
        required_tiers=list(state.required_tiers),
        tiers_done=state.tiers_done,
        awaiting_tier=tier.value if tier is not None else None,
        hold_until=row["hold_until"],
        change_pending=state.change_pending,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        occurrences=[occurrence_view(o) for o in record.occurrences],
        proposed_occurrences=[occurrence_view(o) for o in record.proposed],
        allowed_actions=available_actions(actor, facts, state, now),
        recurrence=json.loads(row["recurrence"]) if row.get("recurrence") else None,
        skipped_dates=[
            SkippedDate(date.fromisoformat(s["date"]), s["reason"])
            for s in json.loads(row.get("skipped_dates") or "[]")
        ],
    )


async def load_booking_views(
    rows: list[dict[str, Any]], actor: Actor | None, now: datetime
) -> list[BookingView]:
    by_booking: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    for occurrence in await bookings.occurrence_rows(by_booking):
        by_booking[occurrence["booking"]].append(occurrence)
    return [booking_view(row, by_booking[row["id"]], actor, now) for row in rows]


async def load_booking_view(
    booking_id: int, actor: Actor | None, now: datetime
) -> BookingView | None:
    row = await bookings.booking_row(booking_id)
    if row is None:
        return None
    return (await load_booking_views([row], actor, now))[0]


def created_booking_view(
    booking_id: int,
    new: bookings.NewBooking,
    organisation: Mapping[str, Any] | None,
    placements: Sequence[Placement],
    occurrence_ids: Sequence[int],
    rooms: Mapping[int, RoomFacts],
    actor: Actor,
    requested_by_name: str,
    now: datetime,
) -> BookingView:
    """The view of a booking just inserted, built from what was inserted (no reload)."""
    fields = new.fields
    row = fields.as_dict() | {
        "id": booking_id,
        "organisation": fields.organisation_id,
        "organisation_code": organisation["code"] if organisation else None,
        "organisation_kind": organisation["kind"] if organisation else None,
        "requested_by": new.requested_by,
        "requested_by_name": requested_by_name,
        "status": new.status,
        "version": 1,
        "required_tiers": list(new.required_tiers),
        "tiers_done": len(new.required_tiers) if new.status == Status.APPROVED else 0,
        "hold_until": None,
        "change_pending": False,
        "created_at": now,
        "updated_at": now,
        "recurrence": json.dumps(new.recurrence) if new.recurrence else "",
        "skipped_dates": json.dumps(list(new.skipped_dates)),
    }
    occurrence_rows = [
        {
            "id": occurrence_id,
            "booking": booking_id,
            "room": p.room_id,
            "room_code": rooms[p.room_id].code,
            "building_id": rooms[p.room_id].building_id,
            "zone": rooms[p.room_id].zone,
            "starts_at": p.meeting.start,
            "ends_at": p.meeting.end,
            "blocked_from": p.blocked.start,
            "blocked_until": p.blocked.end,
            "status": new.status,
        }
        for p, occurrence_id in sorted(
            zip(placements, occurrence_ids, strict=True),
            key=lambda pair: (pair[0].meeting.start, pair[1]),
        )
    ]
    return booking_view(row, occurrence_rows, actor, now)


def conflict_views(
    conflicts: Iterable[Conflict], rooms: Mapping[int, RoomFacts]
) -> list[ConflictView]:
    views = []
    for conflict in conflicts:
        room = rooms[conflict.wanted.room_id]
        zone = ZoneInfo(room.zone)  # one lookup per conflict, not one per time shown
        existing = conflict.existing
        views.append(
            ConflictView(
                room_id=room.id,
                room_code=room.code,
                requested_start=conflict.wanted.meeting.start.astimezone(zone),
                requested_end=conflict.wanted.meeting.end.astimezone(zone),
                occurrence_id=existing.occurrence_id,
                booking_id=existing.booking_id,
                start=existing.meeting.start.astimezone(zone),
                end=existing.meeting.end.astimezone(zone),
                blocked_from=existing.blocked.start.astimezone(zone),
                blocked_until=existing.blocked.end.astimezone(zone),
                status=existing.status,
                title=existing.public_title,
            )
        )
    return views


def alternatives_view(
    alternatives: Alternatives, rooms: Mapping[int, RoomFacts]
) -> AlternativesView:
    return AlternativesView(
        rooms=[
            RoomSuggestion(r.id, r.code, r.name, r.capacity, r.building_id)
            for r in alternatives.rooms
        ],
        slots=[
            SlotSuggestion(
                room_id=room_id,
                room_code=rooms[room_id].code,
                start=local(span.start, rooms[room_id].zone),
                end=local(span.end, rooms[room_id].zone),
            )
            for room_id, span in alternatives.slots
        ],
    )
