"""Demo data for the three UPT buildings, marked as such everywhere it shows.

Real rooms come later through the admin screens and an import; until then a fresh service has
something realistic to book. Seeding is idempotent: it adds what is missing, by code.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.accounts.passwords import hash_password
from booking.blackouts.closures import create_blackout
from booking.core.access import Actor
from booking.core.booking_rules import OpeningHours
from booking.core.tiers import TierCondition, TierRole, TierRule
from booking.core.timespan import TimeSpan
from booking.db import accounts, catalogue, tiers
from booking.db.blackouts import blackouts_in
from booking.db.room_rules import rules_for
from booking.db.tables import ApprovalTier, Building, Organisation, Room, UserAccount
from booking.rooms.rules import BookingWindows, set_room_rules


@dataclass(frozen=True)
class DemoRoom:
    code: str
    name: str
    capacity: int
    equipment: tuple[str, ...]
    setup_minutes: int = 0
    teardown_minutes: int = 0
    instant_book: bool = False
    description: str = ""


@dataclass(frozen=True)
class DemoBuilding:
    code: str
    name: str
    name_en: str
    address: str
    rooms: tuple[DemoRoom, ...]


def _hours(weekdays: range, opens: str, closes: str) -> tuple[OpeningHours, ...]:
    return tuple(
        OpeningHours(day, time.fromisoformat(opens), time.fromisoformat(closes)) for day in weekdays
    )


MONDAY_TO_FRIDAY = range(5)
SATURDAY = range(5, 6)

# When the demo rooms may be used, by building (weekday 0 = Monday); Sundays all are closed.
OPENING_HOURS = {
    "CC": _hours(MONDAY_TO_FRIDAY, "08:00", "20:00") + _hours(SATURDAY, "09:00", "14:00"),
    "BUPT": _hours(MONDAY_TO_FRIDAY, "08:00", "20:00") + _hours(SATURDAY, "09:00", "13:00"),
    "REC": _hours(MONDAY_TO_FRIDAY, "08:00", "18:00"),
}

# How long before a meeting it must be asked for, and how far ahead it may be.
DEFAULT_WINDOWS = BookingWindows(min_notice=timedelta(days=1), max_advance=timedelta(days=365))
WINDOWS = {
    "REC-SENAT": BookingWindows(min_notice=timedelta(days=2), max_advance=timedelta(days=365)),
    "CC-AULA": BookingWindows(min_notice=timedelta(days=2), max_advance=timedelta(days=365)),
    "REC-CA": BookingWindows(min_notice=timedelta(days=2), max_advance=timedelta(days=365)),
    # Small rooms booked on the day, a few weeks ahead at most.
    "CC-SEDINTE": BookingWindows(min_notice=timedelta(hours=1), max_advance=timedelta(days=60)),
    "BUPT-GRUP1": BookingWindows(min_notice=timedelta(0), max_advance=timedelta(days=30)),
    "BUPT-GRUP2": BookingWindows(min_notice=timedelta(0), max_advance=timedelta(days=30)),
}


@dataclass(frozen=True)
class PublicHoliday:
    day: date
    name: str  # Romanian
    name_en: str

    @property
    def reason(self) -> str:
        """The blackout's reason: it has one text, so both languages."""
        return f"Sărbătoare legală: {self.name} / Public holiday: {self.name_en}"


