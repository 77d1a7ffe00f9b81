"""Indexes for opening hours and blackouts."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T08:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for opening hours and blackouts"

INDEXES = (
    "CREATE INDEX room_hours_room ON room_hours (room)",
    "CREATE INDEX blackouts_span ON blackouts (starts_at, ends_at)",
    "CREATE INDEX blackouts_source_uid ON blackouts (source_uid)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def add_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(add_indexes)
    return manager
