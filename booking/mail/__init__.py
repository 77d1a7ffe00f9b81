"""Sending e-mail: through an SMTP server when SMTP_HOST is set, else as .eml files.

Callers hold a Mailer and catch its two errors; which mailer it is comes from the settings.
"""

from __future__ import annotations

from booking.mail.errors import DeliveryDeferred, DeliveryRefused
from booking.mail.files import FileMailer
from booking.mail.mailer import Mailer
from booking.mail.smtp import SmtpMailer
from booking.settings import Settings

__all__ = [
    "DeliveryDeferred",
    "DeliveryRefused",
    "FileMailer",
    "Mailer",
    "SmtpMailer",
    "mailer_for",
]


def mailer_for(settings: Settings) -> Mailer:
    """The SMTP server's mailer when one is configured, else files under VAR_DIR/mail."""
    if settings.mail.smtp_host:
        return SmtpMailer(settings.mail)
    return FileMailer(settings.mail_dir)
