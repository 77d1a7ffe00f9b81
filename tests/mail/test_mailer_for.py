"""mailer_for: the SMTP server when SMTP_HOST names one, else files under VAR_DIR/mail."""

from __future__ import annotations

from pathlib import Path

from booking.mail import FileMailer, SmtpMailer, mailer_for
from booking.settings import load_settings


def test_without_smtp_host_messages_go_to_var_mail(tmp_path: Path) -> None:
    mailer = mailer_for(load_settings({"VAR_DIR": str(tmp_path)}))
    assert isinstance(mailer, FileMailer)
    assert mailer.directory == tmp_path / "mail"


def test_with_smtp_host_messages_go_to_the_server(tmp_path: Path) -> None:
    settings = load_settings(
        {"VAR_DIR": str(tmp_path), "SMTP_HOST": "smtp.upt.ro", "BASE_URL": "https://rooms.upt.ro"}
    )
    assert isinstance(mailer_for(settings), SmtpMailer)
