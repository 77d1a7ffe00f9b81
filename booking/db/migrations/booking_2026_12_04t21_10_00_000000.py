"""Indexes the calendar feeds read by."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T21:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for the calendar feeds"

STATEMENTS = (
    "CREATE INDEX feed_tokens_user ON feed_tokens (\"user\")",
    "CREATE INDEX bookings_contact_email ON bookings (lower(contact_email))",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def add_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(add_indexes)
    return manager
