"""Reading feeds back the way calendar clients do, with two parsers that share no code with the
service's writer: icalendar (expanded by recurring-ical-events) and vobject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import icalendar
import recurring_ical_events
import vobject


@dataclass(frozen=True, order=True)
class Seen:
    """One date as a client shows it."""

    start: datetime  # UTC
    end: datetime
    uid: str
    status: str
    location: str
    summary: str


def _utc(value: datetime) -> datetime:
    assert value.tzinfo is not None, "a floating time"
    return value.astimezone(UTC)


def expanded(body: bytes, start: datetime, end: datetime) -> list[Seen]:
    """Every date the feed shows between `start` and `end`, by icalendar and
    recurring-ical-events."""
    calendar = icalendar.Calendar.from_ical(body)
    found = [
        Seen(
            _utc(event.decoded("DTSTART")),
            _utc(event.decoded("DTEND")),
            str(event["UID"]),
            str(event.get("STATUS", "")),
            str(event.get("LOCATION", "")),
            str(event.get("SUMMARY", "")),
        )
        for event in recurring_ical_events.of(calendar).between(start, end)
    ]
    return sorted(found)


def expanded_by_vobject(body: bytes, start: datetime, end: datetime) -> list[Seen]:
    """The same, by vobject's own parser and rule expansion (overrides replace the dates they
    name)."""
    calendar = vobject.readOne(body.decode())
    masters: dict[str, object] = {}
    overrides: dict[tuple[str, datetime], object] = {}
    for event in calendar.vevent_list:
        uid = event.uid.value
        if hasattr(event, "recurrence_id"):
            overrides[(uid, _utc(event.recurrence_id.value))] = event
        else:
            masters[uid] = event
    found = []

    def seen(event: object, begin: datetime) -> None:
        length = event.dtend.value - event.dtstart.value  # type: ignore[attr-defined]
        status = event.status.value if hasattr(event, "status") else ""  # type: ignore[attr-defined]
        location = event.location.value if hasattr(event, "location") else ""  # type: ignore[attr-defined]
        if start <= _utc(begin) < end or start < _utc(begin + length) <= end:
            found.append(
                Seen(
                    _utc(begin),
                    _utc(begin + length),
                    event.uid.value,  # type: ignore[attr-defined]
                    status,
                    location,
                    event.summary.value,  # type: ignore[attr-defined]
                )
            )

    for uid, event in masters.items():
        for begin in event.getrruleset(addRDate=True) or [event.dtstart.value]:  # type: ignore[attr-defined]
            override = overrides.get((uid, _utc(begin)))
            if override is not None:
                seen(override, override.dtstart.value)  # type: ignore[attr-defined]
            else:
                seen(event, begin)
    return sorted(found)
