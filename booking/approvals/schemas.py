"""API shapes for decisions on requests."""

from __future__ import annotations

from typing import Annotated

import msgspec


class Decision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A decision on the version of the request the approver saw."""

    version: Annotated[int, msgspec.Meta(ge=1)]
