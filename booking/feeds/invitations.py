"""The invitation of a request for one recipient: what calendar clients add, update or remove
when the request is approved, changed or cancelled. The notifications send it; this builds it,
with the same UID and SEQUENCE as every feed shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from zoneinfo import ZoneInfo

from booking.calendars.invitations import Mailbox, Method, invitation
from booking.core.booking import Booking
from booking.core.errors import NotFound
from booking.core.feeds import CALENDAR_STATUS, FeedDate, FeedKind
from booking.core.workflow import Status
from booking.db import bookings, catalogue
from booking.feeds.publishing import request_entries
from booking.i18n import texts


async def invitation_for(
    booking_id: int,
    method: Method,
    organizer: Mailbox,
    attendee: Mailbox,
    language: str,
    base_url: str,
    default_zone: ZoneInfo,
) -> bytes:
    """The invitation of the request `booking_id` (see invitation_of)."""
    booking = await bookings.load_booking(booking_id)
    if booking is None:
        raise NotFound("booking")
    return await invitation_of(
        booking, method, organizer, attendee, language, base_url, default_zone
    )


async def invitation_of(
    booking: Booking,
    method: Method,
    organizer: Mailbox,
    attendee: Mailbox,
    language: str,
    base_url: str,
    default_zone: ZoneInfo,
) -> bytes:
    """REQUEST: the request's dates that stand (approved, or still to be decided); CANCEL:
    every date it had. For a request already read (an e-mail about it has read it)."""
    status = booking.status.value
    dates = [
        FeedDate(
            booking_id=booking.id,
            version=booking.version,
            changed_at=booking.updated_at,
            title=booking.fields.title,
            description=booking.fields.description,
            organisation_name="",
            is_public=booking.fields.is_public,
            booking_status=status,
            room_id=slot.room_id,
            start=slot.meeting.start,
            end=slot.meeting.end,
            # A cancelled request's dates are written as they stood; CANCEL marks them.
            status=slot.status if slot.status in CALENDAR_STATUS else Status.APPROVED.value,
        )
        for slot in booking.occurrences
        if method is Method.CANCEL or slot.status in CALENDAR_STATUS
    ]
    if not dates:
        raise NotFound("occurrence")
    organisation = (
        await catalogue.organisation(booking.fields.organisation_id)
        if booking.fields.organisation_id is not None
        else None
    )
    if organisation is not None:
        dates = [replace(one, organisation_name=organisation.name) for one in dates]
    (entry,) = await request_entries(
        FeedKind.PERSONAL, dates, texts(language), language, base_url, default_zone
    )
    year = min(one.start for one in dates).astimezone(UTC).year
    return invitation(method, entry, organizer, attendee, rules_year=max(year, 1971))
