from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T11:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "values a change waiting for approval applies when approved"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="booking", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="BookingRequest",
        tablename="bookings",
        column_name="change_values",
        db_column_name="change_values",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
