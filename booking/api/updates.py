"""A change is sent as a struct whose fields default to UNSET: what was left out stays as it is."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec


def sent_fields(data: msgspec.Struct, skip: Collection[str] = ()) -> dict[str, Any]:
    """The fields the body gave, by name, and only those (less the ones in `skip`)."""
    return {
        name: value
        for name in data.__struct_fields__
        if name not in skip and (value := getattr(data, name)) is not msgspec.UNSET
    }
