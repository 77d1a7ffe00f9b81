"""Invitations: the iCalendar part of an e-mail that calendar clients act on (RFC 5546 iTIP).

METHOD:REQUEST puts the request's dates into the recipient's own calendar, or updates them
there (same UID as in the feeds, a higher SEQUENCE); METHOD:CANCEL takes them out again. The
recipient is the ATTENDEE (Gmail shows its buttons only then); the ORGANIZER is a mailbox that
reads replies, never a no-reply address, or the answers are lost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from booking.calendars.entries import Entry, vevents
from booking.calendars.lines import lines
from booking.calendars.publishing import PRODID
from booking.calendars.zones import vtimezone


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True, slots=True)
class Mailbox:
    address: str
    name: str = ""

    def line(self, prefix: str) -> str:
        name = f';CN="{_quoted(self.name)}"' if self.name else ""
        return f"{prefix}{name}:mailto:{self.address}"


def _quoted(value: str) -> str:
    """A parameter value inside double quotes, which may hold neither quotes nor controls."""
    return "".join(ch for ch in value.replace('"', "'") if ch >= " " or ch == "\t")


def invitation(
    method: Method, entry: Entry, organizer: Mailbox, attendee: Mailbox, rules_year: int
) -> bytes:
    """The text/calendar body of an invitation (REQUEST) or of its cancellation (CANCEL) for
    the request `entry`, sent to `attendee`. A cancellation marks every date CANCELLED."""
    people = (
        organizer.line("ORGANIZER"),
        attendee.line("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"),
    )
    occasions = entry.occasions
    if method is Method.CANCEL:
        occasions = tuple(replace(o, status="CANCELLED") for o in occasions)
    sent: Entry = replace(entry, occasions=occasions, people=people)
    content = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method.value}",
        *vtimezone(entry.zone, rules_year),
        *vevents(sent),
        "END:VCALENDAR",
    ]
    return lines(content)


def content_type(method: Method) -> str:
    """The Content-Type of the part: its method must match the calendar's (RFC 6047 §2.4)."""
    return f'text/calendar; charset="utf-8"; method={method.value}'
