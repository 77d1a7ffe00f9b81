"""Dependencies every controller may ask for."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar.datastructures import State
from piccolo.engine.base import Engine

from booking.settings import Settings


def provide_engine(state: State) -> Engine:
    engine: Engine = state.engine
    return engine


def provide_now() -> datetime:
    return datetime.now(UTC)


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings
