"""Small builders for the pure unit tests: aware instants, spans and rooms with sane defaults."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.core.errors import DomainError, RuleViolation
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan
from booking.core.workflow import STATUS_NAMES, Status
from booking.i18n import texts

BUCHAREST = ZoneInfo("Europe/Bucharest")

# A plain day far from any DST change, in the future relative to any test clock.
DAY = date(2030, 5, 6)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def at(hh_mm: str, on: date = DAY) -> datetime:
    """An aware UTC instant at `hh_mm` on `on`."""
    return datetime.combine(on, time.fromisoformat(hh_mm), tzinfo=UTC)


def span(start: str, end: str, on: date = DAY) -> TimeSpan:
    """A UTC span on one day, e.g. span("10:00", "11:30")."""
    return TimeSpan(at(start, on), at(end, on))


def local(hh_mm: str, on: date = DAY) -> datetime:
    """An aware instant at wall-clock `hh_mm` in Bucharest on `on`."""
    return datetime.combine(on, time.fromisoformat(hh_mm), tzinfo=BUCHAREST)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def room(
    id: int = 1,
    *,
    code: str | None = None,
    building_id: int = 1,
    capacity: int = 30,
    equipment: Iterable[str] = (),
    setup: int = 0,
    teardown: int = 0,
    instant_book: bool = True,
    active: bool = True,
    zone: str = "Europe/Bucharest",
) -> RoomFacts:
    """A room; buffers are given in minutes."""
    return RoomFacts(
        id=id,
        code=code or f"R{id:03d}",
        name=f"Room {id}",
        building_id=building_id,
        zone=zone,
        capacity=capacity,
        equipment=frozenset(equipment),
        setup=minutes(setup),
        teardown=minutes(teardown),
        instant_book=instant_book,
        active=active,
    )


# What the core refuses with is a message code; these read it in English, as the API does for
# an English reader, so the tests see the words a person would.
english = texts("en")


def reasons(error: RuleViolation) -> list[tuple[str, str]]:
    """Each problem of a refusal as (field, reason in English)."""
    return [(p.field, english(p.reason)) for p in error.problems]


@contextmanager
def refused(kind: type[DomainError], match: str) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """Like pytest.raises(kind, match=…), matching the refusal's message in English."""
    with pytest.raises(kind) as caught:
        yield caught
    error = caught.value
    if isinstance(error, RuleViolation):
        said = "; ".join(f"{field}: {reason}" for field, reason in reasons(error))
    else:
        said = english(error.message)
    assert re.search(match, said), f"{match!r} not found in {said!r}"


def named(status: Status) -> str:
    """A status as the English texts name it."""
    return english(STATUS_NAMES[status])
