"""Persistence: Piccolo tables, migrations, engines, transactions and repositories."""

import os

# Piccolo's migration commands find the engine through this module.
os.environ.setdefault("PICCOLO_CONF", "booking.db.piccolo_conf")
