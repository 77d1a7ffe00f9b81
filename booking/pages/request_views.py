"""What the "My requests" pages show of a request, in words: a row of the list, its dates, the
approval tiers and where it stands, and its history as sentences in the page's language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from booking.bookings.schemas import BookingView, OccurrenceView
from booking.bookings.views import history_view
from booking.core.booking import Booking
from booking.core.date_decisions import decide_date_cancel
from booking.core.errors import DomainError
from booking.core.events import Action, HistoryEntry
from booking.core.messages import Message
from booking.core.workflow import LIVE, STATUS_NAMES, Status
from booking.i18n import Texts
from booking.web.formatting import clock, day_long


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One request in the list."""

    id: int
    title: str
    status: str
    rooms: list[str]
    first: OccurrenceView | None
    dates: int
    is_series: bool


def _days(occurrences: Iterable[OccurrenceView]) -> list[date]:
    return sorted({o.start.date() for o in occurrences})


def request_row(view: BookingView) -> RequestRow:
    slots = sorted(view.occurrences or view.proposed_occurrences, key=lambda o: o.start)
    live = [o for o in slots if o.status in LIVE] or slots
    return RequestRow(
        id=view.id,
        title=view.title,
        status=view.status,
        rooms=list(dict.fromkeys(o.room_code for o in slots)),
        first=live[0] if live else None,
        dates=len(_days(slots)),
        is_series=view.recurrence is not None,
    )


@dataclass(frozen=True, slots=True)
class DateRow:
    """One date of a request: every room it has that day, and whether it can be cancelled on
    its own right now."""

    day: date
    start: datetime
    end: datetime
    rooms: list[str]
    status: str
    occurrence_id: int
    cancellable: bool


def _date_cancellable(booking: Booking, occurrence_id: int, now: datetime) -> bool:
    """Whether the core would cancel this date now (it is not over, and no change waiting
    replaces it): the same decision the cancel use case makes, tried without writing."""
    try:
        decide_date_cancel(booking, occurrence_id, "", now)
    except DomainError:
        return False
    return True


