"""The weekly summary to administrators of the e-mails that could not be delivered: for each, its
kind, its recipient, why it failed and the API call that tries it again. Those retried or
discarded since the summary was planned are left out; none left, nothing is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from booking.db import outbox
from booking.notifications import links
from booking.notifications.content import Content, MessageContext
from booking.notifications.envelope import NothingToSay
from booking.notifications.request_view import moment


@dataclass(frozen=True, slots=True)
class Failure:
    id: int
    kind: str
    recipient: str
    reason: str
    retry: str  # the path to POST to


async def failed_summary(context: MessageContext) -> Content:
    failures = []
    for message_id in context.data.get("failed", []):
        message = await outbox.message(message_id) if isinstance(message_id, int) else None
        if message is None or message.status is not outbox.Delivery.FAILED:
            continue
        failures.append(
            Failure(
                id=message.id,
                kind=message.kind,
                recipient=message.address,
                reason=message.last_error,
                retry=links.outbox_retry(message.id),
            )
        )
    if not failures:
        raise NothingToSay("no delivery is failed any more")
    since = datetime.fromisoformat(context.data["since"])
    values = {
        "failures": failures,
        "count": len(failures),
        "since": moment(since, context.default_zone, context.texts),
        "audience": "admin",
    }
    return context.content(values)
