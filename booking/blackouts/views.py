"""The API's views of blackouts and of the bookings they fall on, in local time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from booking.blackouts.closures import Affected, Closure
from booking.blackouts.importing import ImportResult
from booking.blackouts.schemas import AffectedOccurrence, BlackoutSaved, BlackoutView, ImportReport
from booking.core.booking_rules import Blackout


def blackout_view(blackout: Blackout, zone: ZoneInfo) -> BlackoutView:
    return BlackoutView(
        id=blackout.id,
        start=blackout.span.start.astimezone(zone),
        end=blackout.span.end.astimezone(zone),
        reason=blackout.reason,
        building=blackout.building_id,
        room=blackout.room_id,
        imported_uid=blackout.source_uid or None,
    )


def affected_view(hit: Affected) -> AffectedOccurrence:
    occupation, room = hit.occupation, hit.room
    zone = ZoneInfo(room.zone)
    return AffectedOccurrence(
        booking_id=occupation.booking_id,
        occurrence_id=occupation.occurrence_id,
        room_id=room.id,
        room_code=room.code,
        start=occupation.meeting.start.astimezone(zone),
        end=occupation.meeting.end.astimezone(zone),
        status=occupation.status,
        title=hit.title,
    )


def closure_view(closure: Closure) -> BlackoutSaved:
    return BlackoutSaved(
        blackout_view(closure.blackout, closure.zone),
        [affected_view(hit) for hit in closure.affected],
    )


def import_view(result: ImportResult) -> ImportReport:
    return ImportReport(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        removed=result.removed,
        blackouts=[blackout_view(b, result.zone) for b in result.blackouts],
        affected=[affected_view(hit) for hit in result.affected],
    )