def date_rows(booking: Booking, view: BookingView, now: datetime) -> list[DateRow]:
    """The request's dates, in order. A date can be cancelled on its own when the user may
    cancel the request, it has more than one date, and the same checks the cancel use case
    makes pass for this date (live, not over, not replaced by a change waiting)."""
    by_day: dict[date, list[OccurrenceView]] = {}
    for slot in sorted(view.occurrences, key=lambda o: (o.start, o.room_code)):
        by_day.setdefault(slot.start.date(), []).append(slot)
    live_days = [day for day, slots in by_day.items() if any(o.status in LIVE for o in slots)]
    may_cancel = "cancel" in view.allowed_actions and len(live_days) > 1
    rows = []
    for day, slots in by_day.items():
        live = [o for o in slots if o.status in LIVE]
        shown = live or slots
        cancellable = may_cancel and bool(live) and _date_cancellable(booking, live[0].id, now)
        rows.append(
            DateRow(
                day=day,
                start=shown[0].start,
                end=shown[0].end,
                rooms=[o.room_code for o in shown],
                status=shown[0].status,
                occurrence_id=shown[0].id,
                cancellable=cancellable,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class TierStep:
    tier: str
    number: int
    state: str  # "done", "waiting", "later"
    label: Message


TIER_STATES = {
    "done": Message("my_requests.tier_done"),
    "waiting": Message("my_requests.tier_waiting"),
    "later": Message("my_requests.tier_later"),
}


def tier_steps(view: BookingView) -> list[TierStep]:
    """The tiers that decide, and where the request stands with each; none once the request
    is over without a booking (rejected or cancelled): nobody decides any more."""
    if view.status in (Status.REJECTED, Status.CANCELLED):
        return []
    steps = []
    for index, tier in enumerate(view.required_tiers):
        finished = view.status == Status.APPROVED and not view.change_pending
        if finished or index < view.tiers_done:
            state = "done"
        elif view.awaiting_tier == tier and index == view.tiers_done:
            state = "waiting"
        else:
            state = "later"
        steps.append(TierStep(tier, index + 1, state, TIER_STATES[state]))
    return steps


# The sentence of each action of the audit trail; `who` acted, `day` is the date concerned.
HISTORY_SENTENCES = {
    Action.CREATED: Message("history.created"),
    Action.SUBMITTED: Message("history.submitted"),
    Action.TIER_APPROVED: Message("history.tier_approved"),
    Action.APPROVED: Message("history.approved"),
    Action.REJECTED: Message("history.rejected"),
    Action.CHANGES_REQUESTED: Message("history.changes_requested"),
    Action.HELD: Message("history.held"),
    Action.HOLD_RELEASED: Message("history.hold_released"),
    Action.HOLD_LAPSED: Message("history.hold_lapsed"),
    Action.CANCELLED: Message("history.cancelled"),
    Action.EDITED: Message("history.edited"),
    Action.CHANGE_PROPOSED: Message("history.change_proposed"),
    Action.CHANGE_APPROVED: Message("history.change_approved"),
    Action.CHANGE_REJECTED: Message("history.change_rejected"),
    Action.DECLINED: Message("history.declined"),
    Action.DATE_CANCELLED: Message("history.date_cancelled"),
    Action.DATES_MOVED: Message("history.dates_moved"),
    Action.DATE_APPROVED: Message("history.date_approved"),
    Action.DATE_REJECTED: Message("history.date_rejected"),
    Action.DATE_RESTORED: Message("history.date_restored"),
    Action.BUFFERS_CHANGED: Message("history.buffers_changed"),
}

# The names of the fields an edit may change, as the history lists them.
FIELD_NAMES = {
    "title": Message("my_requests.field_title"),
    "description": Message("my_requests.field_description"),
    "expected_attendance": Message("my_requests.field_expected_attendance"),
    "organiser_name": Message("my_requests.field_organiser_name"),
    "contact_email": Message("my_requests.field_contact_email"),
    "contact_phone": Message("my_requests.field_contact_phone"),
    "is_public": Message("my_requests.field_is_public"),
    "paid_rental": Message("my_requests.field_paid_rental"),
    "rooms": Message("my_requests.field_rooms"),
    "start": Message("my_requests.field_start"),
    "end": Message("my_requests.field_end"),
}

TIER_NAMES = {"room_manager": Message("tier.room_manager"), "finance": Message("tier.finance")}


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    sentence: str
    status_change: str  # "" when the status stayed
    changed: str  # the fields changed, in words; "" if none
    comment: str


def _day_of(details: dict[str, Any]) -> str:
    given = details.get("date")
    if not isinstance(given, str):
        return ""
    try:
        return day_long(date.fromisoformat(given))
    except ValueError:
        return given


def _moment(given: Any, zone: ZoneInfo) -> str:
    if not isinstance(given, str):
        return ""
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        return given
    return f"{day_long(moment, zone)}, {clock(moment, zone)}"


def history_lines(
    entries: Sequence[HistoryEntry], texts: Texts, zone: ZoneInfo
) -> list[HistoryLine]:
    """The audit trail as sentences: who did what, when, the fields an edit changed, and the
    comment (or the service's own reason) with it; newest first."""
    lines = []
    for entry in entries:
        view = history_view(entry, texts)
        details = dict(view.details)
        who = texts(Message("history.the_service")) if entry.actor_id is None else view.actor_name
        tier = TIER_NAMES.get(str(details.get("tier", "")))
        sentence = HISTORY_SENTENCES[Action(entry.action)]
        said = texts(
            Message(
                sentence.code,
                who=who,
                day=_day_of(details),
                tier=texts(tier) if tier else "",
                until=_moment(details.get("until"), zone),
            )
        )
        status_change = ""
        if entry.to_status and entry.from_status != entry.to_status:
            status = STATUS_NAMES[Status(entry.to_status)]
            status_change = texts(Message("history.now", status=status))
        names = [texts(FIELD_NAMES[name]) for name in view.changes if name in FIELD_NAMES]
        changed = texts(Message("history.changed", fields=", ".join(names))) if names else ""
        lines.append(
            HistoryLine(view.at.astimezone(zone), said, status_change, changed, view.comment)
        )
    return list(reversed(lines))
