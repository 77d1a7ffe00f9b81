"""The demo rooms keep the rules a real service has: opening hours, booking windows and the
closures of Romania's public holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.easter import EASTER_ORTHODOX, easter

from booking.db.tables import Blackout, Room, RoomHours
from booking.seed import PUBLIC_HOLIDAYS, seed_demo_data
from tests.factories import booking_body, day


async def _room_id(code: str) -> int:
    row = await Room.select(Room.id).where(Room.code == code).first()
    assert row is not None
    return int(row["id"])


async def test_seeding_twice_adds_nothing(api) -> None:
    assert await seed_demo_data() > 0
    counts = (await Blackout.count(), await RoomHours.count())
    assert counts[0] == 3 * len(PUBLIC_HOLIDAYS)
    assert await seed_demo_data() == 0
    assert (await Blackout.count(), await RoomHours.count()) == counts


def _next_working_day_holiday() -> tuple[date, str]:
    """The first public holiday of the demo data on a Monday to Friday, far enough ahead for
    every demo room's notice. None left means the demo data needs next year's holidays."""
    soon = date.today() + timedelta(days=3)
    ahead = [h for h in PUBLIC_HOLIDAYS if h.day >= soon and h.day.weekday() < 5]
    assert ahead, "the demo data has no public holiday ahead: add next year's"
    return ahead[0].day, ahead[0].name_en


async def test_a_request_on_a_public_holiday_is_refused_with_its_reason(api) -> None:
    await seed_demo_data()
    aula = await _room_id("CC-AULA")
    holiday, name = _next_working_day_holiday()
    refused = await api.post(
        "/api/bookings",
        json=booking_body([aula], f"{holiday}T10:00", f"{holiday}T12:00"),
    )
    assert refused.status_code == 422, refused.text
    reasons = " ".join(error["reason"] for error in refused.json()["errors"])
    assert name in reasons, reasons
    # The same weekday a week on (or before, if that one is a holiday too) is ordinary.
    closed = {h.day for h in PUBLIC_HOLIDAYS}
    other = next(
        d for d in (holiday + timedelta(days=7), holiday + timedelta(days=14)) if d not in closed
    )
    allowed = await api.post(
        "/api/bookings", json=booking_body([aula], f"{other}T10:00", f"{other}T12:00")
    )
    assert allowed.status_code == 201, allowed.text


async def test_a_request_outside_opening_hours_is_refused(api) -> None:
    await seed_demo_data()
    senate = await _room_id("REC-SENAT")
    monday = day(0)  # the factories' day 0 is a Monday four weeks or more ahead
    assert monday.weekday() == 0
    monday = next(
        d
        for d in (monday + timedelta(weeks=n) for n in range(10))
        if d not in {h.day for h in PUBLIC_HOLIDAYS}
    )
    evening = booking_body([senate], f"{monday}T18:30", f"{monday}T20:00")
    refused = await api.post("/api/bookings", json=evening)
    assert refused.status_code == 422, refused.text
    assert {e["field"] for e in refused.json()["errors"]} <= {"start", "end"}
    sunday = monday + timedelta(days=6)
    on_sunday = booking_body([senate], f"{sunday}T10:00", f"{sunday}T12:00")
    assert (await api.post("/api/bookings", json=on_sunday)).status_code == 422
    in_hours = booking_body([senate], f"{monday}T10:00", f"{monday}T12:00")
    assert (await api.post("/api/bookings", json=in_hours)).status_code == 201


async def test_the_senate_hall_needs_two_days_notice(api) -> None:
    await seed_demo_data()
    senate = await _room_id("REC-SENAT")
    tomorrow = datetime.now().date() + timedelta(days=1)
    soon = booking_body([senate], f"{tomorrow}T10:00", f"{tomorrow}T11:00")
    refused = await api.post("/api/bookings", json=soon)
    assert refused.status_code == 422, refused.text


def test_the_movable_holidays_are_the_orthodox_ones() -> None:
    days = {h.day for h in PUBLIC_HOLIDAYS}
    for year in (2026, 2027):
        sunday = easter(year, EASTER_ORTHODOX)
        for offset in (-2, 0, 1, 49, 50):  # Good Friday, Easter, its Monday, Pentecost, Monday
            assert sunday + timedelta(days=offset) in days, (year, offset)
        for month, day_ in [(1, 1), (1, 2), (1, 6), (1, 7), (1, 24), (5, 1), (6, 1), (8, 15)]:
            assert date(year, month, day_) in days
        for month, day_ in [(11, 30), (12, 1), (12, 25), (12, 26)]:
            assert date(year, month, day_) in days
    assert easter(2026, EASTER_ORTHODOX) == date(2026, 4, 12)
    assert easter(2027, EASTER_ORTHODOX) == date(2027, 5, 2)
    assert len(days) == len(PUBLIC_HOLIDAYS) == 16 + 17  # 1 June 2026: two holidays at once
    children_and_whit_monday = next(h for h in PUBLIC_HOLIDAYS if h.day == date(2026, 6, 1))
    assert "Ziua Copilului" in children_and_whit_monday.name
    assert "Rusalii" in children_and_whit_monday.name
