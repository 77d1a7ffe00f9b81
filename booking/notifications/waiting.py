"""E-mails of a request that waits for a decision: to its requester, that it came in and who
decides; to the approvers, that it waits for them, and again when it starts soon undecided."""

from __future__ import annotations

from datetime import datetime

from booking.core.workflow import current_tier
from booking.notifications import links
from booking.notifications.content import Content, MessageContext
from booking.notifications.envelope import NothingToSay
from booking.notifications.request_view import moment, request_view, tier_step, waits_for_decision


async def submitted(context: MessageContext) -> Content:
    request = await request_view(context)
    values = {
        "request": request,
        "step": tier_step(request.booking, context.texts),
        "my_requests": context.link(links.MY_REQUESTS),
        "audience": "requester",
    }
    return context.content(values)


async def awaiting_decision(context: MessageContext) -> Content:
    request = await request_view(context)
    if not waits_for_decision(request.booking):
        raise NothingToSay("the request no longer waits for a decision")
    asked = context.data.get("tier")
    deciding = current_tier(request.booking.state)
    if asked is not None and (deciding is None or deciding.value != asked):
        raise NothingToSay("the tier asked has decided meanwhile")
    values = {
        "request": request,
        "step": tier_step(request.booking, context.texts),
        "change": request.booking.change_pending,
        "audience": "approver",
    }
    return context.content(values)


async def pending_soon(context: MessageContext) -> Content:
    request = await request_view(context)
    if not waits_for_decision(request.booking):
        raise NothingToSay("the request no longer waits for a decision")
    starts = datetime.fromisoformat(context.data["starts_at"])
    values = {
        "request": request,
        "starts": moment(starts, request.zone, context.texts),
        "step": tier_step(request.booking, context.texts),
        "audience": "approver",
    }
    return context.content(values)
