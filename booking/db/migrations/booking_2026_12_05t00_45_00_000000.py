"""The relay's and the delivery's indexes; the events logged before notifications existed count
as relayed, so that nobody hears of old changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T00:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes of the outbox and of the change-log events not yet relayed"

STATEMENTS = (
    "UPDATE change_log SET relayed_at = at WHERE relayed_at IS NULL",
    "CREATE INDEX change_log_unrelayed ON change_log (id) WHERE relayed_at IS NULL",
    "CREATE INDEX outbox_due ON outbox (due_at) WHERE status IN ('pending', 'sending')",
    "CREATE INDEX outbox_status_created ON outbox (status, created_at)",
    "CREATE INDEX outbox_booking ON outbox (booking)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def add_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(add_indexes)
    return manager
