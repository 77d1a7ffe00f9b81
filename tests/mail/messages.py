"""A message shaped like the service's notifications, for the mailers' tests."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

SUBJECT = "Cerere aprobată — Aula Magna"
TEXT = (
    "Bună ziua,\n\n"
    "Cererea dumneavoastră „Conferința anuală a Facultății de Automatică” pentru Aula Magna "
    "a fost aprobată: miercuri, 20 ianuarie 2027, 14:00–16:00.\n\n"
    "Rezervări săli UPT\n"
)
HTML = (
    "<p>Bună ziua,</p>\n"
    "<p>Cererea dumneavoastră „Conferința anuală a Facultății de Automatică” pentru "
    "<strong>Aula Magna</strong> a fost aprobată: miercuri, 20 ianuarie 2027, 14:00–16:00.</p>\n"
)


def notification(
    to: str = "Ana Popescu <ana.popescu@upt.ro>",
    *,
    subject: str = SUBJECT,
    message_id: str | None = None,
) -> EmailMessage:
    """A message shaped like the service's: Romanian text and HTML alternatives."""
    message = EmailMessage()
    message["From"] = "Rezervări săli UPT <no-reply@rooms.upt.ro>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2027, 1, 18, 9, 30, tzinfo=UTC))
    message["Message-ID"] = message_id or make_msgid("request-42", domain="rooms.upt.ro")
    message.set_content(TEXT)
    message.add_alternative(HTML, subtype="html")
    return message
