"""A real SMTP server for the tests: aiosmtpd in its own thread, and a sink that keeps what it got.

    async with mail_server() as server:
        ... send to server.host, server.port ...
        assert server.sink.messages[0]["Subject"] == "…"

The sink's settings make the server refuse recipients, defer everything, refuse messages or ask
for a login; `server.stop()` makes the port refuse connections and `server.start()` listens on
it again. `mail_server(tls=...)` speaks STARTTLS or implicit TLS with a self-signed certificate
(`self_signed_certificate`, made with openssl).
"""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
SERVER_NAME = "mail.test"


@dataclass(frozen=True)
class Delivery:
    """One message as the server took it, with its envelope and connection."""

    message: EmailMessage
    mail_from: str
    rcpt_tos: list[str]
    peer: tuple[str, int]  # the client's address and port: one per connection
    login: str | None  # the user name the client logged in as
    encrypted: bool


class Sink:
    """The handler: keeps every message accepted, and answers as its settings say."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.deliveries: list[Delivery] = []
        self.greeted: list[tuple[str, int]] = []  # the peer of every EHLO, in order
        # 550 at RCPT for these addresses.
        self.refuse_recipients: set[str] = set()
        # 451 to every message, at the command named by defer_command.
        self.defer_all = False
        self.defer_command: Literal["MAIL", "RCPT", "DATA"] = "RCPT"
        # 554 after DATA: the message itself refused.
        self.refuse_messages = False
        # When set, AUTH takes these and MAIL asks for a login first (530).
        self.credentials: tuple[str, str] | None = None
        # An answer to NOOP after which the server closes the connection, as a server
        # shutting down does ("421 …").
        self.noop_closes_with: str | None = None

    @property
    def connections(self) -> int:
        """How many connections said EHLO (a STARTTLS connection says it twice, counted once)."""
        return len(set(self.greeted))

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        self.greeted.append(session.peer)
        return responses

    async def handle_NOOP(
        self, server: SMTP, session: Session, envelope: Envelope, arg: str
    ) -> Any:
        if self.noop_closes_with is None:
            return "250 OK"
        transport = server.transport
        assert transport is not None
        # After the answer is written: close() sends what is buffered first.
        server.loop.call_soon(transport.close)
        return self.noop_closes_with

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if self.defer_all and self.defer_command == "MAIL":
            return "451 4.3.0 try later"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse_recipients:
            return f"550 5.1.1 <{address}>: no such user"
        if self.defer_all and self.defer_command == "RCPT":
            return "451 4.3.0 try later"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.defer_all and self.defer_command == "DATA":
            return "451 4.3.0 try later"
        if self.refuse_messages:
            return "554 5.6.0 message refused"
        assert envelope.original_content is not None
        assert envelope.mail_from is not None
        # aiosmtpd's own Message handler keeps the headers encoded; parse them properly, with
        # the line ends a mailbox file has rather than the wire's CRLF.
        content = envelope.original_content.replace(b"\r\n", b"\n")
        message = BytesParser(policy=default).parsebytes(content)
        assert isinstance(message, EmailMessage)
        transport = server.transport
        credentials = session.auth_data
        self.messages.append(message)
        self.deliveries.append(
            Delivery(
                message=message,
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                peer=session.peer,
                login=credentials.login.decode()
                if isinstance(credentials, LoginPassword)
                else None,
                encrypted=transport is not None
                and transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 OK queued"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if self.credentials is None or not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = self.credentials
        success = data.login == user.encode() and data.password == password.encode()
        return AuthResult(success=success, handled=False, auth_data=data)


class MailServer:
    """aiosmtpd on a fixed port of 127.0.0.1, which can be stopped and started again."""

    def __init__(
        self,
        sink: Sink,
        *,
        tls: Literal["starttls", "tls"] | None = None,
        certificate: tuple[Path, Path] | None = None,
        idle_timeout: float = 300,
    ) -> None:
        self.host = HOST
        self.port = free_port()
        self.sink = sink
        self._tls = tls
        self._context = _server_context(certificate) if tls else None
        self._idle_timeout = idle_timeout
        self._controller: Controller | None = None

    def start(self) -> None:
        """Listen (again) on the same port."""
        assert self._controller is None, "already listening"
        options: dict[str, Any] = {
            "server_hostname": SERVER_NAME,
            "timeout": self._idle_timeout,
            "authenticator": self.sink.authenticate,
            # AUTH is offered with or without TLS; the sink decides whether it is required.
            "auth_require_tls": False,
        }
        if self._tls == "tls":
            options["ssl_context"] = self._context
        elif self._tls == "starttls":
            options["tls_context"] = self._context
            options["require_starttls"] = True
        controller = Controller(self.sink, hostname=self.host, port=self.port, **options)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening and drop every open connection: the port refuses connections."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()


@asynccontextmanager
async def mail_server(
    *,
    tls: Literal["starttls", "tls"] | None = None,
    certificate: tuple[Path, Path] | None = None,
    idle_timeout: float = 300,
    sink: Sink | None = None,
) -> AsyncIterator[MailServer]:
    """A listening server with `sink` (a fresh Sink if None); `certificate` (cert, key) is needed
    with `tls`."""
    server = MailServer(sink or Sink(), tls=tls, certificate=certificate, idle_timeout=idle_timeout)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def free_port() -> int:
    # aiosmtpd's Controller cannot listen on port 0 (it connects to its own port to check it).
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, valid for a day."""
    certificate, key = directory / "server.crt", directory / "server.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def _server_context(certificate: tuple[Path, Path] | None) -> ssl.SSLContext:
    assert certificate is not None, "a TLS server needs self_signed_certificate(...)"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context
