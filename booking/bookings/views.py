"""The API's views of requests, their history and their conflicts, in each building's local
time and in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec

from booking.bookings.previewing import Preview
from booking.bookings.schemas import (
    AuditEntryView,
    BookingView,
    ConflictView,
    DatePreviewView,
    OccurrenceView,
    PreviewView,
    ProblemView,
    SkippedDate,
)
from booking.core.access import Actor, can_see_contact
from booking.core.actions import available_actions
from booking.core.booking import Booking, Slot
from booking.core.conflicts import Conflict
from booking.core.events import HistoryEntry
from booking.core.rooms import RoomFacts
from booking.core.workflow import current_tier
from booking.i18n import Texts


def occurrence_view(slot: Slot) -> OccurrenceView:
    zone = ZoneInfo(slot.zone)
    return OccurrenceView(
        id=slot.id,
        room_id=slot.room_id,
        room_code=slot.room_code,
        start=slot.meeting.start.astimezone(zone),
        end=slot.meeting.end.astimezone(zone),
        blocked_from=slot.blocked.start.astimezone(zone),
        blocked_until=slot.blocked.end.astimezone(zone),
        status=slot.status,
    )


def booking_view(booking: Booking, actor: Actor | None, now: datetime, texts: Texts) -> BookingView:
    """The request as `actor` may see it: contact details only for those who handle it."""
    fields, state = booking.fields, booking.state
    contact = can_see_contact(actor, booking.seen_facts)
    tier = current_tier(state)
    return BookingView(
        id=booking.id,
        title=fields.title,
        description=fields.description,
        organisation=booking.organisation_code,
        requested_by=booking.requested_by,
        requested_by_name=booking.requested_by_name,
        organiser_name=fields.organiser_name,
        contact_email=fields.contact_email if contact else None,
        contact_phone=fields.contact_phone if contact else None,
        expected_attendance=fields.expected_attendance,
        is_public=fields.is_public,
        paid_rental=fields.paid_rental,
        status=booking.status.value,
        version=booking.version,
        required_tiers=[t.value for t in state.required_tiers],
        tiers_done=state.tiers_done,
        awaiting_tier=tier.value if tier is not None else None,
        hold_until=booking.hold_until,
        change_pending=booking.change_pending,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
        occurrences=[occurrence_view(o) for o in booking.occurrences],
        proposed_occurrences=[occurrence_view(o) for o in booking.proposed],
        allowed_actions=available_actions(actor, booking.facts, state, now),
        recurrence=booking.series.as_data() if booking.series else None,
        skipped_dates=[SkippedDate(s.day, texts(s.reason)) for s in booking.skipped_dates],
    )


def booking_views(
    found: Iterable[Booking], actor: Actor | None, now: datetime, texts: Texts
) -> list[BookingView]:
    return [booking_view(booking, actor, now, texts) for booking in found]


def history_view(entry: HistoryEntry, texts: Texts) -> AuditEntryView:
    """One audit row; the service's own words (why it declined, that a hold expired) in the
    reader's language."""
    details = dict(entry.details)
    note = details.pop("note", None)
    said = replace(
        entry,
        comment=entry.comment or (texts.rendered(note) if note else ""),
        details=texts.rendered(details),
    )
    return msgspec.convert(said, AuditEntryView, from_attributes=True)


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


def preview_view(preview: Preview, texts: Texts) -> PreviewView:
    dates = []
    for day in preview.dates:
        zone = ZoneInfo(day.zone)
        alternatives = day.alternatives.as_data(preview.rooms) if day.alternatives else None
        dates.append(
            DatePreviewView(
                date=day.day,
                start=day.meeting.start.astimezone(zone),
                end=day.meeting.end.astimezone(zone),
                state=day.state,  # type: ignore[arg-type]
                reason=texts(day.refused) if day.refused else None,
                conflicts=conflict_views(day.conflicts, preview.rooms),
                alternatives=alternatives,
            )
        )
    problems = [
        ProblemView(p.field if isinstance(p.field, str) else texts(p.field), texts(p.reason))
        for p in preview.problems
    ]
    return PreviewView(
        clear=preview.clear,
        status=preview.status.value if preview.status else None,
        required_tiers=[t.value for t in preview.tiers],
        dates=dates,
        problems=problems,
    )
