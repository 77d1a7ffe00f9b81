"""An outbox message as an e-mail: its headers, its text and HTML, and a calendar invitation.

The invitation is one more alternative of the multipart/alternative, beside the text and the
HTML, in base64 with the Content-Type `text/calendar; charset="utf-8"; method=…` (RFC 6047): so
Office 365 sends them, and so Outlook, Gmail and Apple Mail show their buttons. It is not also
attached as an .ics file: an attachment alone shows as a plain file in some clients, and beside
the inline part some clients show the invitation twice (shared/CALENDAR-NOTES.md).

The Message-ID is the one stored with the message: a retry sends the same message again, and a
receiving server that had it already may drop the repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from booking.calendars.invitations import Mailbox, Method, content_type
from booking.db.outbox import StoredMessage
from booking.i18n import texts


@dataclass(frozen=True)
class Sender:
    """Who the e-mails come from."""

    from_address: str  # in full: "Rezervări UPT <rezervari@upt.ro>"
    reply_to: str | None  # where answers go, when not to from_address
    organizer: str  # the address that reads calendar replies (never a no-reply one)

    @property
    def organizer_mailbox(self) -> Mailbox:
        """The invitations' ORGANIZER, named as the From address is."""
        name, _ = parseaddr(self.from_address)
        return Mailbox(self.organizer, name)


class NothingToSay(Exception):
    """The message has nothing left to say (its request is gone, it no longer waits for anyone,
    nothing is left in a digest): it is discarded, not sent, with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def recipient(message: StoredMessage) -> Address:
    """The To address; a name is encoded as the header needs it. An address that cannot be
    written (no domain, a line break) raises ValueError: no retry can deliver it."""
    local, at, domain = message.address.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an e-mail address: {message.address!r}")
    return Address(display_name=" ".join(message.name.split()), username=local, domain=domain)


def envelope(
    message: StoredMessage,
    sender: Sender,
    subject: str,
    text: str,
    html: str,
    calendar: tuple[bytes, Method] | None = None,
    *,
    now: datetime,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender.from_address
    mail["To"] = recipient(message)
    if sender.reply_to:
        mail["Reply-To"] = sender.reply_to
    # A subject is one line, whatever a title held.
    _set_subject(mail, " ".join(subject.split()))
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message.message_id
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to it
    mail["X-Auto-Response-Suppress"] = "OOF, AutoReply"  # the same, for Exchange
    # What the message is about, for the recipients' mail rules (and the operators' searches).
    mail["X-Booking-Kind"] = message.kind
    mail.set_content(text)
    mail.add_alternative(html, subtype="html")
    if calendar is not None:
        mail.attach(_calendar_part(*calendar))
    # After the body: setting it moves the content headers there were into its first part.
    mail["Content-Language"] = texts(message.language).language
    return mail


def _set_subject(mail: EmailMessage, subject: str) -> None:
    """The Subject header. Text that is not ASCII is written as RFC 2047 encoded words by the
    older email.header API: the email package's own folding (Python 3.11) drops the space
    between two words when a line break falls exactly there ("invitat în" read back as
    "invitatîn"), while this one keeps every space inside the encoded words."""
    if subject.isascii():
        mail["Subject"] = subject
        return
    mail.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n"))


def _calendar_part(body: bytes, method: Method) -> EmailMessage:
    part = EmailMessage()
    # base64: the bytes as built, their CRLF line ends and folding kept.
    part.set_content(body, maintype="text", subtype="calendar", cte="base64")
    # Exactly as content_type() says: the email package would write method="REQUEST",
    # quoted, where RFC 6047's examples and Office 365 write it bare.
    del part["Content-Type"]
    part.set_raw("Content-Type", content_type(method))
    return part
