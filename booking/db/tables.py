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
    # Booking windows: how long before it a meeting must be asked for, and how far ahead it
    # may be (0: no limit beyond the two years any series may reach).
    min_notice_minutes = Integer(default=0)
    max_advance_days = Integer(default=0)


class RoomHours(Table, tablename="room_hours"):
    """When a room may be booked on one weekday; a room without any is open at all times."""

    id: Serial
    room = ForeignKey(Room, null=False, on_delete=OnDelete.cascade)
    weekday = Integer()  # 0 = Monday
    opens = Varchar(length=5)  # "08:00", local time of the building
    closes = Varchar(length=5)


class Blackout(Table, tablename="blackouts"):
    """A period in which a room, a building or everything cannot be booked."""

    id: Serial
    building = ForeignKey(Building, null=True, on_delete=OnDelete.cascade)
    room = ForeignKey(Room, null=True, on_delete=OnDelete.cascade)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    reason = Text()
    # For imported ones: the calendar entry's UID, so importing the same file again changes
    # nothing.
    source_uid = Varchar(length=255, default="")
    created_at = Timestamptz()


class Organisation(Table, tablename="organisations"):
    """A faculty, department, student organisation or outside organiser."""

    id: Serial
    code = Varchar(length=64, unique=True)
    name = Varchar(length=300)
    kind = Varchar(length=32)
    is_demo = Boolean(default=False)


class UserAccount(Table, tablename="users"):
    id: Serial
    email = Varchar(length=254, unique=True)  # stored lower-case
    display_name = Varchar(length=200)
    language = Varchar(length=2, default="ro")
    password_hash = Text(default="")  # argon2; empty: cannot sign in with a password
    active = Boolean(default=True)
    created_at = Timestamptz()
    is_demo = Boolean(default=False)
    # Sessions started before this (a password change) no longer sign the user in.
    sessions_valid_from = Timestamptz(null=True, default=None)
    # The e-mails a user may turn off; decisions on their own requests always go out.
    daily_digest = Boolean(default=True)
    event_reminders = Boolean(default=True)


class Membership(Table, tablename="memberships"):
    """A user requests rooms for the organisations they are a member of."""

    id: Serial
    user = ForeignKey(UserAccount, null=False, on_delete=OnDelete.cascade)
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.cascade)


class RoleGrant(Table, tablename="role_grants"):
    """A role, scoped where the role needs a scope: approvers to a building or a room,
    logistics members to a team."""

    id: Serial
    user = ForeignKey(UserAccount, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=32)
    building = ForeignKey(Building, null=True, on_delete=OnDelete.cascade)
    room = ForeignKey(Room, null=True, on_delete=OnDelete.cascade)
    team = Varchar(length=64, default="")


class ApiToken(Table, tablename="api_tokens"):
    """A personal token for scripts; only its SHA-256 is kept."""

    id: Serial
    user = ForeignKey(UserAccount, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class AccountLink(Table, tablename="account_links"):
    """A one-time link e-mailed to set a password: after "forgot my password" (purpose
    "reset") or for an account an administrator made ("invitation"). The link's secret is
    derived from the row (core.account_links) and never stored; only its SHA-256 is kept."""

    id: Serial
    user = ForeignKey(UserAccount, null=False, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=16)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    # A later link of the account was used, or the invitation was sent again.
    revoked_at = Timestamptz(null=True, default=None)
    secret_hash = Varchar(length=64, index=True)


class ApprovalTier(Table, tablename="approval_tiers"):
    """One tier of the approval chain of a room, or of every room of a building."""

    id: Serial
    building = ForeignKey(Building, null=True, on_delete=OnDelete.cascade)
    room = ForeignKey(Room, null=True, on_delete=OnDelete.cascade)
    position = Integer()
    role = Varchar(length=32)
    condition = Varchar(length=32)


class BookingRequest(Table, tablename="bookings"):
    id: Serial
    title = Varchar(length=200)
    description = Text(default="")
    organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.restrict)
    requested_by = ForeignKey(UserAccount, null=True, on_delete=OnDelete.set_null)
    paid_rental = Boolean(default=False)
    # The tiers this request needs (a JSON list of tier roles, fixed when it is submitted or its
    # rooms change) and how many of them have approved so far.
    required_tiers = JSON(default='["room_manager"]')
    tiers_done = Integer(default=0)
    hold_until = Timestamptz(null=True, default=None)
    # An approved booking whose new time or rooms wait for approval (occurrences "proposed").
    change_pending = Boolean(default=False)
    # A recurring series: its rule as JSON ("" for a single booking), and the dates it skipped
    # because they were taken, as a JSON list of {"date", "reason"}.
    recurrence = Text(default="")
    # For a change waiting for approval: a JSON list of the occurrence ids it replaces, or ""
    # when it replaces every current one (a whole booking moved).
    change_supersedes = Text(default="")
    # Fields a change waiting for approval sets once approved (JSON), e.g. a series' rule.
    change_values = Text(default="")
    # Setup and teardown minutes an approver set for this booking instead of the rooms' own.
    setup_override = Integer(null=True, default=None)
    teardown_override = Integer(null=True, default=None)
    skipped_dates = Text(default="[]")
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


