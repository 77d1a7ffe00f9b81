"""What an edit changed, field by field, for the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for every field of `after` whose value differs from `before`."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }
