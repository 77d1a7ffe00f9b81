"""The e-mails of a request's life, composed from the outbox rows the relay writes after real
changes through the API: recipients, subjects and languages, both bodies, the building's local
times (across a change of the clocks), links that open, and the calendar invitations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from litestar import Litestar

from booking.bookings.unit_of_work import sweep_expired_holds
from booking.core.notifications import Kind
from booking.db import outbox
from booking.db.outbox import Delivery, NewMessage, StoredMessage
from booking.db.transactions import in_writing_transaction
from booking.notifications.composing import Composer
from booking.notifications.content import Content, MessageContext
from booking.notifications.envelope import NothingToSay, Sender
from booking.notifications.relay import relay
from booking.settings import Settings
from tests.factories import (
    BASE_DAY,
    booking_body,
    day,
    local,
    make_room,
    next_last_sunday,
    within_a_week,
)
from tests.integration.world import World, act, expire_hold, make_world, request

ZONE = ZoneInfo("Europe/Bucharest")
SENDER = Sender("Rezervări UPT <rezervari@upt.ro>", "birou.rezervari@upt.ro", "rezervari@upt.ro")
CONTACT = "ana.popescu@upt.ro"  # the contact named in every request (no account: Romanian)
# The first Monday after the clocks go forward: 10:00 there is 07:00 UTC, not 08:00.
AFTER_SPRING = (next_last_sunday(3) - BASE_DAY).days + 1


@dataclass
class Mail:
    message: StoredMessage
    mail: EmailMessage  # as a receiving client parses it back
    wire: bytes  # as it is sent

    @property
    def subject(self) -> str:
        return str(self.mail["Subject"])

    @property
    def text(self) -> str:
        text = self.mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        return str(text).replace("\r\n", "\n")

    @property
    def html(self) -> str:
        html = self.mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
        return str(html).replace("\r\n", "\n")

    @property
    def parts(self) -> list[str]:
        return [p.get_content_type() for p in self.mail.iter_parts()]

    @property
    def calendar_part(self) -> EmailMessage | None:
        return next(
            (p for p in self.mail.iter_parts() if p.get_content_type() == "text/calendar"), None
        )

    def calendar(self) -> icalendar.Calendar:
        part = self.calendar_part
        assert part is not None
        return icalendar.Calendar.from_ical(part.get_content())

    def says(self, *texts: str) -> None:
        """Each text is in both bodies."""
        for text in texts:
            assert text in self.text, f"{text!r} not in the text:\n{self.text}"
            assert text in unescape(self.html), f"{text!r} not in the HTML:\n{self.html}"


class Outbox:
    """The relay run after the changes, and each new message composed."""

    def __init__(self, app: Litestar, settings: Settings) -> None:
        self.engine = app.state.engine
        self.composer = Composer(settings.base_url, SENDER, ZONE)
        self.seen = 0

    async def new(self) -> list[StoredMessage]:
        await relay(self.engine, datetime.now(UTC), "upt.ro")
        found = [m for m in await outbox.listed([], None, 1000, 0) if m.id > self.seen]
        self.seen = max([self.seen, *(m.id for m in found)])
        return sorted(found, key=lambda m: m.id)

    async def compose(self, message: StoredMessage) -> Mail:
        composed = await self.composer.compose(message, datetime.now(UTC))
        wire = composed.as_bytes(policy=policy.SMTP)
        assert all(len(line) <= 998 for line in wire.split(b"\r\n"))
        parsed = message_from_bytes(wire, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return Mail(message, parsed, wire)

    async def mails(self, kind: Kind) -> dict[str, Mail]:
        """The new messages of `kind`, composed, by recipient; none of another kind."""
        found = await self.new()
        assert {m.kind for m in found} <= {kind.value}, [m.kind for m in found]
        return {m.address: await self.compose(m) for m in found}

    async def write(
        self,
        kind: Kind,
        data: dict[str, Any],
        booking_id: int | None = None,
        to: str = "x@upt.ro",
        language: str = "en",
    ) -> StoredMessage:
        """A message the scheduled work would write (reminders, digests, summaries)."""
        new = NewMessage(
            kind=kind.value,
            dedupe_key=f"test:{kind}:{self.seen}:{to}:{data}",
            address=to,
            name="Xenia",
            language=language,
            message_id=f"<test-{kind}-{self.seen}@upt.ro>",
            booking_id=booking_id,
            data=data,
        )
        now = datetime.now(UTC)
        await in_writing_transaction(self.engine, lambda: outbox.add([new], now))
        (written,) = await self.new()
        return written


@pytest.fixture
async def world(open_client, admin) -> World:
    built = await make_world(open_client, admin)
    # One approver of room X-1 reads Romanian; the building's approver reads English.
    answer = await built.room_approver_x.client.patch("/api/auth/me", json={"language": "ro"})
    assert answer.status_code == 200, answer.text
    return built


@pytest.fixture
async def box(app: Litestar, settings: Settings, world: World) -> Outbox:
    return Outbox(app, settings)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _links(mail: Mail, base_url: str) -> Iterator[str]:
    for url in re.findall(r'href="([^"]+)"', mail.html):
        assert url.startswith(base_url), url
        yield url.replace("&amp;", "&")


def _check_common(mail: Mail, to: str, language: str, base_url: str) -> None:
    assert mail.mail["To"].addresses[0].addr_spec == to
    assert mail.mail["Message-ID"] == mail.message.message_id
    assert mail.mail["Content-Language"] == language
    assert mail.mail["Auto-Submitted"] == "auto-generated"
    assert mail.mail.get_content_type() == "multipart/alternative"
    assert mail.parts[:2] == ["text/plain", "text/html"]
    prefix = "[Rezervări UPT] " if language == "ro" else "[UPT Rooms] "
    assert mail.subject.startswith(prefix)
    assert f'<html lang="{language}">' in mail.html
    assert "<h1" in mail.html
    for outside in ("<style", "<img", "<link", "<script"):
        assert outside not in mail.html
    assert list(_links(mail, base_url))


async def test_a_series_across_the_change_of_the_clocks_is_received_and_waits(
    box: Outbox, world: World, settings: Settings
) -> None:
    """Weekly from the Friday before the clocks go forward: 10:00 local every week, eight
    dates of which five are shown and "3 more" said."""
    first = AFTER_SPRING - 3
    body = booking_body(
        [world.room_x["id"]],
        local(first, "10:00"),
        local(first, "11:00"),
        organisation="A",
        recurrence={"frequency": "weekly", "weekdays": [4], "count": 8},
    )
    created = await world.requester_a.client.post("/api/bookings", json=body)
    assert created.status_code == 201, created.text
    booking = created.json()
    found = await box.new()
    assert sorted((m.kind, m.address, m.language) for m in found) == [
        ("awaiting_decision", "rx@upt.ro", "ro"),
        ("awaiting_decision", "x@upt.ro", "en"),
        ("submitted", "a@upt.ro", "en"),
        ("submitted", CONTACT, "ro"),
    ]
    mails = {(m.kind, m.address): await box.compose(m) for m in found}
    page = f"{settings.base_url}/requests/{booking['id']}"

    english = mails[("submitted", "a@upt.ro")]
    _check_common(english, "a@upt.ro", "en", settings.base_url)
    assert english.subject == "[UPT Rooms] Request received: Seminar de cercetare"
    english.says("Seminar de cercetare", "X-1", world.building_x["name_en"], "Timișoara")
    english.says("tier 1 of 1 (room manager)", page, "and 3 more")
    assert english.text.count("10:00–11:00") == 5
    assert "07:00" not in english.text  # the UTC of a summer date
    assert "08:00" not in english.text  # the UTC of a winter one
    for before_and_after in (day(first), day(first + 7)):  # UTC+2, then UTC+3
        english.says(f"{before_and_after.strftime('%A %-d %B %Y')}, 10:00–11:00")
    assert english.calendar_part is None

    romanian = mails[("submitted", CONTACT)]
    _check_common(romanian, CONTACT, "ro", settings.base_url)
    assert romanian.subject == "[Rezervări UPT] Cerere primită: Seminar de cercetare"
    romanian.says("Seminar de cercetare", world.building_x["name"], "nivelul 1 din 1", "și încă 3")
    assert romanian.text.count("10:00–11:00") == 5

    asked = mails[("awaiting_decision", "x@upt.ro")]
    _check_common(asked, "x@upt.ro", "en", settings.base_url)
    assert asked.subject == "[UPT Rooms] Waiting for your decision: Seminar de cercetare"
    asked.says("Ana (A)", world.organisation_a["name"], "Expected attendance", "20", page)
    assert "Decide on the request" in asked.text
    asked_ro = mails[("awaiting_decision", "rx@upt.ro")]
    assert (
        asked_ro.subject == "[Rezervări UPT] Așteaptă decizia dumneavoastră: Seminar de cercetare"
    )
    asked_ro.says("Participanți estimați", "Solicitant")

    # Each link opens: the request page for its requester and for its approver, the list.
    for url in _links(english, settings.base_url):
        assert (await world.requester_a.client.get(_path(url))).status_code == 200, url
    for url in _links(asked, settings.base_url):
        assert (await world.approver_x.client.get(_path(url))).status_code == 200, url


async def test_an_approval_carries_the_invitation_of_the_feeds_event(
    box: Outbox, world: World, settings: Settings
) -> None:
    pending = await request(world.requester_a, world.room_x, day=AFTER_SPRING, organisation="A")
    await box.new()
    approved = await act(world.approver_x, pending, "approve", comment="Vă așteptăm.")
    mails = await box.mails(Kind.APPROVED)
    assert set(mails) == {"a@upt.ro", CONTACT}
    host = urlsplit(settings.base_url).hostname
    feed_link = await world.requester_a.client.post("/api/feeds", json={"kind": "personal"})
    feed_path = _path(feed_link.json()["links"]["https"].replace("https://", "http://"))
    feed = icalendar.Calendar.from_ical((await world.requester_a.client.get(feed_path)).content)
    (feed_event,) = feed.walk("VEVENT")
    for address, mail in mails.items():
        language = "en" if address == "a@upt.ro" else "ro"
        _check_common(mail, address, language, settings.base_url)
        assert mail.parts == ["text/plain", "text/html", "text/calendar"]
        part = mail.calendar_part
        assert part is not None
        assert b'\r\nContent-Type: text/calendar; charset="utf-8"; method=REQUEST\r\n' in mail.wire
        assert part.get_param("method") == "REQUEST"
        calendar = mail.calendar()
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == f"booking-{approved['id']}@{host}" == str(feed_event["UID"])
        assert str(event["ATTENDEE"]) == f"mailto:{address}"
        assert str(event["ORGANIZER"]) == "mailto:rezervari@upt.ro"
        start = event.decoded("DTSTART")
        assert start.astimezone(ZONE).hour == 10
        assert start.astimezone(UTC).hour == 7  # summer time: UTC+3
        mail.says("Vă așteptăm.", "10:00–11:00")
    assert mails["a@upt.ro"].subject == "[UPT Rooms] Request approved: Seminar de cercetare"
    mails["a@upt.ro"].says("adds the dates to your calendar", "The approver's comment")
    mails[CONTACT].says("Cerere aprobată", "Comentariul aprobatorului")


async def test_a_rejection_and_a_request_for_changes_say_the_comment(
    box: Outbox, world: World, settings: Settings
) -> None:
    first = await request(world.requester_a, world.room_x, organisation="A")
    second = await request(world.requester_a, world.room_x, day=1, organisation="A")
    await box.new()
    await act(world.approver_x, first, "reject", comment="Sala are examene.\nReveniți.")
    rejected = await box.mails(Kind.REJECTED)
    assert set(rejected) == {"a@upt.ro", CONTACT}
    mail = rejected["a@upt.ro"]
    assert mail.subject == "[UPT Rooms] Request rejected: Seminar de cercetare"
    mail.says("has been rejected", "Sala are examene.", "Reveniți.")
    assert "> Sala are examene.\n> Reveniți." in mail.text
    assert mail.calendar_part is None
    assert rejected[CONTACT].subject == "[Rezervări UPT] Cerere respinsă: Seminar de cercetare"

    await act(world.approver_x, second, "request-changes", comment="Alegeți o sală mai mică.")
    asked = await box.mails(Kind.CHANGES_REQUESTED)
    mail = asked["a@upt.ro"]
    assert mail.subject == "[UPT Rooms] Changes requested: Seminar de cercetare"
    mail.says("What to change", "Alegeți o sală mai mică.")
    edit = f"{settings.base_url}/requests/{second['id']}/edit"
    mail.says(edit)
    assert (await world.requester_a.client.get(_path(edit))).status_code == 200
    asked[CONTACT].says("Ce trebuie modificat", "Modificări solicitate")


async def test_a_hold_and_its_lapse(box: Outbox, world: World, app: Litestar) -> None:
    pending = await request(world.requester_a, world.room_y)
    await box.new()
    until = within_a_week("18:00")
    held = await act(world.approver_y, pending, "hold", until=until)
    mails = await box.mails(Kind.HELD)
    said = datetime.fromisoformat(until).strftime("%A %-d %B %Y")
    mails["a@upt.ro"].says(f"until {said}, 18:00", "not an approval yet")
    assert (
        mails[CONTACT].subject == "[Rezervări UPT] Săli rezervate provizoriu: Seminar de cercetare"
    )
    assert mails["a@upt.ro"].calendar_part is None

    await expire_hold(held["id"])
    assert await sweep_expired_holds(app.state.engine, datetime.now(UTC)) == 1
    lapsed = await box.mails(Kind.HOLD_LAPSED)
    assert set(lapsed) == {"a@upt.ro", CONTACT}
    lapsed["a@upt.ro"].says("The hold on the rooms of your request has ended")


async def test_cancelling_an_approved_booking_takes_it_out_of_calendars(
    box: Outbox, world: World
) -> None:
    pending = await request(world.requester_a, world.room_y)
    approved = await act(world.approver_y, pending, "approve")
    await box.new()
    await act(world.requester_a, approved, "cancel", comment="Evenimentul s-a amânat.")
    mails = await box.mails(Kind.CANCELLED)
    mail = mails["a@upt.ro"]
    assert mail.subject == "[UPT Rooms] Request cancelled: Seminar de cercetare"
    mail.says("rooms are free again", "removes the dates from your calendar", "s-a amânat")
    part = mail.calendar_part
    assert part is not None
    assert part.get_param("method") == "CANCEL"
    assert b'\r\nContent-Type: text/calendar; charset="utf-8"; method=CANCEL\r\n' in mail.wire
    calendar = mail.calendar()
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]).startswith(f"booking-{approved['id']}@")
    assert str(event["ATTENDEE"]) == "mailto:a@upt.ro"
    mails[CONTACT].says("Cerere anulată", "elimină datele din calendarul")


async def test_cancelling_a_pending_request_sends_no_calendar(box: Outbox, world: World) -> None:
    """Nothing was ever put in a calendar for it: there is nothing to take out."""
    pending = await request(world.requester_a, world.room_y)
    await box.new()
    await act(world.requester_a, pending, "cancel")
    mails = await box.mails(Kind.CANCELLED)
    mail = mails["a@upt.ro"]
    assert mail.calendar_part is None
    mail.says("cancelled before a decision was made")


async def test_a_declined_request_lists_the_alternatives_with_links(
    box: Outbox, world: World, settings: Settings
) -> None:
    loser = await request(world.requester_a, world.room_x, organisation="A")
    winner = await request(
        world.requester_a, world.room_x, "10:30", "11:30", organisation="A", title="Concurs"
    )
    await box.new()
    await act(world.approver_x, winner, "approve")
    found = await box.new()
    declined = {m.address: m for m in found if m.kind == Kind.DECLINED}
    assert set(declined) == {"a@upt.ro", CONTACT}
    assert {m.booking_id for m in declined.values()} == {loser["id"]}
    alternatives = declined["a@upt.ro"].data["alternatives"]
    assert [r["code"] for r in alternatives["rooms"]][:1] == ["X-2"]
    mail = await box.compose(declined["a@upt.ro"])
    assert mail.subject == "[UPT Rooms] Room given to another request: Seminar de cercetare"
    mail.says("competing request", "Free alternatives", world.room_x2["name"], "(X-2)")
    mail.says(world.building_x["name_en"])
    form = (
        f"{settings.base_url}/book?room=X-2&date={day(0).isoformat()}"
        "&start=10:00&end=11:00&people=20"
    )
    assert form in mail.text
    assert form.replace("&", "&amp;") in mail.html
    # The nearest free times of the room asked for are offered as well.
    for slot in alternatives["slots"]:
        start = datetime.fromisoformat(slot["start"])
        mail.says(f"start={start:%H:%M}")
    for url in _links(mail, settings.base_url):
        assert (await world.requester_a.client.get(_path(url))).status_code == 200, url
    romanian = await box.compose(declined[CONTACT])
    romanian.says("Alternative libere", "Rezervă această sală la această oră")


async def test_a_change_approved_moves_the_calendar_a_change_refused_does_not(
    box: Outbox, world: World
) -> None:
    pending = await request(world.requester_a, world.room_x, organisation="A")
    approved = await act(world.approver_x, pending, "approve")
    await box.new()
    moved = await world.requester_a.client.patch(
        f"/api/bookings/{approved['id']}",
        json={"version": approved["version"], "start": local(0, "14:00"), "end": local(0, "15:00")},
    )
    assert moved.status_code == 200, moved.text
    waiting = await box.mails(Kind.AWAITING_DECISION)
    waiting["x@upt.ro"].says("A change of an approved booking", "Proposed change", "14:00–15:00")
    changed = await act(world.approver_x, moved.json(), "approve")
    mails = await box.mails(Kind.CHANGE_DECIDED)
    mail = mails["a@upt.ro"]
    assert mail.subject == "[UPT Rooms] Change approved: Seminar de cercetare"
    mail.says("has taken effect", "14:00–15:00", "updates the dates in your calendar")
    (event,) = mail.calendar().walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(ZONE).hour == 14
    assert int(event["SEQUENCE"]) == changed["version"]

    again = await world.requester_a.client.patch(
        f"/api/bookings/{changed['id']}",
        json={"version": changed["version"], "start": local(0, "16:00"), "end": local(0, "17:00")},
    )
    assert again.status_code == 200, again.text
    await box.new()
    await act(world.approver_x, again.json(), "reject", comment="Nu se poate.")
    refused = (await box.mails(Kind.CHANGE_DECIDED))["a@upt.ro"]
    assert refused.subject == "[UPT Rooms] Change refused: Seminar de cercetare"
    refused.says("keeps the dates below", "14:00–15:00", "Nu se poate.")
    assert "16:00" not in refused.text
    assert refused.calendar_part is None


async def test_single_dates_cancelled_refused_and_moved(box: Outbox, world: World) -> None:
    series = {"recurrence": {"frequency": "daily", "count": 3}, "organisation": "A"}
    instant = await make_room(world.building_y, code="Y-2", instant_book=True, capacity=100)
    approved = await request(world.requester_a, instant, **series)
    assert approved["status"] == "approved"
    assert set(await box.mails(Kind.APPROVED)) == {"a@upt.ro", CONTACT}

    second = approved["occurrences"][1]
    cancelled = await act(world.requester_a, approved, f"occurrences/{second['id']}/cancel")
    mail = (await box.mails(Kind.DATES_CHANGED))["a@upt.ro"]
    assert mail.subject == "[UPT Rooms] Dates changed: Seminar de cercetare"
    mail.says(f"has been cancelled: {day(1).strftime('%A %-d %B %Y')}")
    (event,) = mail.calendar().walk("VEVENT")
    assert str(event["METHOD"] if "METHOD" in event else mail.calendar()["METHOD"]) == "REQUEST"
    assert int(event["SEQUENCE"]) == cancelled["version"]

    third = cancelled["occurrences"][2]
    moved = await act(
        world.requester_a,
        cancelled,
        f"occurrences/{third['id']}/move",
        start=local(2, "12:00"),
        end=local(2, "13:00"),
    )
    mail = (await box.mails(Kind.DATES_CHANGED))["a@upt.ro"]
    mail.says("have been moved", "was: ", "10:00–11:00", "now: ", "12:00–13:00")
    assert mail.calendar_part is not None
    assert moved["status"] == "approved"

    pending = await request(world.requester_a, world.room_x, day=7, **series)
    await box.new()
    first = pending["occurrences"][0]
    await act(world.approver_x, pending, f"occurrences/{first['id']}/reject")
    refused = await box.mails(Kind.DATES_CHANGED)
    refused["a@upt.ro"].says(f"has been refused: {day(7).strftime('%A %-d %B %Y')}")
    assert refused["a@upt.ro"].calendar_part is None  # not approved: in no calendar yet
    refused[CONTACT].says("a fost respinsă")


async def test_a_reminder_the_day_before(box: Outbox, world: World, settings: Settings) -> None:
    pending = await request(world.requester_a, world.room_y, day=AFTER_SPRING, organisation="A")
    approved = await act(world.approver_y, pending, "approve")
    await box.new()
    that_day = day(AFTER_SPRING).isoformat()
    message = await box.write(
        Kind.REMINDER, {"date": that_day}, approved["id"], to=CONTACT, language="ro"
    )
    mail = await box.compose(message)
    assert mail.subject == "[Rezervări UPT] Mâine: Seminar de cercetare"
    mail.says("are loc mâine", "10:00–11:00", "Y-1", "Timișoara", world.building_y["name"])
    settings_link = f"{settings.base_url}/account#notifications"
    mail.says(settings_link, "mementourile")

    other_day = await box.write(
        Kind.REMINDER, {"date": day(AFTER_SPRING + 1).isoformat()}, approved["id"]
    )
    with pytest.raises(NothingToSay):
        await box.compose(other_day)
    await act(world.requester_a, approved, "cancel")
    await box.new()
    with pytest.raises(NothingToSay):
        await box.compose(message)


async def test_pending_soon_until_it_is_decided(box: Outbox, world: World) -> None:
    pending = await request(world.requester_a, world.room_x, day=AFTER_SPRING, organisation="A")
    await box.new()
    starts = datetime.fromisoformat(pending["occurrences"][0]["start"]).isoformat()
    message = await box.write(Kind.PENDING_SOON, {"starts_at": starts}, pending["id"])
    mail = await box.compose(message)
    assert mail.subject == "[UPT Rooms] Starts soon, still undecided: Seminar de cercetare"
    mail.says("still waits for your decision", "10:00", "Decide on the request")
    await act(world.approver_x, pending, "approve")
    await box.new()
    with pytest.raises(NothingToSay):
        await box.compose(message)


async def test_the_digest_lists_what_still_waits(
    box: Outbox, world: World, settings: Settings
) -> None:
    early = await request(world.requester_a, world.room_x, day=1, organisation="A", title="Întâi")
    late = await request(world.requester_a, world.room_x, day=3, organisation="A", title="Apoi")
    decided = await request(world.requester_a, world.room_x, day=5, organisation="A", title="Gata")
    await act(world.approver_x, decided, "approve")
    await box.new()
    waiting = [late["id"], early["id"], decided["id"]]
    message = await box.write(
        Kind.DIGEST, {"waiting": waiting, "day": date.today().isoformat()}, to="x@upt.ro"
    )
    mail = await box.compose(message)
    assert mail.subject == "[UPT Rooms] Requests waiting for your decision: 2"
    mail.says("Întâi", "Apoi", world.organisation_a["name"], "Waiting for", "First date")
    assert "Gata" not in mail.text
    assert mail.text.index("Întâi") < mail.text.index("Apoi")  # the soonest first
    assert re.search(r"Waiting for: \d+ (second|minute)s?", mail.text), mail.text
    mail.says(f"{settings.base_url}/requests/{early['id']}", "/account#notifications")
    assert mail.calendar_part is None

    await act(world.approver_x, early, "approve")
    await act(world.approver_x, late, "reject")
    await box.new()
    with pytest.raises(NothingToSay):
        await box.compose(message)


async def test_the_summary_of_failed_deliveries(
    box: Outbox, world: World, settings: Settings
) -> None:
    await request(world.requester_a, world.room_y)
    submitted = [m for m in await box.new() if m.kind == Kind.SUBMITTED]
    now = datetime.now(UTC)
    for one in submitted:
        claimed = await outbox.claim(one.id, now, now + timedelta(minutes=5))
        assert claimed is not None
        assert await outbox.mark_failed(claimed, "550 5.1.1 mailbox unknown", now)
    since = (now - timedelta(days=7)).isoformat()
    ids = [m.id for m in submitted]
    message = await box.write(
        Kind.FAILED_SUMMARY, {"since": since, "failed": ids}, to="admin@upt.ro"
    )
    mail = await box.compose(message)
    assert mail.subject == "[UPT Rooms] E-mails not delivered: 2"
    mail.says("550 5.1.1 mailbox unknown", "a@upt.ro", CONTACT, "submitted")
    for message_id in ids:
        mail.says(f"POST {settings.base_url}/api/notifications/{message_id}/retry")

    for message_id in ids:
        await outbox.discard(message_id, "address gone")
    with pytest.raises(NothingToSay):
        await box.compose(message)


async def test_a_message_of_a_request_gone_has_nothing_to_say(box: Outbox) -> None:
    now = datetime.now(UTC)
    gone = StoredMessage(
        id=1, kind=Kind.APPROVED.value, dedupe_key="k", booking_id=999_999, change_position=None,
        recipient_id=None, address="a@upt.ro", name="", language="en", data={},
        message_id="<gone@upt.ro>", status=Delivery.SENDING, attempts=1, due_at=now,
        lease_until=None, created_at=now, sent_at=None, last_error="", discarded_reason="",
    )  # fmt: skip
    with pytest.raises(NothingToSay) as raised:
        await box.composer.compose(gone, now)
    assert raised.value.reason == "the request no longer exists"


async def test_other_kinds_are_registered_by_their_owners(box: Outbox) -> None:
    now = datetime.now(UTC)
    message = StoredMessage(
        id=1, kind=Kind.PASSWORD_RESET.value, dedupe_key="k", booking_id=None,
        change_position=None, recipient_id=None, address="ana@upt.ro", name="Ana", language="ro",
        data={}, message_id="<reset@upt.ro>", status=Delivery.SENDING, attempts=1, due_at=now,
        lease_until=None, created_at=now, sent_at=None, last_error="", discarded_reason="",
    )  # fmt: skip
    with pytest.raises(LookupError):
        await box.composer.compose(message, now)

    async def password_reset(context: MessageContext) -> Content:
        link = context.link("/reset")
        return Content(f"[Rezervări UPT] {context.message.name}", link, f"<p>{link}</p>")

    box.composer.register(Kind.PASSWORD_RESET, password_reset)
    mail = await box.composer.compose(message, now)
    assert mail["Subject"] == "[Rezervări UPT] Ana"
    assert mail["Message-ID"] == "<reset@upt.ro>"
