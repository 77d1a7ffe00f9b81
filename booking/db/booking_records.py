"""Booking requests between their stored rows and the domain's typed records.

The one place where a request's JSON columns (its tiers, its series, the dates it skipped, a
change waiting for approval) are read and written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from booking.core.booking import (
    Booking,
    BookingFields,
    Slot,
    WaitingValues,
    current_and_proposed,
)
from booking.core.messages import Message, message_data, message_from_data
from booking.core.rooms import buffer_of, minutes_of
from booking.core.series import Series, SkippedDate
from booking.core.timespan import TimeSpan
from booking.core.workflow import Status, tiers_from

# The columns of a booking row, with its organisation and requester, every reader selects.
BOOKING_COLUMNS = (
    "b.id, b.title, b.description, b.organisation, b.requested_by, b.paid_rental,"
    " b.required_tiers, b.tiers_done, b.hold_until, b.change_pending, b.recurrence,"
    " b.change_supersedes, b.change_values, b.setup_override, b.teardown_override,"
    " b.skipped_dates, b.organiser_name, b.contact_email, b.contact_phone,"
    " b.expected_attendance, b.is_public, b.status, b.version, b.created_at, b.updated_at,"
    " org.code AS organisation_code, org.kind AS organisation_kind,"
    " u.display_name AS requested_by_name"
)
BOOKING_FROM = (
    "bookings b LEFT JOIN organisations org ON org.id = b.organisation"
    " LEFT JOIN users u ON u.id = b.requested_by"
)
OCCURRENCE_COLUMNS = (
    "o.id, o.booking, o.room, o.starts_at, o.ends_at, o.blocked_from, o.blocked_until,"
    " o.status, r.code AS room_code, r.building AS building_id, bd.zone"
)
OCCURRENCE_FROM = (
    "occurrences o JOIN rooms r ON r.id = o.room JOIN buildings bd ON bd.id = r.building"
)


def _json(raw: Any, empty: Any) -> Any:
    if raw is None or raw == "":
        return empty
    return json.loads(raw) if isinstance(raw, str | bytes) else raw


def slot(row: Mapping[str, Any]) -> Slot:
    return Slot(
        id=row["id"],
        room_id=row["room"],
        room_code=row["room_code"],
        building_id=row["building_id"],
        zone=row["zone"],
        meeting=TimeSpan(row["starts_at"], row["ends_at"]),
        blocked=TimeSpan(row["blocked_from"], row["blocked_until"]),
        status=row["status"],
    )


def _skipped(items: Iterable[Mapping[str, Any]]) -> tuple[SkippedDate, ...]:
    return tuple(SkippedDate(date.fromisoformat(s["date"]), _reason(s["reason"])) for s in items)


def _reason(stored: Any) -> Message:
    # Reasons stored before messages had codes are kept as their text.
    if isinstance(stored, str):
        return Message("stored.text", text=stored)
    return message_from_data(stored)


def skipped_data(skipped: Iterable[SkippedDate]) -> list[dict[str, Any]]:
    return [{"date": s.day.isoformat(), "reason": message_data(s.reason)} for s in skipped]


def _as_is(value: Any) -> Any:
    return value


# How the values a change waiting for approval sets are kept in its JSON column.
_WAITING_ENCODE: dict[str, Any] = {
    "series": lambda series: series.as_data(),
    "skipped_dates": skipped_data,
}


def _waiting(raw: Any) -> WaitingValues:
    stored = _json(raw, {})
    series = stored.get("series") or stored.get("recurrence")
    skipped = stored.get("skipped_dates")
    return WaitingValues(
        paid_rental=stored.get("paid_rental"),
        series=Series.from_data(_json(series, None)) if series else None,
        skipped_dates=_skipped(_json(skipped, [])) if skipped is not None else None,
    )


def booking(row: Mapping[str, Any], slots: Iterable[Slot]) -> Booking:
    """The request of a booking row (selected with BOOKING_COLUMNS) and its slots."""
    recurrence = _json(row["recurrence"], None)
    supersedes = _json(row["change_supersedes"], None)
    current, proposed = current_and_proposed(slots)
    return Booking(
        id=row["id"],
        fields=BookingFields(
            title=row["title"],
            description=row["description"],
            organisation_id=row["organisation"],
            organiser_name=row["organiser_name"],
            contact_email=row["contact_email"],
            contact_phone=row["contact_phone"],
            expected_attendance=row["expected_attendance"],
            is_public=bool(row["is_public"]),
            paid_rental=bool(row["paid_rental"]),
        ),
        organisation_code=row["organisation_code"],
        organisation_kind=row["organisation_kind"],
        requested_by=row["requested_by"],
        requested_by_name=row["requested_by_name"],
        status=Status(row["status"]),
        version=row["version"],
        required_tiers=tiers_from(_json(row["required_tiers"], [])),
        tiers_done=row["tiers_done"],
        hold_until=row["hold_until"],
        change_pending=bool(row["change_pending"]),
        change_supersedes=frozenset(supersedes) if supersedes is not None else None,
        change_values=_waiting(row["change_values"]),
        setup_override=buffer_of(row["setup_override"]),
        teardown_override=buffer_of(row["teardown_override"]),
        series=Series.from_data(recurrence) if recurrence else None,
        skipped_dates=_skipped(_json(row["skipped_dates"], [])),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        occurrences=current,
        proposed=proposed,
    )


def _series_text(series: Series | None) -> str:
    return json.dumps(series.as_data()) if series is not None else ""


def _waiting_text(waiting: WaitingValues | None) -> str:
    if waiting is None:
        return ""
    stored = {
        name: _WAITING_ENCODE.get(name, _as_is)(value)
        for name, value in waiting.as_values().items()
    }
    return json.dumps(stored) if stored else ""


# How a domain value of a request is stored, by field; the others are stored as they are.
_ENCODE: dict[str, tuple[str, Any]] = {
    "status": ("status", lambda s: Status(s).value),
    "required_tiers": ("required_tiers", lambda tiers: json.dumps([t.value for t in tiers])),
    "series": ("recurrence", _series_text),
    "skipped_dates": ("skipped_dates", lambda skipped: json.dumps(skipped_data(skipped))),
    "change_supersedes": (
        "change_supersedes",
        lambda ids: json.dumps(sorted(ids)) if ids is not None else "",
    ),
    "change_values": ("change_values", _waiting_text),
    "setup_override": ("setup_override", minutes_of),
    "teardown_override": ("teardown_override", minutes_of),
}


def stored_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The columns, and their stored values, of a change of a request's fields."""
    stored = {}
    for name, value in values.items():
        column, encode = _ENCODE.get(name, (name, None))
        stored[column] = encode(value) if encode is not None else value
    return stored