def _holidays(year: int, good_friday: date, pentecost: date) -> list[PublicHoliday]:
    """Romania's public holidays (Codul muncii, art. 139) of a year; Easter and Pentecost are
    the Orthodox ones. A day that is two holidays at once is listed once, with both names."""
    easter = good_friday + timedelta(days=2)
    named = [
        (date(year, 1, 1), "Anul Nou", "New Year's Day"),
        (date(year, 1, 2), "A doua zi de Anul Nou", "Day after New Year's Day"),
        (date(year, 1, 6), "Boboteaza", "Epiphany"),
        (date(year, 1, 7), "Sfântul Ioan Botezătorul", "Saint John the Baptist"),
        (date(year, 1, 24), "Ziua Unirii Principatelor Române", "Union Day"),
        (good_friday, "Vinerea Mare", "Orthodox Good Friday"),
        (easter, "Paștele", "Orthodox Easter Sunday"),
        (easter + timedelta(days=1), "A doua zi de Paște", "Orthodox Easter Monday"),
        (date(year, 5, 1), "Ziua Muncii", "Labour Day"),
        (date(year, 6, 1), "Ziua Copilului", "Children's Day"),
        (pentecost, "Rusaliile", "Orthodox Pentecost"),
        (pentecost + timedelta(days=1), "A doua zi de Rusalii", "Orthodox Whit Monday"),
        (date(year, 8, 15), "Adormirea Maicii Domnului", "Dormition of the Mother of God"),
        (date(year, 11, 30), "Sfântul Andrei", "Saint Andrew's Day"),
        (date(year, 12, 1), "Ziua Națională a României", "National Day of Romania"),
        (date(year, 12, 25), "Crăciunul", "Christmas Day"),
        (date(year, 12, 26), "A doua zi de Crăciun", "Second day of Christmas"),
    ]
    by_day: dict[date, PublicHoliday] = {}
    for day, name, name_en in named:
        same = by_day.get(day)
        if same is not None:
            name, name_en = f"{same.name}; {name}", f"{same.name_en}; {name_en}"
        by_day[day] = PublicHoliday(day, name, name_en)
    return sorted(by_day.values(), key=lambda holiday: holiday.day)


# Orthodox Good Friday and Pentecost Sunday (Easter + 49 days) of each year.
PUBLIC_HOLIDAYS = (
    *_holidays(2026, good_friday=date(2026, 4, 10), pentecost=date(2026, 5, 31)),
    *_holidays(2027, good_friday=date(2027, 4, 30), pentecost=date(2027, 6, 20)),
)


AV = ("projector", "screen", "sound", "microphones")

BUILDINGS = (
    DemoBuilding(
        "CC",
        "Centrul de Conferințe",
        "Conference Centre",
        "Bd. Vasile Pârvan nr. 2, Timișoara (adresă demonstrativă)",
        (
            DemoRoom(
                "CC-AULA",
                "Aula Magna",
                400,
                (*AV, "streaming", "recording", "interpretation", "stage", "wheelchair_access"),
                60,
                30,
                description="Sala mare, cu scenă și cabine de traducere.",
            ),
            DemoRoom(
                "CC-S1",
                "Sala de conferințe 1",
                120,
                (*AV, "streaming", "videoconference", "wheelchair_access"),
                30,
                15,
            ),
            DemoRoom("CC-S2", "Sala de conferințe 2", 80, (*AV, "videoconference"), 30, 15),
            DemoRoom(
                "CC-S3", "Sala de seminar 3", 40, ("projector", "screen", "whiteboard"), 15, 15
            ),
            DemoRoom(
                "CC-FOAIER",
                "Foaierul",
                200,
                ("sound", "catering_area", "exhibition_panels"),
                60,
                60,
                description="Pentru pauze de cafea, expoziții și recepții.",
            ),
            DemoRoom(
                "CC-SEDINTE",
                "Sala de ședințe",
                16,
                ("screen", "videoconference"),
                instant_book=True,
            ),
        ),
    ),
    DemoBuilding(
        "BUPT",
        "Biblioteca UPT",
        "UPT Library",
        "Bd. Vasile Pârvan nr. 2B, Timișoara (adresă demonstrativă)",
        (
            DemoRoom(
                "BUPT-AULA",
                "Aula Bibliotecii",
                150,
                (*AV, "streaming", "recording", "wheelchair_access"),
                30,
                30,
            ),
            DemoRoom(
                "BUPT-MULTIMEDIA",
                "Sala multimedia",
                30,
                ("projector", "computers", "whiteboard"),
                15,
                15,
            ),
            DemoRoom(
                "BUPT-EXPO", "Spațiul expozițional", 100, ("exhibition_panels", "sound"), 60, 60
            ),
            DemoRoom(
                "BUPT-GRUP1",
                "Sala de studiu în grup 1",
                8,
                ("whiteboard", "screen"),
                instant_book=True,
            ),
            DemoRoom(
                "BUPT-GRUP2", "Sala de studiu în grup 2", 8, ("whiteboard",), instant_book=True
            ),
        ),
    ),
    DemoBuilding(
        "REC",
        "Rectorat",
        "Rectorate",
        "Piața Victoriei nr. 2, Timișoara",
        (
            DemoRoom(
                "REC-SENAT",
                "Sala Senatului",
                120,
                (*AV, "streaming", "recording", "voting_system"),
                60,
                30,
                description="Ședințele Senatului au prioritate.",
            ),
            DemoRoom(
                "REC-CA",
                "Sala Consiliului de Administrație",
                30,
                ("screen", "microphones", "videoconference"),
                30,
                15,
            ),
            DemoRoom("REC-PROTOCOL", "Sala de protocol", 20, ("screen",), 30, 30),
        ),
    ),
)

