"""Ids beyond what any table holds, refused before they reach the database.

PostgreSQL refuses such a number in a query with an error that names no field, and SQLite's
driver cannot even bind one past 2**63; either way no record can have it.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request

from booking.api import MAX_ID
from booking.core.errors import NotFound

# An id in a body or a query.
RecordId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]


def refuse_ids_beyond_any_record(request: Request[Any, Any, Any]) -> None:
    """An id in the path that no record can have: 404, as for any id that does not exist."""
    for name, value in request.path_params.items():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise NotFound(name.removesuffix("_id"))
