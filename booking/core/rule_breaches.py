"""What a request's breaches of its rooms' own rules lead to: a refusal, the dates a series
skips, or an override by the rooms' managers, which the audit trail keeps with its reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from booking.core.access import Actor, BookingFacts, manages
from booking.core.booking_rules import Blackout, Breach, RoomRules, check_rules
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, Forbidden, RuleViolation, refused
from booking.core.messages import Message
from booking.core.rooms import RoomFacts
from booking.core.series import SkippedDate, broken_dates, local_date, without_dates
from booking.core.tiers import TierRole, TierRule, instant_approval, required_tiers
from booking.core.transitions import message_detail

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


def _broken_on(found: Sequence[Breach], zones: Mapping[int, str]) -> dict[Any, Message]:
    """Each distinct reason on each local date once, in the order found, keyed so that the
    keys sort by date."""
    seen: dict[Any, Message] = {}
    for b in found:
        day = local_date(b.placement.meeting.start, zones[b.placement.room_id])
        key = (day, b.reason.code, repr(sorted(b.reason.params.items())))
        seen.setdefault(key, Message("rules.broken_on", day=day, reason=b.reason))
    return seen


def refusal(found: Sequence[Breach], zones: Mapping[int, str]) -> RuleViolation:
    """One problem per distinct reason and date, at most a screenful."""
    seen = list(_broken_on(found, zones).values())
    problems = [FieldProblem("start", message) for message in seen[:MAX_LISTED]]
    if len(seen) > MAX_LISTED:
        more = len(seen) - MAX_LISTED
        problems.append(FieldProblem("start", Message("rules.and_more", more=more)))
    return RuleViolation(problems)


def overrides(reason: str, found: Sequence[Breach], zones: Mapping[int, str]) -> dict[str, Any]:
    """What the audit trail keeps of the rules a manager overrode: the reason, and each date
    with what it broke, each once, by date."""
    seen = _broken_on(found, zones)
    overridden = [message_detail(seen[key]) for key in sorted(seen)]
    return {"override_reason": reason, "overridden": overridden}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The slots allowed (the dates a series skips left out), and what the audit trail keeps
    of an override."""

    placements: list[Placement] = field(default_factory=list)
    skipped: list[SkippedDate] = field(default_factory=list)
    overridden: Mapping[str, Any] = field(default_factory=dict)


def judge(
    found: Sequence[Breach],
    zones: Mapping[int, str],
    *,
    override_reason: str | None,
    may_override: bool,
    skip_dates: bool = False,
    placements: Sequence[Placement] = (),
) -> Verdict:
    """Refuse slots that break a room's rules, unless the rooms' managers override them with a
    reason, or (a series asked to) the dates they fall on are skipped."""
    if override_reason is not None:
        if not may_override:
            raise Forbidden(Message("rules.override_only_managers"))
        overridden = overrides(override_reason, found, zones) if found else {}
        return Verdict(list(placements), [], overridden)
    if found and skip_dates:
        kept, skipped = without_dates(placements, broken_dates(found, zones), zones)
        if not kept:
            raise refusal(found, zones)
        return Verdict(kept, skipped)
    if found:
        raise refusal(found, zones)
    return Verdict(list(placements))


@dataclass(frozen=True, slots=True)
class RoomsKnown:
    """What the database knows of the rooms of a request that a decision needs: their
    approval tiers, their own rules, and the blackouts of the period asked for."""

    rooms: Sequence[RoomFacts]
    tier_rules: Sequence[Sequence[TierRule]]  # each room's, in the order of `rooms`
    room_rules: Mapping[int, RoomRules]
    blackouts: Sequence[Blackout]

    def tiers(self, external: bool, paid: bool) -> tuple[TierRole, ...]:
        return required_tiers(self.tier_rules, external, paid)

    def instant(self, tiers: Sequence[TierRole]) -> bool:
        return instant_approval((room.instant_book for room in self.rooms), tiers)

    def verdict(
        self,
        placements: Sequence[Placement],
        actor: Actor,
        override_reason: str | None,
        now: datetime,
        skip_dates: bool = False,
    ) -> Verdict:
        """The slots' breaches of their rooms' rules, judged: refused, overridden by the
        managers of those rooms, or (`skip_dates`) the dates they fall on skipped."""
        reason = given_reason(override_reason)
        used = {p.room_id for p in placements}
        rooms = [room for room in self.rooms if room.id in used]
        zones = {room.id: room.zone for room in self.rooms}
        places = BookingFacts.of(None, None, False, ((r.id, r.building_id) for r in rooms))
        found = check_rules(placements, self.room_rules, self.blackouts, now).breaches
        return judge(
            found,
            zones,
            override_reason=reason,
            may_override=manages(actor, places),
            skip_dates=skip_dates,
            placements=placements,
        )
