"""Who may see and do what with a booking request: the per-object half of authorisation.

Route guards only say "must be signed in" or "must be an administrator"; whether this actor may
read, change or decide on this request is answered here, from plain values, so the rules are
unit-tested without a database and the services and list queries apply the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Roles granted to a user. Requesters are members of an organisation, not a role."""

    APPROVER = "approver"  # of one building or one room
    FINANCE = "finance"  # decides the finance tier of paid rentals and outside organisers
    LOGISTICS = "logistics"  # member of a logistics team (technicians, TeleU, catering…)
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user as authorisation sees them."""

    user_id: int
    organisations: frozenset[int] = frozenset()
    approver_buildings: frozenset[int] = frozenset()
    approver_rooms: frozenset[int] = frozenset()
    finance: bool = False
    logistics_teams: frozenset[str] = frozenset()
    admin: bool = False

    @property
    def is_approver(self) -> bool:
        return bool(self.approver_buildings or self.approver_rooms)

    @property
    def decides_requests(self) -> bool:
        """Approvers, finance and administrators decide on requests: they have a queue of
        those waiting for them (and may follow it as a calendar)."""
        return self.admin or self.finance or self.is_approver

    @property
    def is_staff(self) -> bool:
        """Staff handle requests of other departments: they may file one without an
        organisation, and look into competing requests and the bookings under a closure."""
        return self.admin or self.finance or self.is_approver or bool(self.logistics_teams)

    @property
    def sees_every_request(self) -> bool:
        """The roles whose work spans the university: administrators, finance (paid rentals
        of any department) and the logistics teams (events in every building). Approvers see
        the requests for the rooms they manage."""
        return self.admin or self.finance or bool(self.logistics_teams)


@dataclass(frozen=True, slots=True)
class RoomPlace:
    room_id: int
    building_id: int


@dataclass(frozen=True, slots=True)
class BookingFacts:
    """What authorisation needs to know about one request."""

    organisation_id: int | None
    requested_by: int | None
    is_public: bool
    rooms: frozenset[RoomPlace] = field(default_factory=frozenset)

    @staticmethod
    def of(
        organisation_id: int | None,
        requested_by: int | None,
        is_public: bool,
        rooms: Iterable[tuple[int, int]],
    ) -> BookingFacts:
        places = frozenset(RoomPlace(r, b) for r, b in rooms)
        return BookingFacts(organisation_id, requested_by, bool(is_public), places)


def is_requester_of(actor: Actor, booking: BookingFacts) -> bool:
    """The actor asked for it, or acts for the organisation it was asked for."""
    if booking.requested_by is not None and booking.requested_by == actor.user_id:
        return True
    return booking.organisation_id is not None and booking.organisation_id in actor.organisations


def manages_room(actor: Actor, place: RoomPlace) -> bool:
    return (
        actor.admin
        or place.room_id in actor.approver_rooms
        or place.building_id in actor.approver_buildings
    )


def may_close(actor: Actor, building_id: int | None, room: RoomPlace | None) -> bool:
    """May the actor put a blackout on this room, on this building (`room` None), or on
    everything (both None)? An approver closes what they manage; only an administrator closes
    everything."""
    if actor.admin:
        return True
    if room is not None:
        return manages_room(actor, room)
    return building_id is not None and building_id in actor.approver_buildings


def sees_bookings_of_room(actor: Actor, place: RoomPlace) -> bool:
    """May the actor see every request for this room, private ones included?"""
    return actor.sees_every_request or manages_room(actor, place)


def manages_a_room_of(actor: Actor, booking: BookingFacts) -> bool:
    """The actor manages at least one room of the request, so has a part in deciding it."""
    return any(manages_room(actor, p) for p in booking.rooms)


def manages(actor: Actor, booking: BookingFacts) -> bool:
    """The actor manages every room of the request (a decision covers all of them)."""
    return bool(booking.rooms) and all(manages_room(actor, p) for p in booking.rooms)


def can_see(actor: Actor | None, booking: BookingFacts) -> bool:
    return actor is not None and (booking.is_public or can_see_contact(actor, booking))


def can_see_contact(actor: Actor | None, booking: BookingFacts) -> bool:
    """Contact details are shown to the requesters and to the staff who handle the request,
    not to every reader of a public request; those see private requests too."""
    if actor is None:
        return False
    return (
        actor.sees_every_request
        or is_requester_of(actor, booking)
        or manages_a_room_of(actor, booking)
    )


def can_change(actor: Actor, booking: BookingFacts) -> bool:
    """Edit, submit or resubmit: the requester's side of the workflow."""
    return actor.admin or is_requester_of(actor, booking)


def can_cancel(actor: Actor, booking: BookingFacts) -> bool:
    return can_change(actor, booking) or manages(actor, booking)


def can_act_for(actor: Actor, organisation_id: int | None) -> bool:
    """May the actor file a request on behalf of this organisation (None: no organisation)?"""
    if organisation_id is None:
        return actor.is_staff
    return actor.admin or organisation_id in actor.organisations
