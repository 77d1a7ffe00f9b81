"""What a request's breaches of its rooms' own rules lead to: a refusal, the dates a series
skips, or an override by the rooms' managers, which the audit trail keeps with its reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from booking.core.booking_rules import Breach
from booking.core.errors import FieldProblem, Forbidden, RuleViolation, refused
from booking.core.messages import Message
from booking.core.series import broken_dates, local_date
from booking.core.transitions import overrides

# At most this many reasons are listed in a refusal; a screenful.
MAX_LISTED = 50


def given_reason(override_reason: str | None) -> str | None:
    """The reason for an override, trimmed; a blank one is no reason."""
    if override_reason is None:
        return None
    reason = override_reason.strip()
    if not reason:
        raise refused("override_reason", Message("rules.override_needs_reason"))
    return reason


def _dated(found: Sequence[Breach], zones: Mapping[int, str]) -> list[tuple[date, Message]]:
    return [
        (local_date(b.placement.meeting.start, zones[b.placement.room_id]), b.reason) for b in found
    ]


def refusal(found: Sequence[Breach], zones: Mapping[int, str]) -> RuleViolation:
    """One problem per distinct reason and date, at most a screenful."""
    seen: dict[tuple[date, str, str], Message] = {}
    for day, reason in _dated(found, zones):
        key = (day, reason.code, repr(sorted(reason.params.items(), key=lambda kv: kv[0])))
        seen.setdefault(key, Message("rules.broken_on", day=day, reason=reason))
    problems = [FieldProblem("start", message) for message in list(seen.values())[:MAX_LISTED]]
    if len(seen) > MAX_LISTED:
        problems.append(FieldProblem("start", Message("rules.and_more", more=len(seen) - 50)))
    return RuleViolation(problems)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The breaches allowed: overridden (what the audit trail keeps of it), or dates skipped."""

    overridden: Mapping[str, Any] = field(default_factory=dict)
    skipped: Mapping[date, Message] = field(default_factory=dict)


def judge(
    found: Sequence[Breach],
    zones: Mapping[int, str],
    *,
    override_reason: str | None,
    may_override: bool,
    skip_dates: bool = False,
) -> Verdict:
    """Refuse slots that break a room's rules, unless the rooms' managers override them with a
    reason, or (a series asked to) the dates they fall on are skipped."""
    if override_reason is not None:
        if not may_override:
            raise Forbidden(Message("rules.override_only_managers"))
        return Verdict(overridden=overrides(override_reason, _dated(found, zones)) if found else {})
    if found and skip_dates:
        return Verdict(skipped=broken_dates(found, zones))
    if found:
        raise refusal(found, zones)
    return Verdict()
