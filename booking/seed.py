"""Demo data for the three UPT buildings, marked as such everywhere it shows.

Real rooms come later through the admin screens and an import; until then a fresh service has
something realistic to book. Seeding is idempotent: it adds what is missing, by code.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from booking.accounts.passwords import hash_password
from booking.core.tiers import TierCondition, TierRole, TierRule
from booking.db import accounts, catalogue, tiers
from booking.db.tables import ApprovalTier, Building, Organisation, Room, UserAccount


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
    """Add the demo buildings, rooms, organisations, tiers and accounts that are missing;
    return how many. New demo accounts get random passwords, written to
    VAR_DIR/demo-accounts.txt (readable by the owner only)."""
    added = await _seed_catalogue()
    added += await _seed_tiers()
    if var_dir is not None:
        added += await _seed_accounts(var_dir)
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
