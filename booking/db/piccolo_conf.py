"""Piccolo's configuration module, used by its migration machinery."""

from piccolo.conf.apps import AppRegistry

from booking.db.engine import create_engine
from booking.settings import load_settings

DB = create_engine(load_settings().database)

APP_REGISTRY = AppRegistry(apps=["booking.db.piccolo_app"])
