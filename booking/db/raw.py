"""Hand-written SQL for the hot paths.

Piccolo spends about a millisecond compiling a select with joins; the few queries that every
booking and every free-room search runs are written out instead. `{}` placeholders are turned
into each engine's own (`$1` or `?`) by Piccolo, so the same text runs on both.
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table


def placeholders(count: int) -> str:
    return ", ".join(["{}"] * count)


async def fetch(table: type[Table], sql: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await table.raw(sql, *args)
    return rows
