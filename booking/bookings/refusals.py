"""Refusals of booking changes as HTTP answers: the error shape with what the refusal carries,
the collisions and what could be had instead, or the request as it is now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, Response

from booking.api.errors import error_body, error_response, handle_domain_error
from booking.api.language import texts_of
from booking.bookings.views import booking_view, conflict_views
from booking.core.booking import Booking
from booking.core.errors import BookingConflict, StaleVersion, TransitionNotAllowed


def handle_conflict(request: Request[Any, Any, Any], exc: BookingConflict) -> Response[Any]:
    body = error_body(
        texts_of(request),
        409,
        "conflict",
        exc.message,
        conflicts=msgspec.to_builtins(conflict_views(exc.conflicts, exc.rooms)),
        alternatives=exc.alternatives.as_data(exc.rooms),
    )
    return error_response(body)


def handle_refused_change(
    request: Request[Any, Any, Any], exc: StaleVersion | TransitionNotAllowed
) -> Response[Any]:
    """409 with the request as it is now, as the caller may see it."""
    if not isinstance(exc.current, Booking):
        return handle_domain_error(request, exc)
    texts = texts_of(request)
    actor = getattr(request.scope.get("user"), "actor", None)
    now = datetime.now(UTC)
    current = msgspec.to_builtins(booking_view(exc.current.as_of(now), actor, now, texts))
    code = "stale_version" if isinstance(exc, StaleVersion) else "not_allowed_now"
    return error_response(error_body(texts, 409, code, exc.message, current=current))


BOOKING_REFUSALS: dict[type[Exception], Any] = {
    BookingConflict: handle_conflict,
    StaleVersion: handle_refused_change,
    TransitionNotAllowed: handle_refused_change,
}