class AuditEntry(Table, tablename="audit_entries"):
    """One transition or edit of a request: who, when, from which state to which, and why."""

    id: Serial
    booking = ForeignKey(BookingRequest, null=False, on_delete=OnDelete.cascade)
    actor = ForeignKey(UserAccount, null=True, on_delete=OnDelete.set_null)  # None: the system
    actor_name = Varchar(length=200, default="")  # kept if the account is deleted
    at = Timestamptz()
    action = Varchar(length=32)
    from_status = Varchar(length=32, default="")
    to_status = Varchar(length=32, default="")
    version = Integer()  # the version the request has after this entry
    comment = Text(default="")
    changes = JSON(default="{}")  # {field: [old, new]}
    details = JSON(default="{}")  # e.g. the tier decided, the alternatives offered


class ChangeLogEntry(Table, tablename="change_log"):
    """One domain event, written in the transaction of the change that caused it; the log is
    read in the order of `id`. Notifications take it as their outbox, the calendar feeds their
    change stamps (through `rooms`)."""

    id: Serial
    booking = ForeignKey(BookingRequest, null=False, on_delete=OnDelete.cascade, index=True)
    version = Integer()  # the version the request has after the change
    at = Timestamptz()
    actor = ForeignKey(UserAccount, null=True, on_delete=OnDelete.set_null)  # None: the system
    kind = Varchar(length=32)
    rooms = JSON(default="[]")  # every room the change concerns, before and after
    data = JSON(default="{}")
    # When the relay turned the event into notifications (None: not yet); an index holds only
    # the rows not yet relayed.
    relayed_at = Timestamptz(null=True, default=None)


class RoomStamp(Table, tablename="room_stamps"):
    """When anything a room's calendar shows last changed, and how many such changes there have
    been: written with every change of the change log that concerns the room (and by a change of
    the room itself), so a feed knows whether it changed without reading its bookings."""

    id: Serial
    room = ForeignKey(Room, null=False, unique=True, on_delete=OnDelete.cascade)
    changed_at = Timestamptz()
    changes = Integer(default=0)


class FeedToken(Table, tablename="feed_tokens"):
    """The secret of one private calendar feed (a user's own, an organisation's, an approver's
    queue); only its SHA-256 is kept. Revoked, it answers 410 Gone."""

    id: Serial
    user = ForeignKey(UserAccount, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=32)
    organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    # The validator the feed last answered with and since when, so that its Last-Modified
    # moves forward whenever what it shows changes, even when the change left no stamp of its
    # own (a membership ended, a request no longer the user's).
    served_etag = Varchar(length=64, default="")
    served_since = Timestamptz(null=True, default=None)


class OutboxMessage(Table, tablename="outbox"):
    """One e-mail to one recipient, written in a transaction with what caused it (the relay's,
    for a change of a request) and delivered after the commit. `dedupe_key` says what it is
    about, so that the same cause never writes it twice; `message_id` stays the same across
    retries."""

    id: Serial
    kind = Varchar(length=32)
    dedupe_key = Varchar(length=255, unique=True)
    booking = ForeignKey(BookingRequest, null=True, on_delete=OnDelete.cascade)
    change_position = Integer(null=True, default=None)  # the change's first change-log event
    recipient = ForeignKey(UserAccount, null=True, on_delete=OnDelete.set_null)
    address = Varchar(length=254)
    name = Varchar(length=200, default="")
    language = Varchar(length=2, default="ro")
    data = JSON(default="{}")
    message_id = Varchar(length=255, unique=True)
    status = Varchar(length=16)  # pending, sending, sent, failed, discarded
    attempts = Integer(default=0)
    due_at = Timestamptz()
    lease_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)  # when it last failed for good
    last_error = Text(default="")
    discarded_reason = Text(default="")


ALL_TABLES: tuple[type[Table], ...] = (
    Building,
    Room,
    Organisation,
    UserAccount,
    Membership,
    RoleGrant,
    ApiToken,
    AccountLink,
    ApprovalTier,
    RoomHours,
    Blackout,
    BookingRequest,
    Occurrence,
    AuditEntry,
    ChangeLogEntry,
    RoomStamp,
    FeedToken,
    OutboxMessage,
)
