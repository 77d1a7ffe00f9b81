"""Typed settings read from the environment, in one place.

Nothing needs configuring for the embedded default: SQLite under ./var, jobs in-process, e-mail
to files. A bad value stops start-up with one line naming the variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from booking.core.localtime import zone_named


class SettingsError(Exception):
    """A setting has a value the service cannot start with."""


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    engine: str  # "sqlite" or "postgres"
    sqlite_path: Path | None = None
    postgres_dsn: str | None = None
    pool_size: int = 10


@dataclass(frozen=True, slots=True)
class Settings:
    database: DatabaseSettings
    redis_url: str | None
    secret_key: str
    base_url: str
    default_zone: ZoneInfo
    var_dir: Path
    seed_demo_data: bool

    @property
    def embedded(self) -> bool:
        return self.database.engine == "sqlite"


def _database(url: str | None, var_dir: Path, pool_size: int) -> DatabaseSettings:
    if not url:
        return DatabaseSettings("sqlite", sqlite_path=var_dir / "booking.sqlite3")
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql"):
        parts = urlsplit(url)
        if not parts.hostname and not parts.path.strip("/"):
            raise SettingsError("DATABASE_URL: name a host or a database, e.g. postgres://host/db")
        return DatabaseSettings("postgres", postgres_dsn=url, pool_size=pool_size)
    if scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path, as in SQLAlchemy.
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise SettingsError("DATABASE_URL: a SQLite URL looks like sqlite:///var/booking.db")
        return DatabaseSettings("sqlite", sqlite_path=Path(path))
    raise SettingsError(
        f"DATABASE_URL: unsupported scheme {scheme or '(none)'!r}; use postgres://… or sqlite:///…"
    )


def _redis(url: str | None) -> str | None:
    if not url:
        return None
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise SettingsError("REDIS_URL: must start with redis://, rediss:// or unix://")
    return url


def _base_url(url: str | None) -> str:
    if not url:
        return "http://127.0.0.1:8000"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError("BASE_URL: must be an absolute http(s) URL, e.g. https://rooms.upt.ro")
    return url.rstrip("/")


def _positive_int(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name}: must be at least 1")
    return value


def _secret_key(raw: str | None, var_dir: Path, embedded: bool) -> str:
    if raw:
        if len(raw) < 32:
            raise SettingsError("SECRET_KEY: must be at least 32 characters long")
        return raw
    if not embedded:
        raise SettingsError("SECRET_KEY: required when DATABASE_URL points to PostgreSQL")
    # The embedded service keeps a generated key beside its database, so restarts keep sessions.
    key_file = var_dir / "secret_key"
    if key_file.exists():
        kept = key_file.read_text().strip()
        if len(kept) >= 32:
            return kept
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created readable by the owner only, before the key is written into it.
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def _flag(name: str, raw: str | None, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}: must be true or false, not {raw!r}")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("VAR_DIR") or "var")
    pool_size = _positive_int("DATABASE_POOL_SIZE", env.get("DATABASE_POOL_SIZE"), 10)
    database = _database(env.get("DATABASE_URL"), var_dir, pool_size)
    zone_name = env.get("DEFAULT_TIME_ZONE") or "Europe/Bucharest"
    try:
        zone = zone_named(zone_name)
    except ValueError:
        raise SettingsError(f"DEFAULT_TIME_ZONE: unknown time zone {zone_name!r}") from None
    embedded = database.engine == "sqlite"
    return Settings(
        database=database,
        redis_url=_redis(env.get("REDIS_URL")),
        secret_key=_secret_key(env.get("SECRET_KEY"), var_dir, embedded),
        base_url=_base_url(env.get("BASE_URL")),
        default_zone=zone,
        var_dir=var_dir,
        seed_demo_data=_flag("SEED_DEMO_DATA", env.get("SEED_DEMO_DATA"), embedded),
    )
