"""What the notifications API takes and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from booking.db.outbox import Delivery


class NotificationView(msgspec.Struct):
    id: int
    kind: str
    status: Delivery
    booking: int | None
    recipient: int | None
    address: str
    language: str
    message_id: str
    attempts: int
    created_at: datetime
    due_at: datetime
    sent_at: datetime | None
    # The mail server's last answer (why it failed or was deferred).
    reason: str
    discarded_reason: str
    data: dict[str, Any]


class NotificationCounts(msgspec.Struct):
    pending: int
    sending: int
    sent: int
    failed: int
    discarded: int


class Discard(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
