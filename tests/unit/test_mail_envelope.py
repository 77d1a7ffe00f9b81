"""The envelope of an e-mail: headers written as mail servers and clients need them, the text,
the HTML and the invitation as alternatives, and nothing a server would refuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from booking.calendars.invitations import Method
from booking.db.outbox import Delivery, StoredMessage
from booking.notifications.envelope import NothingToSay, Sender, envelope

NOW = datetime(2027, 3, 29, 7, 30, tzinfo=UTC)
SENDER = Sender("Rezervări UPT <rezervari@upt.ro>", "birou@upt.ro", "rezervari@upt.ro")
MESSAGE = StoredMessage(
    id=7, kind="approved", dedupe_key="change:1:approved:ana@upt.ro", booking_id=1,
    change_position=1, recipient_id=None, address="ana@upt.ro", name='Ana "Ș." Popescu, UPT',
    language="ro", data={}, message_id="<17.abc@upt.ro>", status=Delivery.SENDING, attempts=1,
    due_at=NOW, lease_until=None, created_at=NOW, sent_at=None, last_error="",
    discarded_reason="",
)  # fmt: skip
CALENDAR = (
    b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Seminar \xc8\x99i atelier\r\nEND:VCALENDAR\r\n"
)


def _sent(mail: EmailMessage) -> tuple[bytes, EmailMessage]:
    wire = mail.as_bytes(policy=policy.SMTP)
    parsed = message_from_bytes(wire, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return wire, parsed


def test_the_headers() -> None:
    mail = envelope(
        MESSAGE, SENDER, "[Rezervări UPT] Cerere\naprobată", "text", "<p>html</p>", now=NOW
    )
    wire, back = _sent(mail)
    (to,) = back["To"].addresses
    assert (to.display_name, to.addr_spec) == ('Ana "Ș." Popescu, UPT', "ana@upt.ro")
    (sender,) = back["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Rezervări UPT", "rezervari@upt.ro")
    assert back["Reply-To"] == "birou@upt.ro"
    assert back["Subject"] == "[Rezervări UPT] Cerere aprobată"  # one line, whatever it held
    assert back["Date"] == "Mon, 29 Mar 2027 07:30:00 +0000"
    assert back["Message-ID"] == "<17.abc@upt.ro>"
    assert back["Auto-Submitted"] == "auto-generated"
    assert back["Content-Language"] == "ro"
    assert wire.isascii()  # every header encoded, the bodies transfer-encoded


@pytest.mark.parametrize("length", range(1, 60))
def test_a_long_subject_keeps_every_space(length: int) -> None:
    """Wherever the header is folded, the words read back as they were written."""
    subject = f"[Rezervări UPT] {'U' * length} v-a invitat în aplicația Rezervări săli UPT"
    wire, back = _sent(envelope(MESSAGE, SENDER, subject, "t", "<p>h</p>", now=NOW))
    assert back["Subject"] == subject
    head = wire.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78


def test_a_retry_is_the_same_message() -> None:
    first = envelope(MESSAGE, SENDER, "S", "text", "<p>html</p>", now=NOW)
    again = envelope(MESSAGE, SENDER, "S", "text", "<p>html</p>", now=NOW.replace(hour=9))
    assert first["Message-ID"] == again["Message-ID"] == MESSAGE.message_id


def test_no_reply_to_unless_one_is_set() -> None:
    mail = envelope(MESSAGE, replace(SENDER, reply_to=None), "S", "t", "<p>h</p>", now=NOW)
    assert "Reply-To" not in mail


def test_the_text_and_the_html_are_alternatives() -> None:
    _, back = _sent(envelope(MESSAGE, SENDER, "S", "Bună ziua", "<p>Bună ziua</p>", now=NOW))
    assert back.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in back.iter_parts()] == ["text/plain", "text/html"]
    assert back.get_body(("plain",)).get_content().strip() == "Bună ziua"  # type: ignore[union-attr]
    assert back.get_body(("html",)).get_content().strip() == "<p>Bună ziua</p>"  # type: ignore[union-attr]


@pytest.mark.parametrize("method", list(Method))
def test_the_invitation_is_the_last_alternative_with_its_method(method: Method) -> None:
    mail = envelope(MESSAGE, SENDER, "S", "text", "<p>html</p>", (CALENDAR, method), now=NOW)
    wire, back = _sent(mail)
    parts = list(back.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    assert f'\r\nContent-Type: text/calendar; charset="utf-8"; method={method}\r\n'.encode() in wire
    calendar = parts[-1]
    assert calendar.get_param("method") == method.value
    assert calendar["Content-Transfer-Encoding"] == "base64"
    assert calendar.get_content_disposition() is None  # inline, not an attachment
    assert calendar.get_payload(decode=True) == CALENDAR  # byte for byte, CRLF kept


def test_no_line_is_too_long_for_a_mail_server() -> None:
    long_line = "<p>" + "Seminar de cercetare în știința materialelor " * 100 + "</p>"
    wire, back = _sent(envelope(MESSAGE, SENDER, "S" * 300, long_line, long_line, now=NOW))
    assert max(len(line) for line in wire.split(b"\r\n")) <= 998
    assert back.get_body(("html",)).get_content().strip() == long_line  # type: ignore[union-attr]


@pytest.mark.parametrize("address", ["ana", "ana@", "@upt.ro", "ana@upt.ro\r\nBcc: x@y.z"])
def test_an_address_no_mail_can_go_to(address: str) -> None:
    with pytest.raises(ValueError, match=r"address|CR or LF"):
        envelope(replace(MESSAGE, address=address), SENDER, "S", "t", "<p>h</p>", now=NOW)


def test_nothing_to_say_keeps_its_reason() -> None:
    assert NothingToSay("the request no longer exists").reason == "the request no longer exists"


def test_the_organizer_is_named_as_the_sender() -> None:
    mailbox = SENDER.organizer_mailbox
    assert (mailbox.address, mailbox.name) == ("rezervari@upt.ro", "Rezervări UPT")
