"""HTTP: the administrators' API of the outbox, under /api/notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.guards import requires_admin
from booking.db import outbox
from booking.notifications import admin
from booking.notifications.schemas import (
    Discard,
    NotificationCounts,
    NotificationView,
)

MAX_OFFSET = 1_000_000


def view(message: outbox.StoredMessage) -> NotificationView:
    return NotificationView(
        id=message.id,
        kind=message.kind,
        status=message.status,
        booking=message.booking_id,
        recipient=message.recipient_id,
        address=message.address,
        language=message.language,
        message_id=message.message_id,
        attempts=message.attempts,
        created_at=message.created_at,
        due_at=message.due_at,
        sent_at=message.sent_at,
        reason=message.last_error,
        discarded_reason=message.discarded_reason,
        data=dict(message.data),
    )


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ("notifications",)
    guards = [requires_admin]  # noqa: RUF012

    @get("/", summary="E-mails in the outbox, newest first (administrators)")
    async def list_notifications(
        self,
        status: Annotated[
            list[outbox.Delivery] | None,
            QueryParameter(description="Only these states, e.g. ?status=failed"),
        ] = None,
        booking: Annotated[int | None, QueryParameter(ge=1)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> list[NotificationView]:
        found = await admin.listed([s.value for s in status or []], booking, limit, offset)
        return [view(message) for message in found]

    @get("/counts", summary="How many e-mails are in each state (administrators)")
    async def counts(self) -> NotificationCounts:
        return NotificationCounts(**await admin.counts())

    @get("/{notification_id:int}", summary="One e-mail of the outbox (administrators)")
    async def get_notification(self, notification_id: FromPath[int]) -> NotificationView:
        return view(await admin.one(notification_id))

    @post(
        "/{notification_id:int}/retry",
        status_code=200,
        summary="Try a failed e-mail again now (administrators)",
    )
    async def retry(
        self,
        notification_id: FromPath[int],
        engine: NamedDependency[Engine],
        now: NamedDependency[datetime],
    ) -> NotificationView:
        return view(await admin.retry(engine, notification_id, now))

    @post(
        "/{notification_id:int}/discard",
        status_code=200,
        summary="Give up a failed or pending e-mail, saying why (administrators)",
    )
    async def discard(
        self,
        notification_id: FromPath[int],
        data: JSONBody[Discard],
        engine: NamedDependency[Engine],
    ) -> NotificationView:
        return view(await admin.discard(engine, notification_id, data.reason))
