"""Who hears what: the notifications that a change of a request causes, and how a delivery is
retried.

A change writes its events into the change log (core.events); the relay reads them after the
commit and turns each change into notices, here, from the events alone: which kind of message,
and to whom in terms of the request (its requester, the approvers now deciding). Who those people
are is read from the database when the notice is written into the outbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from booking.core.access import Actor, BookingFacts
from booking.core.events import Action
from booking.core.tiers import TierRole, can_decide_tier


class Kind(StrEnum):
    """What a message says. Each kind has its templates (frontend/templates/mail/<kind>.*)."""

    SUBMITTED = "submitted"  # to the requester: received, waits for a decision
    AWAITING_DECISION = "awaiting_decision"  # to the approvers of the tier now deciding
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"
    HELD = "held"
    HOLD_LAPSED = "hold_lapsed"
    CANCELLED = "cancelled"
    DECLINED = "declined"  # a competing request was approved; with the alternatives
    CHANGE_DECIDED = "change_decided"  # a proposed change approved or refused
    DATES_CHANGED = "dates_changed"  # single dates moved, cancelled, refused or restored
    REMINDER = "reminder"  # the day before the event, to its organiser
    PENDING_SOON = "pending_soon"  # to the approvers: still undecided, starts within 48 h
    DIGEST = "digest"  # daily, to each approver: what waits for them
    FAILED_SUMMARY = "failed_summary"  # weekly, to administrators: deliveries that failed
    PASSWORD_RESET = "password_reset"
    ACCOUNT_INVITATION = "account_invitation"


# The kinds a user may turn off, each by the setting of their account that says whether they
# want it (the account page's and PATCH /api/auth/me's names); decisions on their own requests
# always go out.
OPTIONAL: Mapping[Kind, str] = {Kind.REMINDER: "event_reminders", Kind.DIGEST: "daily_digest"}


class Audience(StrEnum):
    REQUESTER = "requester"  # who asked, and the contact named in the request if another
    APPROVERS = "approvers"  # those who decide the tier the request now waits for


@dataclass(frozen=True, slots=True)
class Notice:
    kind: Kind
    audience: Audience
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Person:
    """A recipient: an account (user_id) or only an address named in a request."""

    address: str
    name: str
    language: str  # "ro" or "en"; Romanian for an address without an account
    user_id: int | None = None


# In one change, the first action found in this order says what the requester hears: a change
# that approved a proposed change also says "approved", and only one message goes out for it.
_TO_REQUESTER: tuple[tuple[Action, Kind], ...] = (
    (Action.CANCELLED, Kind.CANCELLED),
    (Action.DECLINED, Kind.DECLINED),
    (Action.CHANGE_APPROVED, Kind.CHANGE_DECIDED),
    (Action.CHANGE_REJECTED, Kind.CHANGE_DECIDED),
    (Action.REJECTED, Kind.REJECTED),
    (Action.APPROVED, Kind.APPROVED),
    (Action.CHANGES_REQUESTED, Kind.CHANGES_REQUESTED),
    (Action.HELD, Kind.HELD),
    (Action.HOLD_LAPSED, Kind.HOLD_LAPSED),
    (Action.DATE_CANCELLED, Kind.DATES_CHANGED),
    (Action.DATES_MOVED, Kind.DATES_CHANGED),
    (Action.DATE_REJECTED, Kind.DATES_CHANGED),
    (Action.DATE_RESTORED, Kind.DATES_CHANGED),
    (Action.SUBMITTED, Kind.SUBMITTED),
)
# Actions after which a request waits for (another) decision.
_ASKS_APPROVERS = frozenset({Action.SUBMITTED, Action.TIER_APPROVED, Action.CHANGE_PROPOSED})
# Once the change ended in one of these, nobody is asked to decide.
_SETTLED = frozenset(
    {Action.APPROVED, Action.REJECTED, Action.CANCELLED, Action.DECLINED, Action.CHANGE_APPROVED}
)


def notices_of_change(events: Sequence[tuple[Action, Mapping[str, Any]]]) -> list[Notice]:
    """The notices of one change, given its events in order as (action, data)."""
    actions = {action: data for action, data in events}
    notices: list[Notice] = []
    for action, kind in _TO_REQUESTER:
        if action in actions:
            data = dict(actions[action])
            data["action"] = action.value
            if kind is Kind.CHANGE_DECIDED:
                data["approved"] = action is Action.CHANGE_APPROVED
            notices.append(Notice(kind, Audience.REQUESTER, data))
            break
    if actions.keys() & _ASKS_APPROVERS and not actions.keys() & _SETTLED:
        asked = next(a for a, _ in events if a in _ASKS_APPROVERS)
        notices.append(Notice(Kind.AWAITING_DECISION, Audience.APPROVERS, {"action": asked.value}))
    return notices


def address_key(address: str) -> str:
    """An address as a part of a message's dedupe key: a digest of fixed length, since an
    address may take up the whole key's length on its own."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]


def deciders(
    candidates: Sequence[tuple[Person, Actor]], booking: BookingFacts, tier: TierRole
) -> list[Person]:
    """Who is asked to decide `tier` of the request: those of the candidates whose own grants
    let them (approvers of every room it asks for; finance), by the rule the decision itself
    follows; the administrators, who may decide every tier, only when nobody else can."""
    named = [
        person
        for person, actor in candidates
        if can_decide_tier(replace(actor, admin=False), booking, tier)
    ]
    return named or [person for person, actor in candidates if actor.admin]


# Delivery: a message the mail server could not take now is tried again after 1, 2, 4 … minutes;
# after the last attempt it is marked failed and waits for an administrator.
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
# A message being sent belongs to its worker this long; after it (a worker killed mid-send) the
# sweep hands it over again, with the same Message-ID.
SENDING_LEASE = timedelta(minutes=5)
# How far apart the clocks of the service's machines may be: a message due this soon is taken.
CLOCK_SKEW = timedelta(seconds=5)
# Delivered messages are kept this long, then purged.
KEEP_DELIVERED = timedelta(days=90)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before the next attempt after `attempts` failed ones."""
    return FIRST_RETRY * 2 ** max(attempts - 1, 0)


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS
