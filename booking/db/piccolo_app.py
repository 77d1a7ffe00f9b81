"""The Piccolo app: the tables and the one migration history shared by both engines."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from booking.db.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="booking",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
