"""Sweeping tentative holds whose time is up back to pending.

A lapse is a change of the request like any other: the unit of work logs it, and the relay
tells the requester (a HOLD_LAPSED message) after the commit.
"""

from __future__ import annotations

from typing import Any

from booking.bookings.unit_of_work import sweep_expired_holds
from booking.jobs.context import now_of


async def lapse_expired_holds(ctx: dict[str, Any]) -> int:
    return await sweep_expired_holds(ctx["engine"], now_of(ctx))
