"""Piccolo tables. Rows are storage, not input: the API never binds a request body to a table."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Building(Table, tablename="buildings"):
    id: Serial
    code = Varchar(length=32, unique=True)
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    zone = Varchar(length=64, default="Europe/Bucharest")
    address = Text(default="")
    is_demo = Boolean(default=False)


class Room(Table, tablename="rooms"):
    id: Serial
    building = ForeignKey(Building, null=False, on_delete=OnDelete.restrict)
    code = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    capacity = Integer()
    # A JSON list of equipment codes ("projector", "streaming"…); rooms are few, so matching
    # happens in the domain core rather than in SQL.
    equipment = JSON(default="[]")
    setup_minutes = Integer(default=0)
    teardown_minutes = Integer(default=0)
    instant_book = Boolean(default=False)
    active = Boolean(default=True)
    description = Text(default="")
    is_demo = Boolean(default=False)


class Organisation(Table, tablename="organisations"):
    """A faculty, department, student organisation or outside organiser."""

    id: Serial
    code = Varchar(length=64, unique=True)
    name = Varchar(length=300)
    kind = Varchar(length=32)
    is_demo = Boolean(default=False)


class BookingRequest(Table, tablename="bookings"):
    id: Serial
    title = Varchar(length=200)
    description = Text(default="")
    organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.restrict)
    organiser_name = Varchar(length=200)
    contact_email = Varchar(length=254)
    contact_phone = Varchar(length=40, default="")
    expected_attendance = Integer()
    is_public = Boolean(default=False)
    status = Varchar(length=32)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Occurrence(Table, tablename="occurrences"):
    """One room for one time span of a booking; the unit that conflicts are checked on."""

    id: Serial
    booking = ForeignKey(BookingRequest, null=False, on_delete=OnDelete.cascade)
    room = ForeignKey(Room, null=False, on_delete=OnDelete.restrict)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    blocked_from = Timestamptz()
    blocked_until = Timestamptz()
    status = Varchar(length=32)


ALL_TABLES: tuple[type[Table], ...] = (Building, Room, Organisation, BookingRequest, Occurrence)
