"""A request's dates written as calendar events read back as exactly those dates, by two
parsers, whatever their rhythm: single, series with gaps, moved dates, two a day, across the
changes of daylight saving time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.calendars.entries import Entry, Occasion
from booking.calendars.lines import LINE_OCTETS, fold
from booking.calendars.publishing import Feed, render
from tests.calendar_reading import expanded, expanded_by_vobject

BUCHAREST = ZoneInfo("Europe/Bucharest")
STAMP = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
FAR = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))


def at(day: date, hour: int, minute: int = 0, hours: float = 2) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUCHAREST)
    return start.astimezone(UTC), (start + timedelta(hours=hours)).astimezone(UTC)


def occasion(
    day: date,
    hour: int = 10,
    minute: int = 0,
    hours: float = 2,
    room: str = "Aula",
    status: str = "CONFIRMED",
) -> Occasion:
    start, end = at(day, hour, minute, hours)
    return Occasion(start, end, room, status)


def entry(*occasions: Occasion, booking: int = 7) -> Entry:
    return Entry(
        uid=f"booking-{booking}@rooms.upt.ro",
        sequence=3,
        changed_at=STAMP,
        summary="Seminar, AC; anul 2",
        description="Line one\nline two",
        url=f"https://rooms.upt.ro/requests/{booking}",
        zone="Europe/Bucharest",
        occasions=tuple(occasions),
    )


def feed_of(*entries: Entry) -> bytes:
    feed = Feed("Aula", "", "Europe/Bucharest", tuple(entries), rules_year=2026)
    return render(feed, lambda day: f"until {day}").body


def shown(*entries: Entry) -> list[tuple[datetime, datetime, str, str]]:
    body = feed_of(*entries)
    first = expanded(body, *FAR)
    second = expanded_by_vobject(body, *FAR)
    assert [(s.start, s.end, s.status, s.location) for s in first] == [
        (s.start, s.end, s.status, s.location) for s in second
    ]
    return [(s.start, s.end, s.status, s.location) for s in first]


def expected(*occasions: Occasion) -> list[tuple[datetime, datetime, str, str]]:
    return sorted((o.start, o.end, o.status, o.location) for o in occasions)


def weekly(first: date, count: int, step_days: int = 7) -> list[date]:
    return [first + timedelta(days=step_days * n) for n in range(count)]


def test_a_single_date_is_one_event_with_its_zone() -> None:
    only = occasion(date(2027, 3, 10))
    body = feed_of(entry(only))
    assert body.count(b"BEGIN:VEVENT") == 1
    assert b"DTSTART;TZID=Europe/Bucharest:20270310T100000\r\n" in body
    assert b"RRULE" not in body.split(b"END:VTIMEZONE")[-1]
    assert shown(entry(only)) == expected(only)


def test_a_weekly_series_across_both_changes_of_2027_keeps_its_wall_clock_time() -> None:
    # 2027-03-28 and 2027-10-31: Europe/Bucharest moves its clocks.
    dates = [occasion(day) for day in weekly(date(2027, 3, 1), 40)]
    body = feed_of(entry(*dates))
    assert body.count(b"BEGIN:VEVENT") == 1
    assert b"RRULE:FREQ=WEEKLY;UNTIL=" in body
    assert shown(entry(*dates)) == expected(*dates)
    local_hours = {o.start.astimezone(BUCHAREST).hour for o in dates}
    assert local_hours == {10}


def test_skipped_cancelled_and_moved_dates_are_exactly_what_clients_show() -> None:
    days = weekly(date(2026, 10, 5), 12)  # across 2026-10-25
    by_day = {
        i: occasion(day) for i, day in enumerate(days) if i not in (2, 5)
    }  # skipped, cancelled
    by_day[7] = occasion(days[7], hour=14, minute=30, hours=1.5)  # a single date moved
    by_day[9] = occasion(days[9], room="Sala 2")
    by_day[10] = occasion(days[10], status="TENTATIVE")
    kept = list(by_day.values())
    body = feed_of(entry(*kept))
    assert b"EXDATE;TZID=Europe/Bucharest:" in body
    assert body.count(b"RECURRENCE-ID;TZID=Europe/Bucharest:") == 3
    assert shown(entry(*kept)) == expected(*kept)


def test_two_dates_on_one_day_and_a_monthly_rhythm() -> None:
    days = [date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)]
    dates = [occasion(day) for day in days] + [occasion(days[1], hour=15)]
    body = feed_of(entry(*dates))
    assert b"UID:booking-7@rooms.upt.ro" in body
    assert b"UID:booking-7-2@rooms.upt.ro" in body
    assert shown(entry(*dates)) == expected(*dates)


def test_scattered_dates_become_single_events() -> None:
    dates = [occasion(day) for day in (date(2027, 1, 4), date(2027, 1, 5), date(2027, 6, 1))]
    body = feed_of(entry(*dates))
    assert b"RRULE" not in body.split(b"END:VTIMEZONE")[-1]
    assert shown(entry(*dates)) == expected(*dates)


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 500), min_size=1, max_size=25, unique=True),
    hours=st.lists(st.sampled_from([8, 10, 14]), min_size=25, max_size=25),
    statuses=st.lists(st.sampled_from(["CONFIRMED", "TENTATIVE"]), min_size=25, max_size=25),
)
def test_any_set_of_dates_reads_back_as_itself(
    offsets: list[int], hours: list[int], statuses: list[str]
) -> None:
    first = date(2026, 9, 1)
    dates = [
        occasion(first + timedelta(days=offset), hour=hours[i], status=statuses[i])
        for i, offset in enumerate(offsets)
    ]
    assert shown(entry(*dates)) == expected(*dates)


def test_text_is_escaped_and_long_lines_fold_between_characters() -> None:
    long = entry(occasion(date(2027, 5, 4)))
    body = feed_of(long)
    assert b"SUMMARY:Seminar\\, AC\\; anul 2\r\n" in body
    assert b"DESCRIPTION:Line one\\nline two\r\n" in body
    title = "Conferința națională de științe aplicate ș.a. " * 6
    folded = fold("SUMMARY:" + title)
    for physical in folded.split(b"\r\n"):
        assert len(physical) <= LINE_OCTETS
        physical.decode()  # no character cut in two
    assert folded.endswith(b"\r\n")


def test_every_line_ends_in_crlf_and_the_same_data_renders_the_same_bytes() -> None:
    dates = [occasion(day) for day in weekly(date(2027, 1, 4), 5)]
    body = feed_of(entry(*dates))
    assert body == feed_of(entry(*dates))
    assert b"\n" not in body.replace(b"\r\n", b"")


@pytest.mark.parametrize("zone", ["Europe/Bucharest", "Australia/Sydney", "Asia/Tokyo"])
def test_each_zone_is_written_with_yearly_rules(zone: str) -> None:
    local_zone = ZoneInfo(zone)
    start = datetime(2027, 3, 20, 10, tzinfo=local_zone)
    dates = [
        Occasion(
            (start + timedelta(weeks=n)).astimezone(UTC),
            (start + timedelta(weeks=n, hours=1)).astimezone(UTC),
            "",
            "CONFIRMED",
        )
        for n in range(30)
    ]
    one = Entry("booking-1@x", 1, STAMP, "t", "", "", zone, tuple(dates))
    body = render(Feed("x", "", zone, (one,), 2027), str).body
    timezone = body.split(b"BEGIN:VTIMEZONE")[1].split(b"END:VTIMEZONE")[0]
    assert b"RDATE" not in timezone
    if zone != "Asia/Tokyo":
        assert timezone.count(b"RRULE:FREQ=YEARLY") == 2
    found = expanded(body, *FAR)
    assert [(s.start, s.end) for s in found] == sorted((o.start, o.end) for o in dates)
    assert {s.start.astimezone(local_zone).hour for s in found} == {10}


def test_a_feed_past_the_limit_is_cut_short_and_says_until_when() -> None:
    dates = [occasion(date(2027, 1, 1) + timedelta(days=n)) for n in range(400)]
    entries = [entry(d, booking=n) for n, d in enumerate(dates)]
    feed = Feed("Aula", "The hall", "Europe/Bucharest", tuple(entries), rules_year=2027)
    whole = render(feed, lambda day: f"Shown until {day}.")
    assert whole.cut_after is None
    cut = render(feed, lambda day: f"Shown until {day}.", limit=len(whole.body) // 2)
    assert cut.cut_after is not None
    assert len(cut.body) <= len(whole.body) // 2
    assert f"Shown until {cut.cut_after}.".encode() in cut.body
    seen = expanded(cut.body, *FAR)
    assert seen
    assert max(s.start.astimezone(BUCHAREST).date() for s in seen) == cut.cut_after
    assert min(s.start for s in seen) == dates[0].start
