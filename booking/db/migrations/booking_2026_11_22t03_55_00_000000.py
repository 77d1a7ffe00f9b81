"""No double booking, enforced by the database; indexes for the overlap queries.

PostgreSQL gets a btree_gist exclusion constraint: no two occurrences of the same room in a
holding state may have overlapping blocked spans. The list of holding states must match
booking.core.workflow.HOLDING. SQLite has no such constraint; the service checks inside an
IMMEDIATE transaction instead.

Overlap queries look for blocked_from in a bounded window (a blocked span is at most 14 days
plus two buffers long), which a plain btree index answers on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T03:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "exclusion constraint and overlap indexes"

INDEXES = (
    "CREATE INDEX occurrences_room_blocked_from ON occurrences (room, blocked_from)",
    "CREATE INDEX occurrences_blocked_window"
    " ON occurrences (blocked_from, blocked_until, room, status)",
    "CREATE INDEX occurrences_booking ON occurrences (booking)",
    "CREATE INDEX bookings_status ON bookings (status)",
    "CREATE INDEX rooms_building ON rooms (building)",
)

EXCLUSION = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE occurrences ADD CONSTRAINT occurrences_no_double_booking"
    " EXCLUDE USING gist (room WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)"
    " WHERE (status IN ('approved'))",
    "ALTER TABLE occurrences ADD CONSTRAINT occurrences_blocked_span_positive"
    " CHECK (blocked_until > blocked_from AND ends_at > starts_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def add_constraints_and_indexes():
        engine = engine_finder()
        statements = INDEXES
        if engine.engine_type == "postgres":
            statements = EXCLUSION + INDEXES
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(add_constraints_and_indexes)
    return manager
