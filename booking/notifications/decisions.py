"""E-mails to a requester about a decision on their request: approved (with the calendar
invitation), rejected, changes requested, rooms held or the hold lapsed, cancelled (taking the
dates out of the calendar), a proposed change approved or refused."""

from __future__ import annotations

from datetime import datetime

from booking.calendars.invitations import Method
from booking.core.workflow import Status
from booking.notifications import links
from booking.notifications.content import Content, MessageContext
from booking.notifications.request_view import RequestView, moment, request_view


def _values(context: MessageContext, request: RequestView) -> dict[str, object]:
    return {
        "request": request,
        "comment": str(context.data.get("comment") or "").strip(),
        "audience": "requester",
    }


async def invitation_if_approved(
    context: MessageContext, request: RequestView
) -> tuple[bytes, Method] | None:
    """The invitation of the dates that stand, if the request is still approved as this is
    composed (cancelled meanwhile, its cancellation's e-mail says so)."""
    if request.booking.status is not Status.APPROVED:
        return None
    return await context.invitation(request.booking, Method.REQUEST)


async def approved(context: MessageContext) -> Content:
    request = await request_view(context)
    calendar = await invitation_if_approved(context, request)
    return context.content(_values(context, request) | {"calendar": calendar is not None}, calendar)


async def rejected(context: MessageContext) -> Content:
    request = await request_view(context)
    # Dates approved on their own before the rest was refused stay approved.
    partly = context.data.get("to") == Status.APPROVED.value
    return context.content(_values(context, request) | {"partly": partly})


async def changes_requested(context: MessageContext) -> Content:
    request = await request_view(context)
    edit = context.link(f"{links.request_page(request.booking.id)}/edit")
    return context.content(_values(context, request) | {"edit_url": edit})


async def held(context: MessageContext) -> Content:
    request = await request_view(context)
    until = datetime.fromisoformat(context.data["until"])
    return context.content(
        _values(context, request) | {"until": moment(until, request.zone, context.texts)}
    )


async def hold_lapsed(context: MessageContext) -> Content:
    request = await request_view(context)
    return context.content(_values(context, request))


async def cancelled(context: MessageContext) -> Content:
    """Only an approved request was ever sent an invitation, so only its cancellation takes
    dates out of calendars; a request withdrawn before a decision is in nobody's calendar."""
    request = await request_view(context)
    calendar = None
    if context.data.get("from") == Status.APPROVED.value:
        calendar = await context.invitation(request.booking, Method.CANCEL)
    return context.content(_values(context, request) | {"calendar": calendar is not None}, calendar)


async def change_decided(context: MessageContext) -> Content:
    """Approved: the change took effect, and the invitation moves the dates in calendars.
    Refused: the booking keeps the dates it had, which calendars show already."""
    request = await request_view(context)
    accepted = bool(context.data.get("approved"))
    calendar = await invitation_if_approved(context, request) if accepted else None
    values = _values(context, request) | {"approved": accepted, "calendar": calendar is not None}
    return context.content(values, calendar)
