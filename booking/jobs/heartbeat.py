"""A worker's sign of life, so operators and /api/health can tell that workers run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

HEARTBEAT_KEY = "booking:worker:heartbeat"


async def record_heartbeat(ctx: dict[str, Any]) -> str:
    stamp = datetime.now(UTC).isoformat()
    await ctx["redis"].set(HEARTBEAT_KEY, stamp, ex=600)
    return stamp
