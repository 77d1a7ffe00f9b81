"""Sweeping tentative holds whose time is up back to pending."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from booking.bookings.unit_of_work import sweep_expired_holds


async def lapse_expired_holds(ctx: dict[str, Any]) -> int:
    return await sweep_expired_holds(ctx["engine"], datetime.now(UTC))
