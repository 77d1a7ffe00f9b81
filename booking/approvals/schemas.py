"""API shapes for decisions on requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from booking.core.requests import MAX_TEXT_LENGTH

Comment = Annotated[str, msgspec.Meta(max_length=MAX_TEXT_LENGTH)]
Version = Annotated[int, msgspec.Meta(ge=1)]


class Decision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A decision on the version of the request the approver saw."""

    version: Version
    comment: Comment = ""


class HoldPlacement(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Hold the rooms until `until` (at most 30 days); then the request is pending again."""

    version: Version
    until: datetime
    comment: Comment = ""
