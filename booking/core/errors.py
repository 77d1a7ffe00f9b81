"""Domain errors. They say what went wrong in domain terms, as message codes; the API maps them
to HTTP statuses and renders their messages in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from booking.core.messages import Message


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One reason one input field was refused. The field is named as the input names it, or,
    for a part of the input that has no name (an event of a calendar file), said in words."""

    field: str | Message
    reason: Message


class DomainError(Exception):
    """Base of the errors a use case reports to its caller."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.code)
        self.message = message


class RuleViolation(DomainError):
    """Well-formed input that breaks a booking rule."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(Message("request.breaks_rule"))
        self.problems = list(problems)

    def __str__(self) -> str:
        return "; ".join(f"{_named(p.field)}: {p.reason.code}" for p in self.problems)


class BadParameter(RuleViolation):
    """A query parameter outside its limits: answered 400, as a malformed one is."""

    def __init__(self, field: str, reason: Message) -> None:
        super().__init__([FieldProblem(field, reason)])
        self.message = Message("request.not_valid")


def _named(field: str | Message) -> str:
    return field.code if isinstance(field, Message) else field


def refused(field: str, reason: Message) -> RuleViolation:
    """A RuleViolation of one field."""
    return RuleViolation([FieldProblem(field, reason)])


# What a NotFound names; a path parameter `<thing>_id` names its thing.
THINGS: Mapping[str, Message] = {
    "booking": Message("not_found.booking"),
    "occurrence": Message("not_found.occurrence"),
    "skipped date": Message("not_found.skipped_date"),
    "room": Message("not_found.room"),
    "building": Message("not_found.building"),
    "blackout": Message("not_found.blackout"),
    "user": Message("not_found.user"),
    "grant": Message("not_found.grant"),
    "role": Message("not_found.role"),
    "membership": Message("not_found.membership"),
    "token": Message("not_found.token"),
    "account_link": Message("not_found.account_link"),
    "feed": Message("not_found.feed"),
    "notification": Message("not_found.notification"),
    "organisation": Message("not_found.organisation"),
}


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    def __init__(self, what: str, field: str | None = None) -> None:
        super().__init__(THINGS.get(what, Message("not_found.thing")))
        self.field = field


class BookingConflict(DomainError):
    """The rooms are taken for part of the time asked for: the collisions, and what could be
    had instead (`alternatives`), with the rooms both speak of."""

    def __init__(self, conflicts: Sequence[Any], alternatives: Any, rooms: Mapping[int, Any]):
        super().__init__(Message("booking.conflict"))
        self.conflicts = list(conflicts)
        self.alternatives = alternatives
        self.rooms = rooms


class StaleVersion(DomainError):
    """The caller acted on a version of the booking that has since changed; `current` is the
    booking as it is now, once the use case has read it again."""

    def __init__(self, current: Any = None) -> None:
        super().__init__(Message("booking.stale_version"))
        self.current = current


class TransitionNotAllowed(DomainError):
    """The booking's state does not allow that action; `current` as for StaleVersion."""

    def __init__(self, message: Message, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


class Gone(DomainError):
    """The thing existed but is no longer there to use (a link used, expired or revoked)."""


class Forbidden(DomainError):
    """The caller may see this thing but may not do that with it."""


class NotSignedIn(DomainError):
    """The caller must sign in (again) first."""


class WrongCredentials(DomainError):
    """Sign-in failed; deliberately silent about whether the e-mail or the password was wrong."""

    def __init__(self) -> None:
        super().__init__(Message("sign_in.wrong_credentials"))
