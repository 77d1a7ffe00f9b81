"""Settings from an explicit environment; VAR_DIR always points at a temporary directory."""

from __future__ import annotations

import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from booking.settings import SettingsError, load_settings

POSTGRES = "postgresql://booking@db.upt.ro:5432/booking"
KEY = "k" * 32


def refused(tmp_path: Path, variable: str, **env: str) -> str:
    """The message of the SettingsError raised, checked to start with `variable`."""
    with pytest.raises(SettingsError) as caught:
        load_settings({"VAR_DIR": str(tmp_path), **env})
    message = str(caught.value)
    assert message.startswith(f"{variable}: "), message
    assert "\n" not in message
    return message


def key_or_error(env: dict[str, str]) -> str:
    """The secret key loaded, or the message of the SettingsError raised instead."""
    try:
        return load_settings(env).secret_key
    except SettingsError as error:
        return str(error)


class TestDefaults:
    def test_embedded_defaults(self, tmp_path: Path) -> None:
        settings = load_settings({"VAR_DIR": str(tmp_path)})
        assert settings.database.engine == "sqlite"
        assert settings.database.sqlite_path == tmp_path / "booking.sqlite3"
        assert settings.database.postgres_dsn is None
        assert settings.embedded
        assert settings.seed_demo_data is True
        assert settings.redis_url is None
        assert settings.base_url == "http://127.0.0.1:8000"
        assert settings.default_zone == ZoneInfo("Europe/Bucharest")
        assert settings.var_dir == tmp_path

    def test_secret_key_is_generated_and_persisted(self, tmp_path: Path) -> None:
        first = load_settings({"VAR_DIR": str(tmp_path)})
        key_file = tmp_path / "secret_key"
        assert len(first.secret_key) >= 32
        assert key_file.read_text() == first.secret_key
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        second = load_settings({"VAR_DIR": str(tmp_path)})
        assert second.secret_key == first.secret_key

    def test_different_var_dirs_get_different_keys(self, tmp_path: Path) -> None:
        one = load_settings({"VAR_DIR": str(tmp_path / "one")})
        two = load_settings({"VAR_DIR": str(tmp_path / "two")})
        assert one.secret_key != two.secret_key

    def test_var_dir_is_created(self, tmp_path: Path) -> None:
        var_dir = tmp_path / "deep" / "var"
        settings = load_settings({"VAR_DIR": str(var_dir)})
        assert (var_dir / "secret_key").read_text() == settings.secret_key

    def test_existing_key_file_is_used(self, tmp_path: Path) -> None:
        stored = "s" * 40
        (tmp_path / "secret_key").write_text(stored + "\n")
        assert load_settings({"VAR_DIR": str(tmp_path)}).secret_key == stored

    @pytest.mark.parametrize("content", ["", "\n", "   "], ids=["empty", "newline", "blank"])
    def test_blank_key_file_never_yields_a_blank_key(self, tmp_path: Path, content: str) -> None:
        # A crash between truncating and writing the file leaves it empty; signing sessions with
        # an empty key must not follow silently. Either a fresh key or a SECRET_KEY error is fine.
        (tmp_path / "secret_key").write_text(content)
        outcome = key_or_error({"VAR_DIR": str(tmp_path)})
        assert outcome.startswith("SECRET_KEY: ") or len(outcome) >= 32, repr(outcome)

    def test_given_secret_key_is_used_and_nothing_written(self, tmp_path: Path) -> None:
        settings = load_settings({"VAR_DIR": str(tmp_path), "SECRET_KEY": KEY})
        assert settings.secret_key == KEY
        assert not (tmp_path / "secret_key").exists()