ORGANISATIONS = (
    ("AC", "Facultatea de Automatică și Calculatoare", "faculty"),
    ("ETC", "Facultatea de Electronică, Telecomunicații și Tehnologii Informaționale", "faculty"),
    ("MEC", "Facultatea de Mecanică", "faculty"),
    ("CT", "Facultatea de Construcții", "faculty"),
    ("ARH", "Facultatea de Arhitectură și Urbanism", "faculty"),
    ("CHIM", "Facultatea de Chimie Industrială și Ingineria Mediului", "faculty"),
    ("EE", "Facultatea de Electrotehnică și Electroenergetică", "faculty"),
    ("MPT", "Facultatea de Management în Producție și Transporturi", "faculty"),
    ("SC", "Facultatea de Științe ale Comunicării", "faculty"),
    ("DCI", "Departamentul Comunicare și Imagine", "department"),
    ("TELEU", "TeleU — televiziunea universității", "department"),
    (
        "OSUT",
        "Organizația Studenților din Universitatea Politehnica Timișoara",
        "student_organisation",
    ),
    (
        "LSAC",
        "Liga Studenților din Facultatea de Automatică și Calculatoare",
        "student_organisation",
    ),
    ("EXTERN-DEMO", "Organizator extern (demo)", "external"),
)


# Demo accounts, one per kind of user: (e-mail, name, organisation, role, building).
DEMO_ACCOUNTS = (
    ("admin.demo@upt.ro", "Administrator (demo)", None, "admin", None),
    ("aprobator.cc.demo@upt.ro", "Aprobator Centrul de Conferințe (demo)", None, "approver", "CC"),
    ("aprobator.rec.demo@upt.ro", "Aprobator Rectorat (demo)", None, "approver", "REC"),
    ("aprobator.bupt.demo@upt.ro", "Aprobator Bibliotecă (demo)", None, "approver", "BUPT"),
    ("financiar.demo@upt.ro", "Financiar (demo)", None, "finance", None),
    ("solicitant.ac.demo@upt.ro", "Solicitant AC (demo)", "AC", None, None),
    ("solicitant.osut.demo@upt.ro", "Solicitant OSUT (demo)", "OSUT", None, None),
    ("extern.demo@example.org", "Organizator extern (demo)", "EXTERN-DEMO", None, None),
)

# Buildings rented to outside organisers: finance looks at those requests after the manager.
FINANCE_TIER_BUILDINGS = ("CC", "REC")


async def seed_demo_data(var_dir: Path | None = None) -> int:
    """Add the demo buildings, rooms, organisations, tiers, room rules, public holidays and
    accounts that are missing; return how many. New demo accounts get random passwords,
    written to VAR_DIR/demo-accounts.txt (readable by the owner only)."""
    added = await _seed_catalogue()
    added += await _seed_tiers()
    added += await _seed_rules()
    added += await _seed_holidays()
    if var_dir is not None:
        added += await _seed_accounts(var_dir)
    return added


# The demo data is written through the same use cases as an administrator's changes.
_SEEDER = CurrentUser(
    id=0,
    email="",
    display_name="demo data",
    language="ro",
    actor=Actor(user_id=0, admin=True),
    session=None,
)


def _engine() -> Engine:
    engine: Engine = Building._meta.db
    return engine


async def _seed_rules() -> int:
    """Opening hours and booking windows of the demo rooms that have no rules of their own."""
    added = 0
    for building in BUILDINGS:
        for demo in building.rooms:
            row = await Room.select(Room.id).where(Room.code == demo.code).first()
            if row is None:
                continue
            room = (await catalogue.rooms_by_id([row["id"]]))[row["id"]]
            rules = (await rules_for([room]))[room.id]
            if rules.hours or rules.min_notice or rules.max_advance:
                continue
            windows = WINDOWS.get(demo.code, DEFAULT_WINDOWS)
            hours = OPENING_HOURS[building.code]
            await set_room_rules(_engine(), _SEEDER, room.id, hours, windows)
            added += 1
    return added


