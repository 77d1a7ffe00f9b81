"""The e-mail of single dates of a request changed: one cancelled or refused on its own, dates
moved, a date the series had skipped added back. Which dates: the event names a cancelled or
refused one; a move's old and new times are in the audit row of the change.

An approved request gets an updated invitation (same UID, a higher SEQUENCE) with the dates
that stand. A request whose last date went is cancelled or rejected as a whole, and hears of it
by that kind's e-mail instead (core.notifications).
"""

from __future__ import annotations

from datetime import date, datetime

from booking.core.events import Action
from booking.db import change_log
from booking.i18n import Texts
from booking.notifications.content import Content, MessageContext
from booking.notifications.decisions import invitation_if_approved
from booking.notifications.request_view import request_view
from booking.web import formatting


async def dates_changed(context: MessageContext) -> Content:
    request = await request_view(context)
    said = context.texts
    action = str(context.data.get("action", ""))
    day = context.data.get("date")
    moves: list[tuple[str, str]] = []
    if action in (Action.DATES_MOVED, Action.DATE_RESTORED):
        moves = await _moves(request.booking.id, context.data.get("version"), said)
    calendar = await invitation_if_approved(context, request)
    values = {
        "request": request,
        "action": action,
        "day": formatting.day_long(date.fromisoformat(day), texts=said) if day else "",
        "moves": moves,
        "comment": str(context.data.get("comment") or "").strip(),
        "calendar": calendar is not None,
        "audience": "requester",
    }
    return context.content(values, calendar)


async def _moves(booking_id: int, version: object, texts: Texts) -> list[tuple[str, str]]:
    """(was, is now) for each date the change moved or added back ("" for none), from its
    audit row: {day: [[old "start/end", …], [new "start/end", …]]} in local times."""
    entry = next((e for e in await change_log.history(booking_id) if e.version == version), None)
    if entry is None:
        return []
    moves = []
    for _, (old, new) in sorted(entry.changes.items()):
        moves.append((_spans(old, texts), _spans(new, texts)))
    return moves


def _spans(described: list[str], texts: Texts) -> str:
    said = []
    for one in described:
        start, end = (datetime.fromisoformat(part) for part in one.split("/"))
        said.append(formatting.when(start, end, texts=texts))
    return "; ".join(dict.fromkeys(said))