class TestDatabase:
    @pytest.mark.parametrize(
        "url",
        [POSTGRES, "postgres://db.upt.ro/booking", "postgresql:///booking", "postgres://db.upt.ro"],
        ids=["postgresql", "postgres", "socket-with-db", "host-only"],
    )
    def test_postgres(self, tmp_path: Path, url: str) -> None:
        settings = load_settings(
            {
                "VAR_DIR": str(tmp_path),
                "DATABASE_URL": url,
                "SECRET_KEY": KEY,
                "DATABASE_POOL_SIZE": "4",
            }
        )
        assert settings.database.engine == "postgres"
        assert settings.database.postgres_dsn == url
        assert settings.database.pool_size == 4
        assert settings.database.sqlite_path is None
        assert not settings.embedded
        assert settings.seed_demo_data is False
        assert settings.secret_key == KEY

    def test_default_pool_size(self, tmp_path: Path) -> None:
        settings = load_settings(
            {"VAR_DIR": str(tmp_path), "DATABASE_URL": POSTGRES, "SECRET_KEY": KEY}
        )
        assert settings.database.pool_size == 10

    def test_postgres_requires_a_secret_key(self, tmp_path: Path) -> None:
        message = refused(tmp_path, "SECRET_KEY", DATABASE_URL=POSTGRES)
        assert "PostgreSQL" in message
        assert not (tmp_path / "secret_key").exists()

    @pytest.mark.parametrize(
        ("url", "path"),
        [
            ("sqlite:///var/booking.db", Path("var/booking.db")),
            ("sqlite:////srv/booking/booking.db", Path("/srv/booking/booking.db")),
        ],
        ids=["relative", "absolute"],
    )
    def test_sqlite_url(self, tmp_path: Path, url: str, path: Path) -> None:
        settings = load_settings({"VAR_DIR": str(tmp_path), "DATABASE_URL": url})
        assert settings.database.engine == "sqlite"
        assert settings.database.sqlite_path == path
        assert settings.embedded

    @pytest.mark.parametrize(
        ("url", "hint"),
        [
            ("mysql://db/booking", "'mysql'"),
            ("booking.db", "'(none)'"),
            ("http://db/booking", "'http'"),
            ("sqlite://", "sqlite:///"),
            ("sqlite:///", "sqlite:///"),
            ("sqlite://booking.db", "sqlite:///"),
            ("postgres://", "host or a database"),
            ("postgresql:///", "host or a database"),
        ],
        ids=[
            "mysql",
            "no-scheme",
            "http",
            "sqlite-no-path",
            "sqlite-empty-path",
            "sqlite-two-slashes",
            "postgres-nothing",
            "postgres-root-only",
        ],
    )
    def test_bad_database_url(self, tmp_path: Path, url: str, hint: str) -> None:
        message = refused(tmp_path, "DATABASE_URL", DATABASE_URL=url, SECRET_KEY=KEY)
        assert hint in message