async def _seed_holidays() -> int:
    """A closure of every demo building on each public holiday it is not closed for yet."""
    added = 0
    now = datetime.now(UTC)
    for building in BUILDINGS:
        row = (
            await Building.select(Building.id, Building.zone)
            .where(Building.code == building.code)
            .first()
        )
        if row is None:
            continue
        zone = ZoneInfo(row["zone"])
        for holiday in PUBLIC_HOLIDAYS:
            start = datetime.combine(holiday.day, time())
            end = datetime.combine(holiday.day + timedelta(days=1), time())
            day = TimeSpan(start.replace(tzinfo=zone), end.replace(tzinfo=zone))
            if any(
                b.building_id == row["id"] and b.room_id is None and b.reason == holiday.reason
                for b in await blackouts_in(day)
            ):
                continue
            await create_blackout(
                _engine(), _SEEDER, (start, end), holiday.reason, (row["id"], None), zone, now
            )
            added += 1
    return added


async def _seed_tiers() -> int:
    added = 0
    for code in FINANCE_TIER_BUILDINGS:
        building = await Building.select(Building.id).where(Building.code == code).first()
        if building is None or await ApprovalTier.exists().where(
            ApprovalTier.building == building["id"]
        ):
            continue
        await tiers.replace(
            [
                TierRule(TierRole.ROOM_MANAGER),
                TierRule(TierRole.FINANCE, TierCondition.EXTERNAL_OR_PAID),
            ],
            building=building["id"],
        )
        added += 1
    return added


async def _seed_accounts(var_dir: Path) -> int:
    lines = []
    for email, name, organisation, role, building_code in DEMO_ACCOUNTS:
        if await UserAccount.exists().where(UserAccount.email == email):
            continue
        password = secrets.token_urlsafe(12)
        user_id = await accounts.insert_user(
            email, name, "ro", await hash_password(password), datetime.now(UTC)
        )
        await UserAccount.update({UserAccount.is_demo: True}).where(UserAccount.id == user_id)
        if organisation is not None:
            row = await catalogue.organisation_by_code(organisation)
            if row is not None:
                await accounts.add_membership(user_id, row.id)
        if role is not None:
            building = None
            if building_code is not None:
                found = (
                    await Building.select(Building.id).where(Building.code == building_code).first()
                )
                building = found["id"] if found else None
            await accounts.add_grant(user_id, role, building, None, "")
        lines.append(f"{email}\t{password}\t{name}\n")
    if lines:
        _write_sign_ins(var_dir, lines)
    return len(lines)


def _write_sign_ins(var_dir: Path, lines: list[str]) -> None:
    var_dir.mkdir(parents=True, exist_ok=True)
    # Created readable by the owner only, before any password is written into it.
    descriptor = os.open(
        var_dir / "demo-accounts.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
    )
    with os.fdopen(descriptor, "a") as handle:
        handle.writelines(lines)


async def _seed_catalogue() -> int:
    added = 0
    for building in BUILDINGS:
        row = await Building.select(Building.id).where(Building.code == building.code).first()
        if row is None:
            inserted = await Building.insert(
                Building(
                    code=building.code,
                    name=building.name,
                    name_en=building.name_en,
                    address=building.address,
                    is_demo=True,
                )
            ).returning(Building.id)
            row = inserted[0]
            added += 1
        for room in building.rooms:
            if await Room.exists().where(Room.code == room.code):
                continue
            await Room.insert(
                Room(
                    building=row["id"],
                    code=room.code,
                    name=room.name,
                    capacity=room.capacity,
                    equipment=json.dumps(sorted(room.equipment)),
                    setup_minutes=room.setup_minutes,
                    teardown_minutes=room.teardown_minutes,
                    instant_book=room.instant_book,
                    description=room.description,
                    is_demo=True,
                )
            )
            added += 1
    for code, name, kind in ORGANISATIONS:
        if not await Organisation.exists().where(Organisation.code == code):
            await Organisation.insert(Organisation(code=code, name=name, kind=kind, is_demo=True))
            added += 1
    return added
