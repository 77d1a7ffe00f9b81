"""SmtpMailer against a real SMTP server (aiosmtpd): what arrives, and how failures are told."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from booking.mail import DeliveryDeferred, DeliveryRefused, SmtpMailer
from booking.settings import MailSettings, load_settings
from tests.mail.messages import HTML, SUBJECT, TEXT, notification
from tests.mail_server import MailServer, free_port, mail_server

SENDER = "Rezervări săli UPT <no-reply@rooms.upt.ro>"


def settings_for(server: MailServer, tmp_path: Path, **env: str) -> MailSettings:
    """The mail settings `load_settings` makes for this server, with `env` besides."""
    return load_settings(
        {
            "VAR_DIR": str(tmp_path),
            "SMTP_HOST": server.host,
            "BASE_URL": "https://rooms.upt.ro",
            "SMTP_PORT": str(server.port),
            "SMTP_SECURITY": "none",
            "SMTP_TIMEOUT": "5",
            "MAIL_FROM": SENDER,
            **env,
        }
    ).mail


@pytest.fixture
async def server() -> AsyncIterator[MailServer]:
    async with mail_server() as running:
        yield running


@pytest.fixture
async def mailer(server: MailServer, tmp_path: Path) -> AsyncIterator[SmtpMailer]:
    mailer = SmtpMailer(settings_for(server, tmp_path))
    yield mailer
    await mailer.close()


class TestDelivery:
    async def test_a_message_arrives_whole(self, server: MailServer, mailer: SmtpMailer) -> None:
        sent = notification()
        await mailer.send(sent)

        [delivery] = server.sink.deliveries
        received = delivery.message
        assert received["Subject"] == SUBJECT
        assert received["From"] == SENDER
        assert received["To"] == "Ana Popescu <ana.popescu@upt.ro>"
        assert received["Message-ID"] == sent["Message-ID"]
        assert received["Date"] == sent["Date"]
        assert received.get_content_type() == "multipart/alternative"
        text, html = received.get_body(("plain",)), received.get_body(("html",))
        assert text is not None
        assert html is not None
        assert text.get_content() == TEXT
        assert html.get_content() == HTML
        # The envelope: MAIL_FROM's address as the sender, the To header as the recipient.
        assert delivery.mail_from == "no-reply@rooms.upt.ro"
        assert delivery.rcpt_tos == ["ana.popescu@upt.ro"]
        assert not delivery.encrypted
        assert delivery.login is None

    async def test_one_connection_carries_many_messages(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        for number in range(5):
            await mailer.send(notification(f"user{number}@upt.ro"))
        assert [m["To"] for m in server.sink.messages] == [f"user{n}@upt.ro" for n in range(5)]
        assert server.sink.connections == 1

    async def test_concurrent_sends_take_turns_on_one_connection(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        addresses = [f"user{number}@upt.ro" for number in range(8)]
        await asyncio.gather(*(mailer.send(notification(address)) for address in addresses))
        assert sorted(d.rcpt_tos[0] for d in server.sink.deliveries) == sorted(addresses)
        assert server.sink.connections == 1

    async def test_close_ends_the_connection_and_a_later_send_opens_one(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        await mailer.send(notification())
        await mailer.close()
        await mailer.close()  # closing twice is harmless
        await mailer.send(notification())
        assert len(server.sink.messages) == 2
        assert server.sink.connections == 2

    async def test_some_recipients_refused_the_others_get_it(
        self, server: MailServer, mailer: SmtpMailer, caplog: pytest.LogCaptureFixture
    ) -> None:
        server.sink.refuse_recipients = {"gone@upt.ro"}
        with caplog.at_level(logging.WARNING, logger="booking.mail.smtp"):
            await mailer.send(notification("ana.popescu@upt.ro, gone@upt.ro"))
        [delivery] = server.sink.deliveries
        assert delivery.rcpt_tos == ["ana.popescu@upt.ro"]
        assert "gone@upt.ro: 550 5.1.1" in caplog.text


class TestReconnecting:
    async def test_after_the_server_closed_an_idle_connection(self, tmp_path: Path) -> None:
        async with mail_server(idle_timeout=0.5) as server:
            mailer = SmtpMailer(settings_for(server, tmp_path))
            try:
                await mailer.send(notification())
                await asyncio.sleep(1.0)  # the server's idle timeout closes the connection
                await mailer.send(notification())
            finally:
                await mailer.close()
            assert len(server.sink.messages) == 2
            assert server.sink.connections == 2

    async def test_after_the_server_restarted(self, server: MailServer, mailer: SmtpMailer) -> None:
        await mailer.send(notification())
        server.stop()
        server.start()
        await mailer.send(notification())
        assert len(server.sink.messages) == 2
        assert server.sink.connections == 2

    async def test_when_the_kept_connection_no_longer_answers(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        # The server closes the connection as the mailer checks it: the message goes on a new
        # connection, once.
        await mailer.send(notification())
        server.sink.noop_closes_with = "421 4.3.2 mail.test shutting down"
        await mailer.send(notification())
        assert len(server.sink.messages) == 2
        assert server.sink.connections == 2


class TestRefused:
    async def test_a_recipient_the_server_does_not_know(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        server.sink.refuse_recipients = {"nobody@upt.ro"}
        with pytest.raises(DeliveryRefused) as refused:
            await mailer.send(notification("Nobody <nobody@upt.ro>"))
        assert refused.value.reason == "550 5.1.1 <nobody@upt.ro>: no such user"
        assert server.sink.messages == []
        # The connection is still good for the next message.
        await mailer.send(notification())
        assert len(server.sink.messages) == 1
        assert server.sink.connections == 1

    async def test_a_message_the_server_will_not_take(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        server.sink.refuse_messages = True
        with pytest.raises(DeliveryRefused) as refused:
            await mailer.send(notification())
        assert refused.value.reason == "554 5.6.0 message refused"

    async def test_a_message_without_recipients(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        message = notification()
        del message["To"]
        with pytest.raises(DeliveryRefused, match=r"[Rr]ecipient"):
            await mailer.send(message)
        assert server.sink.messages == []


class TestDeferred:
    @pytest.mark.parametrize("command", ["MAIL", "RCPT", "DATA"])
    async def test_try_later(self, server: MailServer, mailer: SmtpMailer, command: str) -> None:
        server.sink.defer_all = True
        server.sink.defer_command = command  # type: ignore[assignment]
        with pytest.raises(DeliveryDeferred) as deferred:
            await mailer.send(notification())
        assert "451 4.3.0 try later" in deferred.value.reason
        assert server.sink.messages == []
        # Once the server takes mail again, the same message goes through.
        server.sink.defer_all = False
        await mailer.send(notification())
        assert len(server.sink.messages) == 1

    async def test_no_server_listening(self, tmp_path: Path) -> None:
        async with mail_server() as server:
            mailer = SmtpMailer(settings_for(server, tmp_path))
            server.stop()
            try:
                with pytest.raises(DeliveryDeferred) as deferred:
                    await mailer.send(notification())
                assert f"{server.host}:{server.port}" in deferred.value.reason
                server.start()
                await mailer.send(notification())
            finally:
                await mailer.close()
            assert len(server.sink.messages) == 1

    async def test_the_server_went_away_between_messages(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        await mailer.send(notification())
        server.stop()
        with pytest.raises(DeliveryDeferred):
            await mailer.send(notification())
        server.start()
        await mailer.send(notification())
        assert len(server.sink.messages) == 2

    async def test_a_server_that_never_greets(self, tmp_path: Path) -> None:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # says nothing until the client gives up
            writer.close()

        port = free_port()
        listener = await asyncio.start_server(silent, "127.0.0.1", port)
        settings = load_settings(
            {
                "VAR_DIR": str(tmp_path),
                "SMTP_HOST": "127.0.0.1",
                "BASE_URL": "https://rooms.upt.ro",
                "SMTP_PORT": str(port),
                "SMTP_SECURITY": "none",
                "SMTP_TIMEOUT": "0.3",
            }
        ).mail
        mailer = SmtpMailer(settings)
        try:
            with pytest.raises(DeliveryDeferred, match=r"[Tt]imed out"):
                await mailer.send(notification())
        finally:
            await mailer.close()
            listener.close()
            await listener.wait_closed()


class TestLogin:
    async def test_with_the_right_credentials(self, server: MailServer, tmp_path: Path) -> None:
        server.sink.credentials = ("rezervari", "parolă-secretă")
        mailer = SmtpMailer(
            settings_for(
                server, tmp_path, SMTP_USERNAME="rezervari", SMTP_PASSWORD="parolă-secretă"
            )
        )
        try:
            await mailer.send(notification())
            await mailer.send(notification())
        finally:
            await mailer.close()
        assert [d.login for d in server.sink.deliveries] == ["rezervari", "rezervari"]
        assert server.sink.connections == 1

    async def test_wrong_credentials_wait_for_an_operator(
        self, server: MailServer, tmp_path: Path
    ) -> None:
        server.sink.credentials = ("rezervari", "parolă-secretă")
        mailer = SmtpMailer(
            settings_for(server, tmp_path, SMTP_USERNAME="rezervari", SMTP_PASSWORD="veche")
        )
        try:
            with pytest.raises(DeliveryDeferred) as deferred:
                await mailer.send(notification())
        finally:
            await mailer.close()
        assert "535" in deferred.value.reason
        assert server.sink.messages == []

    async def test_no_credentials_where_the_server_wants_them(
        self, server: MailServer, mailer: SmtpMailer
    ) -> None:
        server.sink.credentials = ("rezervari", "parolă-secretă")
        with pytest.raises(DeliveryDeferred) as deferred:
            await mailer.send(notification())
        assert deferred.value.reason == "530 5.7.0 Authentication required"


class TestTls:
    @pytest.mark.parametrize("security", ["starttls", "tls"])
    async def test_encrypted_with_a_login(
        self, tmp_path: Path, certificate: tuple[Path, Path], security: str
    ) -> None:
        async with mail_server(tls=security, certificate=certificate) as server:  # type: ignore[arg-type]
            server.sink.credentials = ("rezervari", "parolă-secretă")
            settings = settings_for(
                server,
                tmp_path,
                SMTP_SECURITY=security,
                SMTP_TLS_VERIFY="false",  # the test's certificate is signed by nobody
                SMTP_USERNAME="rezervari",
                SMTP_PASSWORD="parolă-secretă",
            )
            mailer = SmtpMailer(settings)
            try:
                await mailer.send(notification())
                await mailer.send(notification())
            finally:
                await mailer.close()
            assert [(d.encrypted, d.login) for d in server.sink.deliveries] == [
                (True, "rezervari"),
                (True, "rezervari"),
            ]
            assert server.sink.messages[0]["Subject"] == SUBJECT
            assert server.sink.connections == 1

    @pytest.mark.parametrize("security", ["starttls", "tls"])
    async def test_a_certificate_that_fails_verification(
        self, tmp_path: Path, certificate: tuple[Path, Path], security: str
    ) -> None:
        async with mail_server(tls=security, certificate=certificate) as server:  # type: ignore[arg-type]
            mailer = SmtpMailer(settings_for(server, tmp_path, SMTP_SECURITY=security))
            try:
                with pytest.raises(DeliveryDeferred, match="CERTIFICATE_VERIFY_FAILED"):
                    await mailer.send(notification())
            finally:
                await mailer.close()
            assert server.sink.messages == []

    async def test_starttls_required_but_not_offered(
        self, server: MailServer, tmp_path: Path
    ) -> None:
        mailer = SmtpMailer(settings_for(server, tmp_path, SMTP_SECURITY="starttls"))
        try:
            with pytest.raises(DeliveryDeferred, match="STARTTLS"):
                await mailer.send(notification())
        finally:
            await mailer.close()
        assert server.sink.messages == []
