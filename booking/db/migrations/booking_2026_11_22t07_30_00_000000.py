"""Tentative holds keep their room too; indexes for accounts, roles and the audit trail.

The exclusion constraint now covers the states approved and held, as
booking.core.workflow.HOLDING does.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "holds in the exclusion constraint; indexes for accounts and audit"

INDEXES = (
    "CREATE INDEX audit_entries_booking ON audit_entries (booking, id)",
    "CREATE INDEX memberships_user ON memberships (user)",
    "CREATE UNIQUE INDEX memberships_unique ON memberships (user, organisation)",
    "CREATE INDEX role_grants_user ON role_grants (user)",
    "CREATE INDEX api_tokens_user ON api_tokens (user)",
    "CREATE INDEX approval_tiers_building ON approval_tiers (building)",
    "CREATE INDEX approval_tiers_room ON approval_tiers (room)",
    "CREATE INDEX bookings_requested_by ON bookings (requested_by)",
    "CREATE INDEX bookings_organisation ON bookings (organisation)",
    "CREATE INDEX bookings_hold_until ON bookings (hold_until)",
)

HOLDS = (
    "ALTER TABLE occurrences DROP CONSTRAINT occurrences_no_double_booking",
    "ALTER TABLE occurrences ADD CONSTRAINT occurrences_no_double_booking"
    " EXCLUDE USING gist (room WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)"
    " WHERE (status IN ('approved', 'held'))",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def change_constraint_and_add_indexes():
        engine = engine_finder()
        statements = INDEXES
        if engine.engine_type == "postgres":
            statements = HOLDS + tuple(s.replace("(user", '("user"') for s in INDEXES)
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(change_constraint_and_add_indexes)
    return manager
