"""FileMailer: one .eml file a message, named after its Message-ID, written whole or not at all."""

from __future__ import annotations

import stat
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest

from booking.mail import DeliveryDeferred, FileMailer
from booking.mail.files import file_name
from tests.mail.messages import HTML, SUBJECT, TEXT, notification


def names_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def read(path: Path) -> EmailMessage:
    message = BytesParser(policy=default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


class TestWriting:
    async def test_a_message_is_written_whole(self, tmp_path: Path) -> None:
        directory = tmp_path / "var" / "mail"  # created on the first message
        sent = notification(message_id="<request-42.approved.3@rooms.upt.ro>")
        await FileMailer(directory).send(sent)

        assert names_in(directory) == ["request-42.approved.3.eml"]
        path = directory / "request-42.approved.3.eml"
        assert path.read_bytes() == sent.as_bytes(policy=default.clone(linesep="\r\n"))
        written = read(path)
        assert written["Subject"] == SUBJECT
        assert written["To"] == "Ana Popescu <ana.popescu@upt.ro>"
        assert written["Message-ID"] == "<request-42.approved.3@rooms.upt.ro>"
        text, html = written.get_body(("plain",)), written.get_body(("html",))
        assert text is not None
        assert html is not None
        assert text.get_content().replace("\r\n", "\n") == TEXT
        assert html.get_content().replace("\r\n", "\n") == HTML

    async def test_only_its_owner_reads_it(self, tmp_path: Path) -> None:
        await FileMailer(tmp_path).send(notification(message_id="<a@rooms.upt.ro>"))
        assert stat.S_IMODE((tmp_path / "a.eml").stat().st_mode) == 0o600

    async def test_sent_again_it_replaces_its_file(self, tmp_path: Path) -> None:
        mailer = FileMailer(tmp_path)
        await mailer.send(notification(message_id="<same@rooms.upt.ro>", subject="Întâi"))
        await mailer.send(notification(message_id="<other@rooms.upt.ro>"))
        await mailer.send(notification(message_id="<same@rooms.upt.ro>", subject="Apoi"))
        assert names_in(tmp_path) == ["other.eml", "same.eml"]
        assert read(tmp_path / "same.eml")["Subject"] == "Apoi"

    async def test_no_temporary_file_is_left(self, tmp_path: Path) -> None:
        mailer = FileMailer(tmp_path)
        for number in range(3):
            await mailer.send(notification(message_id=f"<m{number}@rooms.upt.ro>"))
        await mailer.close()
        assert names_in(tmp_path) == ["m0.eml", "m1.eml", "m2.eml"]

    async def test_a_directory_that_cannot_be_made(self, tmp_path: Path) -> None:
        blocked = tmp_path / "mail"
        blocked.write_text("a file where the directory should be")
        with pytest.raises(DeliveryDeferred, match="mail"):
            await FileMailer(blocked).send(notification())


class TestFileNames:
    @pytest.mark.parametrize(
        ("message_id", "name"),
        [
            ("<request-42.approved.3@rooms.upt.ro>", "request-42.approved.3.eml"),
            ("  <spaced@rooms.upt.ro>  ", "spaced.eml"),
            ("<../../etc/passwd@rooms.upt.ro>", "_.._etc_passwd.eml"),
            ("<a/b*c?d|e{f}@rooms.upt.ro>", "a_b_c_d_e_f_.eml"),
            ("<.hidden@rooms.upt.ro>", "hidden.eml"),
            ('<"quoted@local"@rooms.upt.ro>', "_quoted_local_.eml"),
            ("<cerere-aprobată@rooms.upt.ro>", "cerere-aprobat_.eml"),
            ("<no-domain>", "no-domain.eml"),
        ],
        ids=["plain", "spaces", "parent", "separators", "hidden", "quoted", "non-ascii", "no-at"],
    )
    def test_safe_names(self, message_id: str, name: str) -> None:
        assert file_name(notification(message_id=message_id), b"") == name

    def test_a_long_id_is_cut_and_stays_apart_from_its_neighbours(self) -> None:
        one = file_name(notification(message_id=f"<{'x' * 300}1@rooms.upt.ro>"), b"")
        two = file_name(notification(message_id=f"<{'x' * 300}2@rooms.upt.ro>"), b"")
        assert one != two
        assert len(one) <= 204
        assert len(two) <= 204
        assert one.endswith(".eml")

    @pytest.mark.parametrize("message_id", [None, "<...@rooms.upt.ro>"], ids=["none", "dots"])
    async def test_without_a_usable_id_the_content_names_the_file(
        self, tmp_path: Path, message_id: str | None
    ) -> None:
        message = notification()
        del message["Message-ID"]
        if message_id is not None:
            message["Message-ID"] = message_id
        mailer = FileMailer(tmp_path)
        await mailer.send(message)
        await mailer.send(message)
        [name] = names_in(tmp_path)
        assert len(name) == len("0123456789abcdef0123456789abcdef.eml")
        assert read(tmp_path / name)["Subject"] == SUBJECT