class TestOtherVariables:
    @pytest.mark.parametrize(
        "url",
        ["redis://localhost:6379/0", "rediss://cache.upt.ro:6380", "unix:///run/redis.sock"],
        ids=["redis", "rediss", "unix"],
    )
    def test_redis_url(self, tmp_path: Path, url: str) -> None:
        assert load_settings({"VAR_DIR": str(tmp_path), "REDIS_URL": url}).redis_url == url

    @pytest.mark.parametrize(
        "url",
        ["http://localhost:6379", "localhost:6379", "memcached://x", "/run/redis.sock"],
        ids=["http", "host-port", "other-scheme", "bare-path"],
    )
    def test_bad_redis_url(self, tmp_path: Path, url: str) -> None:
        refused(tmp_path, "REDIS_URL", REDIS_URL=url)

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("https://rooms.upt.ro", "https://rooms.upt.ro"),
            ("https://rooms.upt.ro/", "https://rooms.upt.ro"),
            ("http://localhost:8080/booking/", "http://localhost:8080/booking"),
        ],
        ids=["plain", "trailing-slash", "port-and-path"],
    )
    def test_base_url(self, tmp_path: Path, url: str, expected: str) -> None:
        assert load_settings({"VAR_DIR": str(tmp_path), "BASE_URL": url}).base_url == expected

    @pytest.mark.parametrize(
        "url",
        ["rooms.upt.ro", "ftp://rooms.upt.ro", "https://", "/booking", "https:///path"],
        ids=["no-scheme", "ftp", "no-host", "path-only", "empty-host"],
    )
    def test_bad_base_url(self, tmp_path: Path, url: str) -> None:
        refused(tmp_path, "BASE_URL", BASE_URL=url)

    @pytest.mark.parametrize("name", ["UTC", "America/New_York", "Europe/London"])
    def test_default_time_zone(self, tmp_path: Path, name: str) -> None:
        settings = load_settings({"VAR_DIR": str(tmp_path), "DEFAULT_TIME_ZONE": name})
        assert settings.default_zone == ZoneInfo(name)

    @pytest.mark.parametrize(
        "name",
        ["Mars/Olympus_Mons", "Europe/", "/etc/localtime", "../etc/passwd", "Europe", "America"],
        ids=["unknown", "trailing-slash", "absolute", "parent", "region-europe", "region-america"],
    )
    def test_bad_default_time_zone(self, tmp_path: Path, name: str) -> None:
        message = refused(tmp_path, "DEFAULT_TIME_ZONE", DEFAULT_TIME_ZONE=name)
        assert repr(name) in message

    @pytest.mark.parametrize(
        ("raw", "hint"),
        [("0", "at least 1"), ("-3", "at least 1"), ("ten", "'ten'"), ("2.5", "'2.5'")],
        ids=["zero", "negative", "word", "fraction"],
    )
    def test_bad_pool_size(self, tmp_path: Path, raw: str, hint: str) -> None:
        message = refused(
            tmp_path, "DATABASE_POOL_SIZE", DATABASE_POOL_SIZE=raw, DATABASE_URL=POSTGRES
        )
        assert hint in message

    @pytest.mark.parametrize("key", ["x" * 31, "short"], ids=["31-characters", "a-word"])
    def test_secret_key_too_short(self, tmp_path: Path, key: str) -> None:
        assert "32 characters" in refused(tmp_path, "SECRET_KEY", SECRET_KEY=key)

    def test_empty_secret_key_means_unset(self, tmp_path: Path) -> None:
        settings = load_settings({"VAR_DIR": str(tmp_path), "SECRET_KEY": ""})
        assert settings.secret_key == (tmp_path / "secret_key").read_text()

    def test_secret_key_of_32_characters_is_enough(self, tmp_path: Path) -> None:
        settings = load_settings({"VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 32})
        assert settings.secret_key == "x" * 32


class TestSeedDemoData:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("1", True),
            ("true", True),
            ("YES", True),
            ("On", True),
            ("0", False),
            ("false", False),
            ("No", False),
            ("OFF", False),
        ],
        ids=["1", "true", "YES", "On", "0", "false", "No", "OFF"],
    )
    @pytest.mark.parametrize("database", ["sqlite", "postgres"])
    def test_explicit_value(self, tmp_path: Path, raw: str, expected: bool, database: str) -> None:
        env = {"VAR_DIR": str(tmp_path), "SEED_DEMO_DATA": raw}
        if database == "postgres":
            env |= {"DATABASE_URL": POSTGRES, "SECRET_KEY": KEY}
        assert load_settings(env).seed_demo_data is expected

    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            ({}, True),
            ({"SEED_DEMO_DATA": ""}, True),
            ({"DATABASE_URL": POSTGRES, "SECRET_KEY": KEY}, False),
            ({"DATABASE_URL": POSTGRES, "SECRET_KEY": KEY, "SEED_DEMO_DATA": ""}, False),
        ],
        ids=["sqlite-unset", "sqlite-empty", "postgres-unset", "postgres-empty"],
    )
    def test_default_follows_the_engine(
        self, tmp_path: Path, env: dict[str, str], expected: bool
    ) -> None:
        assert load_settings({"VAR_DIR": str(tmp_path), **env}).seed_demo_data is expected

    @pytest.mark.parametrize("raw", ["maybe", "2", "y", "enabled"])
    def test_bad_value(self, tmp_path: Path, raw: str) -> None:
        message = refused(tmp_path, "SEED_DEMO_DATA", SEED_DEMO_DATA=raw)
        assert repr(raw) in message


