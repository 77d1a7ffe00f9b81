"""Typed settings read from the environment, in one place.

Nothing needs configuring for the embedded default: SQLite under ./var, jobs in-process, e-mail
to files. A bad value stops start-up with one line naming the variable.
"""

from __future__ import annotations

import ipaddress
import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.errors import ObsoleteHeaderDefect
from email.headerregistry import Address
from email.policy import default as default_policy
from pathlib import Path
from typing import Literal
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


SmtpSecurity = Literal["starttls", "tls", "none"]
SMTP_DEFAULT_PORTS: dict[SmtpSecurity, int] = {"starttls": 587, "tls": 465, "none": 25}
MAIL_FROM_NAME = "Rezervări săli UPT"


@dataclass(frozen=True, slots=True)
class MailSettings:
    """How e-mail leaves the service: through an SMTP server, or as files when there is none."""

    mail_from: str  # the From header, e.g. "Rezervări săli UPT <no-reply@rooms.upt.ro>"
    sender_address: str  # MAIL_FROM's address alone: the envelope sender
    reply_to: str | None  # the Reply-To header, when replies go elsewhere than From
    organizer: str  # the address that reads calendar replies (an invitation's ORGANIZER)
    smtp_host: str | None = None  # None: messages are written as files under VAR_DIR/mail
    smtp_port: int = 587
    smtp_security: SmtpSecurity = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_timeout: float = 30.0
    smtp_tls_verify: bool = True

    @property
    def message_id_domain(self) -> str:
        """The domain of the Message-IDs the service writes: the sender's."""
        return self.sender_address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True, slots=True)
class Settings:
    database: DatabaseSettings
    redis_url: str | None
    secret_key: str
    base_url: str
    default_zone: ZoneInfo
    var_dir: Path
    seed_demo_data: bool
    mail: MailSettings

    @property
    def embedded(self) -> bool:
        return self.database.engine == "sqlite"

    @property
    def mail_dir(self) -> Path:
        """Where messages are written when no SMTP server is configured."""
        return self.var_dir / "mail"


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


def _address(name: str, raw: str) -> Address:
    """One mailbox, with or without a display name, that an SMTP server will take."""
    try:
        header = default_policy.header_factory("To", raw)
    except Exception:  # the parser fails outright on some inputs, e.g. "a@"
        addresses: tuple[Address, ...] = ()
        faulty = True
    else:
        addresses = header.addresses
        # An obsolete form (a dot in the name: "Univ. Politehnica") is written out quoted.
        faulty = any(not isinstance(defect, ObsoleteHeaderDefect) for defect in header.defects)
    if faulty or len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        raise SettingsError(
            f"{name}: must be one e-mail address, e.g. Rezervări <no-reply@rooms.upt.ro>, "
            f"not {raw!r}"
        )
    return addresses[0]


def _smtp_host(raw: str | None) -> str | None:
    if not raw:
        return None
    if any(character.isspace() for character in raw) or "/" in raw:
        raise SettingsError(f"SMTP_HOST: must be a host name or an IP address, not {raw!r}")
    if ":" in raw:
        try:
            ipaddress.IPv6Address(raw)
        except ValueError:
            raise SettingsError(
                f"SMTP_HOST: a host name without a port (the port goes in SMTP_PORT), not {raw!r}"
            ) from None
    return raw


def _smtp_security(raw: str | None) -> SmtpSecurity:
    value = (raw or "starttls").lower()
    for security in SMTP_DEFAULT_PORTS:
        if value == security:
            return security
    raise SettingsError(f"SMTP_SECURITY: must be starttls, tls or none, not {raw!r}")


def _smtp_port(raw: str | None, security: SmtpSecurity) -> int:
    port = _positive_int("SMTP_PORT", raw, SMTP_DEFAULT_PORTS[security])
    if port > 65535:
        raise SettingsError(f"SMTP_PORT: must be at most 65535, not {raw!r}")
    return port


def _seconds(name: str, raw: str | None, default: float) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}: must be a number of seconds, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{name}: must be more than 0 seconds, not {raw!r}")
    return value


def _mail(env: Mapping[str, str], base_url: str) -> MailSettings:
    raw_from = env.get("MAIL_FROM")
    if raw_from:
        sender = _address("MAIL_FROM", raw_from)
    else:
        host = urlsplit(base_url).hostname or ""
        try:
            sender = _address("MAIL_FROM", f"{MAIL_FROM_NAME} <no-reply@{host}>")
        except SettingsError:
            raise SettingsError(
                f"MAIL_FROM: BASE_URL's host {host!r} makes no usable address; set MAIL_FROM"
            ) from None
    raw_reply_to = env.get("MAIL_REPLY_TO")
    reply_to = _address("MAIL_REPLY_TO", raw_reply_to) if raw_reply_to else None
    raw_organizer = env.get("MAIL_ORGANIZER")
    organizer = _address("MAIL_ORGANIZER", raw_organizer) if raw_organizer else sender
    username = env.get("SMTP_USERNAME") or None
    password = env.get("SMTP_PASSWORD") or None
    if username is None and password is not None:
        raise SettingsError("SMTP_USERNAME: must be set with SMTP_PASSWORD (both or neither)")
    if username is not None and password is None:
        raise SettingsError("SMTP_PASSWORD: must be set with SMTP_USERNAME (both or neither)")
    security = _smtp_security(env.get("SMTP_SECURITY"))
    return MailSettings(
        mail_from=str(sender),
        sender_address=sender.addr_spec,
        reply_to=str(reply_to) if reply_to else None,
        organizer=organizer.addr_spec,
        smtp_host=_smtp_host(env.get("SMTP_HOST")),
        smtp_port=_smtp_port(env.get("SMTP_PORT"), security),
        smtp_security=security,
        smtp_username=username,
        smtp_password=password,
        smtp_timeout=_seconds("SMTP_TIMEOUT", env.get("SMTP_TIMEOUT"), 30.0),
        smtp_tls_verify=_flag("SMTP_TLS_VERIFY", env.get("SMTP_TLS_VERIFY"), True),
    )


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
    base_url = _base_url(env.get("BASE_URL"))
    mail = _mail(env, base_url)
    if mail.smtp_host and not env.get("BASE_URL"):
        # E-mail that leaves the machine must link to where people reach the service.
        raise SettingsError(
            "BASE_URL: required with SMTP_HOST: the links in e-mails are made from it"
        )
    return Settings(
        database=database,
        redis_url=_redis(env.get("REDIS_URL")),
        secret_key=_secret_key(env.get("SECRET_KEY"), var_dir, embedded),
        base_url=base_url,
        default_zone=zone,
        var_dir=var_dir,
        seed_demo_data=_flag("SEED_DEMO_DATA", env.get("SEED_DEMO_DATA"), embedded),
        mail=mail,
    )
