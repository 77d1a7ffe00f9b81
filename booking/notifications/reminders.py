"""The reminder, the day before an approved event, of what it has that day: its rooms, their
times and where the buildings are."""

from __future__ import annotations

from datetime import date

from booking.core.workflow import Status
from booking.notifications import links
from booking.notifications.content import Content, MessageContext
from booking.notifications.envelope import NothingToSay
from booking.notifications.request_view import date_list, request_view
from booking.web import formatting


async def reminder(context: MessageContext) -> Content:
    request = await request_view(context)
    booking = request.booking
    day = date.fromisoformat(context.data["date"])
    that_day = [
        slot
        for slot in booking.live
        if slot.local_day == day and slot.status == Status.APPROVED.value
    ]
    if booking.status is not Status.APPROVED or not that_day:
        raise NothingToSay("nothing of the request is booked that day any more")
    values = {
        "request": request,
        "day": formatting.day_long(day, texts=context.texts),
        "that_day": date_list(that_day, context.texts, with_rooms=True),
        "audience": "requester",
        "optional": True,
        "settings_url": context.link(links.NOTIFICATION_SETTINGS),
    }
    return context.content(values)