class TestMail:
    def test_defaults_write_files_under_var_dir(self, tmp_path: Path) -> None:
        settings = load_settings({"VAR_DIR": str(tmp_path), "BASE_URL": "https://rooms.upt.ro"})
        mail = settings.mail
        assert settings.mail_dir == tmp_path / "mail"
        assert mail.smtp_host is None
        assert mail.mail_from == "Rezervări săli UPT <no-reply@rooms.upt.ro>"
        assert mail.sender_address == "no-reply@rooms.upt.ro"
        assert mail.reply_to is None
        assert mail.organizer == "no-reply@rooms.upt.ro"
        assert (mail.smtp_port, mail.smtp_security, mail.smtp_timeout) == (587, "starttls", 30.0)
        assert (mail.smtp_username, mail.smtp_password) == (None, None)
        assert mail.smtp_tls_verify is True

    def test_everything_set(self, tmp_path: Path) -> None:
        mail = load_settings(
            {
                "VAR_DIR": str(tmp_path),
                "SMTP_HOST": "smtp.upt.ro",
                "BASE_URL": "https://rooms.upt.ro",
                "SMTP_PORT": "2525",
                "SMTP_SECURITY": "TLS",
                "SMTP_USERNAME": "rezervari",
                "SMTP_PASSWORD": "parolă secretă",
                "SMTP_TIMEOUT": "7.5",
                "SMTP_TLS_VERIFY": "false",
                "MAIL_FROM": "Univ. Politehnica <rezervari@upt.ro>",
                "MAIL_REPLY_TO": "Centrul de Conferințe <conferinte@upt.ro>",
                "MAIL_ORGANIZER": "Calendar <calendar@upt.ro>",
            }
        ).mail
        assert mail.smtp_host == "smtp.upt.ro"
        assert (mail.smtp_port, mail.smtp_security, mail.smtp_timeout) == (2525, "tls", 7.5)
        assert (mail.smtp_username, mail.smtp_password) == ("rezervari", "parolă secretă")
        assert mail.smtp_tls_verify is False
        # A dot in a display name is an obsolete form: accepted, and written out quoted.
        assert mail.mail_from == '"Univ. Politehnica" <rezervari@upt.ro>'
        assert mail.sender_address == "rezervari@upt.ro"
        assert mail.reply_to == "Centrul de Conferințe <conferinte@upt.ro>"
        assert mail.organizer == "calendar@upt.ro"

    def test_the_password_is_not_in_the_settings_repr(self, tmp_path: Path) -> None:
        settings = load_settings(
            {"VAR_DIR": str(tmp_path), "SMTP_USERNAME": "u", "SMTP_PASSWORD": "s3cret-parola"}
        )
        assert "s3cret-parola" not in repr(settings)

    @pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("tls", 465), ("none", 25)])
    def test_default_port_follows_security(self, tmp_path: Path, security: str, port: int) -> None:
        mail = load_settings({"VAR_DIR": str(tmp_path), "SMTP_SECURITY": security}).mail
        assert mail.smtp_port == port

    def test_smtp_needs_the_address_people_reach_the_service_at(self, tmp_path: Path) -> None:
        with pytest.raises(SettingsError, match=r"^BASE_URL: required with SMTP_HOST"):
            load_settings({"VAR_DIR": str(tmp_path), "SMTP_HOST": "smtp.upt.ro"})

    def test_organizer_defaults_to_mail_from_address(self, tmp_path: Path) -> None:
        mail = load_settings(
            {"VAR_DIR": str(tmp_path), "MAIL_FROM": "Rezervări <rezervari@upt.ro>"}
        ).mail
        assert mail.organizer == "rezervari@upt.ro"

    @pytest.mark.parametrize(
        ("variable", "raw", "hint"),
        [
            ("SMTP_HOST", "smtp.upt.ro:587", "SMTP_PORT"),
            ("SMTP_HOST", "smtp://smtp.upt.ro", "'smtp://smtp.upt.ro'"),
            ("SMTP_HOST", "smtp upt ro", "'smtp upt ro'"),
            ("SMTP_PORT", "0", "at least 1"),
            ("SMTP_PORT", "70000", "65535"),
            ("SMTP_PORT", "submission", "'submission'"),
            ("SMTP_SECURITY", "ssl", "starttls, tls or none"),
            ("SMTP_TIMEOUT", "0", "more than 0"),
            ("SMTP_TIMEOUT", "-1", "more than 0"),
            ("SMTP_TIMEOUT", "nan", "more than 0"),
            ("SMTP_TIMEOUT", "half a minute", "'half a minute'"),
            ("SMTP_TLS_VERIFY", "maybe", "'maybe'"),
            ("MAIL_FROM", "no-reply", "'no-reply'"),
            ("MAIL_FROM", "a@upt.ro, b@upt.ro", "one e-mail address"),
            ("MAIL_FROM", "Rezervări <no-reply@", "one e-mail address"),
            ("MAIL_FROM", "x@upt.ro\r\nBcc: all@upt.ro", "one e-mail address"),
            ("MAIL_FROM", "rezervări@upt.ro", "one e-mail address"),
            ("MAIL_REPLY_TO", "nobody", "'nobody'"),
            ("MAIL_ORGANIZER", "calendar@", "'calendar@'"),
        ],
        ids=[
            "host-with-port",
            "host-as-url",
            "host-with-spaces",
            "port-zero",
            "port-too-big",
            "port-word",
            "security-unknown",
            "timeout-zero",
            "timeout-negative",
            "timeout-nan",
            "timeout-words",
            "tls-verify-word",
            "from-no-domain",
            "from-two-addresses",
            "from-unfinished",
            "from-header-injection",
            "from-non-ascii-local-part",
            "reply-to-no-domain",
            "organizer-no-domain",
        ],
    )
    def test_bad_value(self, tmp_path: Path, variable: str, raw: str, hint: str) -> None:
        assert hint in refused(tmp_path, variable, **{variable: raw})

    def test_an_ipv6_smtp_host(self, tmp_path: Path) -> None:
        assert (
            load_settings(
                {"VAR_DIR": str(tmp_path), "SMTP_HOST": "::1", "BASE_URL": "https://a.ro"}
            ).mail.smtp_host
            == "::1"
        )

    @pytest.mark.parametrize(
        ("env", "variable"),
        [
            ({"SMTP_USERNAME": "rezervari"}, "SMTP_PASSWORD"),
            ({"SMTP_PASSWORD": "x"}, "SMTP_USERNAME"),
        ],
        ids=["username-alone", "password-alone"],
    )
    def test_credentials_come_in_pairs(
        self, tmp_path: Path, env: dict[str, str], variable: str
    ) -> None:
        assert "both or neither" in refused(tmp_path, variable, **env)

    def test_a_base_url_host_that_makes_no_address(self, tmp_path: Path) -> None:
        message = refused(tmp_path, "MAIL_FROM", BASE_URL="http://[::1]:8000")
        assert "set MAIL_FROM" in message
        explicit = load_settings(
            {"VAR_DIR": str(tmp_path), "BASE_URL": "http://[::1]:8000", "MAIL_FROM": "a@upt.ro"}
        )
        assert explicit.mail.sender_address == "a@upt.ro"
