"""The daily digest to an approver: the requests that wait for their decision, each with its
organisation, its first date and how long it has waited. None left waiting: nothing is sent.

How long a request has waited counts from the change that put it before its current tier:
its submission, the previous tier's approval or a proposed change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta

from booking.core.booking import Booking, Slot
from booking.core.events import Action
from booking.db import bookings, catalogue, change_log
from booking.i18n import Texts
from booking.notifications import links
from booking.notifications.content import Content, MessageContext
from booking.notifications.envelope import NothingToSay
from booking.notifications.request_view import shown_slots, waits_for_decision, when

_STARTS_WAITING = frozenset(
    {Action.CREATED, Action.SUBMITTED, Action.TIER_APPROVED, Action.CHANGE_PROPOSED}
)


@dataclass(frozen=True, slots=True)
class Waiting:
    title: str
    organisation: str
    first_date: str
    waited: str  # "3 days", "5 ore"
    url: str


async def digest(context: MessageContext) -> Content:
    ids = [i for i in context.data.get("waiting", []) if isinstance(i, int)]
    found = [b.as_of(context.now) for b in await bookings.load_bookings(ids)]
    waiting = [b for b in found if waits_for_decision(b)]
    if not waiting:
        raise NothingToSay("no request waits for a decision any more")
    waiting.sort(key=lambda b: (_slots(b)[0].meeting.start, b.id))
    organisations = {o.id: o.name for o in await catalogue.organisations()}
    rows = [await _row(b, organisations, context) for b in waiting]
    values = {
        "waiting": rows,
        "count": len(rows),
        "audience": "approver",
        "optional": True,
        "settings_url": context.link(links.NOTIFICATION_SETTINGS),
    }
    return context.content(values)


async def _row(booking: Booking, organisations: dict[int, str], context: MessageContext) -> Waiting:
    first = _slots(booking)[0]
    organisation = booking.fields.organisation_id
    return Waiting(
        title=booking.fields.title,
        organisation=organisations.get(organisation, "") if organisation is not None else "",
        first_date=when(
            first.meeting.start, first.meeting.end, ZoneInfo(first.zone), context.texts
        ),
        waited=_waited(context.now - await _waiting_since(booking), context.texts),
        url=context.link(links.request_page(booking.id)),
    )


def _slots(booking: Booking) -> list[Slot]:
    """The dates it asks for: a waiting change's, else its own, in time order."""
    return sorted(booking.proposed or shown_slots(booking), key=lambda s: s.meeting.start)


async def _waiting_since(booking: Booking) -> datetime:
    history = await change_log.history(booking.id)
    started = [e.at for e in history if e.action in _STARTS_WAITING]
    return max(started, default=booking.created_at)


def _waited(span: timedelta, texts: Texts) -> str:
    """Rounded as people say it: 23 hours is "1 day"."""
    return str(format_timedelta(span, add_direction=False, locale=texts.locale))
