"""Where an e-mail sends its reader: the pages of the service, as paths under its base URL.

The paths are the pages' own (booking.pages, a layer above this one, which therefore cannot be
imported here); tests/integration/test_mail_composing.py opens each one to keep them true.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

MY_REQUESTS = "/requests"
# The account page's section where reminders and digests are turned on or off.
NOTIFICATION_SETTINGS = "/account#notifications"


def request_page(booking_id: int) -> str:
    return f"/requests/{booking_id}"


def _slot_query(start: datetime, end: datetime, people: int) -> dict[str, str]:
    return {
        "date": start.date().isoformat(),
        "start": f"{start:%H:%M}",
        # A time field cannot hold 24:00: a meeting up to midnight asks for 23:59 (as the
        # finder's own links do).
        "end": "23:59" if end.date() > start.date() else f"{end:%H:%M}",
        "people": str(people),
    }


def booking_form(room_code: str, start: datetime, end: datetime, people: int) -> str:
    """The booking form with its first step filled in: the room, the local date and times and
    the attendance (the form reads them from its query, booking.pages.request_form)."""
    return "/book?" + urlencode({"room": room_code, **_slot_query(start, end, people)}, safe=":")


def finder(start: datetime, end: datetime, people: int) -> str:
    """The room finder, searching the rooms free at these local times for `people`."""
    return "/?" + urlencode(_slot_query(start, end, people), safe=":")


def outbox_retry(message_id: int) -> str:
    """The administrators' API call that tries a failed message again (POST)."""
    return f"/api/notifications/{message_id}/retry"
