"""Domain errors. They say what went wrong in domain terms; the API maps them to HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One reason one input field was refused."""

    field: str
    reason: str


class DomainError(Exception):
    """Base of the errors a use case reports to its caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleViolation(DomainError):
    """Well-formed input that breaks a booking rule."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in problems))
        self.problems = list(problems)


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    def __init__(self, what: str, field: str | None = None) -> None:
        super().__init__(f"{what} not found")
        self.field = field


class BookingConflict(DomainError):
    """The rooms are taken for part of the time asked for."""

    def __init__(self, conflicts: Sequence[Any], alternatives: Any = None) -> None:
        super().__init__("the room is already booked for part of this time")
        self.conflicts = list(conflicts)
        self.alternatives = alternatives


class StaleVersion(DomainError):
    """The caller acted on a version of the booking that has since changed."""

    def __init__(self, current: Any) -> None:
        super().__init__("the booking changed since you last saw it; reload and try again")
        self.current = current


class TransitionNotAllowed(DomainError):
    """The booking's state does not allow that action."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


class Forbidden(DomainError):
    """The caller may see this thing but may not do that with it."""


class WrongCredentials(DomainError):
    """Sign-in failed; deliberately silent about whether the e-mail or the password was wrong."""

    def __init__(self) -> None:
        super().__init__("wrong e-mail or password")
