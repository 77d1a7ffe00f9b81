"""What the pages' forms share: the sent fields as text, the service's refusals as a message
beside each field, and where a form may send the user back to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from litestar import Request

from booking.core.errors import FieldProblem
from booking.core.messages import Message
from booking.web.templates import said


async def form_fields(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The form's fields (the last value of a repeated one)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def field_errors(
    problems: Iterable[FieldProblem], names: Mapping[str, str] | None = None
) -> dict[str, str]:
    """{form field: text} of the refusal's problems; `names` maps the service's field names
    (`slots[0].start`) to the form's where they differ. The first problem of a field wins."""
    errors: dict[str, str] = {}
    for problem in problems:
        field = said(problem.field) if isinstance(problem.field, Message) else problem.field
        field = (names or {}).get(field, field)
        errors.setdefault(field, said(problem.reason))
    return errors


def safe_next(target: str | None, default: str = "/") -> str:
    """A page on this site to go back to: a path, never another site (`//evil`, `https:`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


# The years a page takes a date in. Beyond them a date is a typing mistake, and near year 1 or
# 9999 a week or a month around it does not exist.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def day_typed(text: str | None) -> date | None:
    """The ISO date in `text`, if it is one within the years the pages take."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def within_years(day: date) -> date:
    """`day`, or the nearest day the pages take."""
    return min(max(day, EARLIEST_DAY), LATEST_DAY)
