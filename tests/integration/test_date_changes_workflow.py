"""Single-date changes follow the same workflow as an edit of the whole request: tiers,
holds, dates approved on their own, changes waiting for approval, and who may act on what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from booking.db.tables import Occurrence
from tests.factories import day, local, make_building, make_room, within_a_week
from tests.integration.world import World, act, expire_hold, make_world, request

pytestmark = pytest.mark.usefixtures("empty")


@pytest.fixture
async def world(open_client, admin) -> World:
    return await make_world(open_client, admin)


async def _series(who, room, count=3, start="10:00", end="11:00", **extra: Any) -> dict:
    response = await who.client.post(
        "/api/bookings",
        json={
            "title": "Seminar",
            "rooms": [room["id"]],
            "start": local(0, start),
            "end": local(0, end),
            "expected_attendance": 10,
            "organiser_name": "Organiser",
            "contact_email": "organiser@upt.ro",
            "recurrence": {"frequency": "daily", "count": count},
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    series: dict[str, Any] = response.json()
    return series


async def _put_in_the_past(occurrence: dict) -> None:
    """Time passes: the date was yesterday."""
    past = datetime.now(UTC) - timedelta(days=1)
    await Occurrence.update(
        {
            Occurrence.starts_at: past,
            Occurrence.ends_at: past + timedelta(hours=1),
            Occurrence.blocked_from: past,
            Occurrence.blocked_until: past + timedelta(hours=1),
        }
    ).where(Occurrence.id == occurrence["id"])


async def _approved_with_a_move_waiting(
    world: World, series: dict, index: int, start: str, end: str
) -> dict:
    """Y's approver approves the series; its requester moves date `index` to `start`-`end`
    of day 1, which then waits for approval."""
    approved = await act(world.approver_y, series, "approve")
    proposed = await act(
        world.requester_a,
        approved,
        f"occurrences/{approved['occurrences'][index]['id']}/move",
        start=local(1, start),
        end=local(1, end),
    )
    assert proposed["change_pending"] is True
    return proposed


def _states(booking: dict) -> list[str]:
    return [o["status"] for o in booking["occurrences"]]


async def test_moving_a_series_into_another_building_asks_that_buildings_tiers(world) -> None:
    series = await _series(world.requester_b, world.room_y)
    assert series["required_tiers"] == ["room_manager"]
    moved = await act(
        world.requester_b,
        series,
        f"occurrences/{series['occurrences'][0]['id']}/change-following",
        rooms=[world.room_x["id"]],
    )
    # An outside organiser in building X needs the room manager and then finance.
    assert moved["required_tiers"] == ["room_manager", "finance"]
    assert moved["tiers_done"] == 0
    # Building Y's approver no longer decides, nor sees it; X's decides, then finance.
    await act(world.approver_y, moved, "approve", expect=404)
    first = await act(world.approver_x, moved, "approve")
    assert (first["status"], first["awaiting_tier"]) == ("pending", "finance")
    done = await act(world.finance, first, "approve")
    assert done["status"] == "approved"


async def test_moving_a_date_restarts_the_tiers_of_a_pending_request(world) -> None:
    series = await _series(world.requester_b, world.room_x)
    half = await act(world.approver_x, series, "approve")
    assert half["tiers_done"] == 1
    moved = await act(
        world.requester_b,
        half,
        f"occurrences/{half['occurrences'][1]['id']}/move",
        start=local(1, "15:00"),
        end=local(1, "16:00"),
    )
    assert (moved["status"], moved["tiers_done"], moved["awaiting_tier"]) == (
        "pending",
        0,
        "room_manager",
    )


async def test_moving_a_date_of_a_held_request_ends_the_hold(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    held = await act(world.approver_y, series, "hold", until=within_a_week("18:00"))
    moved = await act(
        world.requester_a,
        held,
        f"occurrences/{held['occurrences'][2]['id']}/move",
        start=local(2, "15:00"),
        end=local(2, "16:00"),
    )
    assert moved["status"] == "pending"
    assert moved["hold_until"] is None
    assert _states(moved) == ["pending", "pending", "pending"]


async def test_a_date_approved_on_its_own_stays_approved_when_the_hold_ends(world, app) -> None:
    series = await _series(world.requester_a, world.room_y)
    held = await act(world.approver_y, series, "hold", until=within_a_week("18:00"))
    first = held["occurrences"][0]
    one = await act(world.approver_y, held, f"occurrences/{first['id']}/approve")
    assert _states(one) == ["approved", "held", "held"]
    released = await act(world.approver_y, one, "release")
    assert _states(released) == ["approved", "pending", "pending"]
    # Nobody else can take the date that was approved on its own.
    other = await world.requester_b.client.post(
        "/api/bookings",
        json={
            "title": "Other",
            "rooms": [world.room_y["id"]],
            "start": local(0, "10:00"),
            "end": local(0, "11:00"),
            "expected_attendance": 5,
            "organiser_name": "B",
            "contact_email": "b@extern.ro",
        },
    )
    assert other.status_code == 409


async def test_a_date_whose_move_waits_for_approval_cannot_be_cancelled(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    second = series["occurrences"][1]
    proposed = await _approved_with_a_move_waiting(world, series, 1, "15:00", "16:00")
    refused = await act(
        world.requester_a, proposed, f"occurrences/{second['id']}/cancel", expect=409
    )
    assert refused["code"] == "not_allowed_now"
    assert "waiting for approval" in refused["message"]
    # A date the change does not touch can still be cancelled.
    third = proposed["occurrences"][2]
    cancelled = await act(world.requester_a, proposed, f"occurrences/{third['id']}/cancel")
    assert _states(cancelled) == ["approved", "approved", "cancelled"]
    decided = await act(world.approver_y, cancelled, "approve")
    live = [o for o in decided["occurrences"] if o["status"] == "approved"]
    assert [o["start"][11:16] for o in live] == ["10:00", "15:00"]


async def test_the_managers_of_the_rooms_held_cancel_while_a_move_waits(world) -> None:
    series = await _series(world.requester_a, world.room_x)
    approved = await act(world.approver_x, series, "approve")
    proposed = await act(
        world.requester_a,
        approved,
        f"occurrences/{approved['occurrences'][0]['id']}/change-following",
        rooms=[world.room_y["id"]],
    )
    assert proposed["change_pending"] is True
    last = proposed["occurrences"][2]
    # Y's approver decides the change, but cannot cancel what X's rooms hold.
    await act(world.approver_y, proposed, "cancel", expect=403)
    await act(world.approver_x, proposed, f"occurrences/{last['id']}/cancel", expect=409)
    cancelled = await act(world.approver_x, proposed, "cancel")
    assert cancelled["status"] == "cancelled"
    assert cancelled["change_pending"] is False


async def test_buffers_can_be_set_while_a_change_to_another_room_waits(world) -> None:
    booking = (
        await world.requester_a.client.post(
            "/api/bookings",
            json={
                "title": "Talk",
                "rooms": [world.room_x["id"]],
                "start": local(0, "10:00"),
                "end": local(0, "11:00"),
                "expected_attendance": 10,
                "organiser_name": "A",
                "contact_email": "a@upt.ro",
            },
        )
    ).json()
    approved = await act(world.approver_x, booking, "approve")
    response = await world.requester_a.client.patch(
        f"/api/bookings/{booking['id']}",
        json={"version": approved["version"], "rooms": [world.room_x2["id"]]},
    )
    assert response.status_code == 200, response.text
    proposed = response.json()
    changed = await act(
        world.approver_x,
        proposed,
        "buffers",
        setup_minutes=30,
        teardown_minutes=15,
        reason="chairs",
    )
    blocked = sorted(o["blocked_from"][11:16] for o in changed["occurrences"])
    proposed_blocked = [o["blocked_from"][11:16] for o in changed["proposed_occurrences"]]
    assert blocked == ["09:30"]
    assert proposed_blocked == ["09:30"]
    # Y's approver manages neither room, so does not see the private request at all.
    await act(
        world.approver_y,
        changed,
        "buffers",
        expect=404,
        setup_minutes=0,
        teardown_minutes=0,
        reason="x",
    )


async def test_a_date_that_is_over_cannot_be_moved(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    first = series["occurrences"][0]
    await _put_in_the_past(first)
    refused = await act(
        world.requester_a,
        series,
        f"occurrences/{first['id']}/move",
        expect=422,
        start=local(5, "10:00"),
        end=local(5, "11:00"),
    )
    assert refused["errors"] == [
        {"field": "occurrence", "code": "dates.over", "reason": "this date is over"}
    ]
    refused = await act(
        world.requester_a,
        series,
        f"occurrences/{first['id']}/change-following",
        expect=422,
        start_time="12:00",
    )
    assert refused["errors"] == [
        {"field": "occurrence", "code": "dates.over", "reason": "this date is over"}
    ]


async def test_a_restored_date_gets_the_rooms_and_times_of_its_part_of_the_series(world) -> None:
    old, new = world.room_y, await make_room(world.building_y, code="Y-9", instant_book=False)
    blocker = (
        await world.requester_b.client.post(
            "/api/bookings",
            json={
                "title": "Blocker",
                "rooms": [old["id"]],
                "start": local(0, "10:00"),
                "end": local(0, "11:00"),
                "expected_attendance": 5,
                "organiser_name": "B",
                "contact_email": "b@extern.ro",
            },
        )
    ).json()
    blocker = await act(world.approver_y, blocker, "approve")
    series = await _series(world.requester_a, old, count=3, on_conflict="skip")
    assert [s["date"] for s in series["skipped_dates"]] == [day(0).isoformat()]
    moved = await act(
        world.requester_a,
        series,
        f"occurrences/{series['occurrences'][0]['id']}/change-following",
        rooms=[new["id"]],
        start_time="14:00",
        end_time="15:00",
    )
    await act(world.approver_y, blocker, "cancel")
    restored = await act(world.requester_a, moved, f"skipped-dates/{day(0).isoformat()}/restore")
    by_day = sorted((o["start"][:16], o["room_id"]) for o in restored["occurrences"])
    # Day 0 comes back where the series was on day 0, not in both rooms.
    assert by_day == [
        (f"{day(0).isoformat()}T10:00", old["id"]),
        (f"{day(1).isoformat()}T14:00", new["id"]),
        (f"{day(2).isoformat()}T14:00", new["id"]),
    ]


async def test_a_date_cannot_be_moved_onto_a_day_that_has_another_date(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    refused = await act(
        world.requester_a,
        series,
        f"occurrences/{series['occurrences'][0]['id']}/move",
        expect=422,
        start=local(1, "15:00"),
        end=local(1, "16:00"),
    )
    assert refused["errors"][0]["field"] == "start"
    assert day(1).isoformat() in refused["errors"][0]["reason"]


async def test_a_decision_on_an_expired_hold_lapses_it_first(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    held = await act(world.approver_y, series, "hold", until=within_a_week("18:00"))
    await expire_hold(series["id"])
    # No worker ran: the hold lapses when someone acts on the request, and stays lapsed.
    stale = await act(world.approver_y, held, "approve", expect=409)
    assert stale["code"] == "stale_version"
    assert stale["current"]["status"] == "pending"
    approved = await act(world.approver_y, stale["current"], "approve")
    assert approved["status"] == "approved"


async def test_cancelling_the_last_undecided_date_approves_the_request(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    first, second, third = series["occurrences"]
    one = await act(world.approver_y, series, f"occurrences/{first['id']}/approve")
    two = await act(world.approver_y, one, f"occurrences/{second['id']}/approve")
    done = await act(world.requester_a, two, f"occurrences/{third['id']}/cancel")
    assert (done["status"], done["awaiting_tier"]) == ("approved", None)
    assert _states(done) == ["approved", "approved", "cancelled"]


async def _approved_series_with_a_skipped_first_day(world) -> tuple[dict, dict]:
    blocker = await _series(world.requester_b, world.room_y, count=1)
    blocker = await act(world.approver_y, blocker, "approve")
    series = await _series(world.requester_a, world.room_y, count=3, on_conflict="skip")
    series = await act(world.approver_y, series, "approve")
    assert [s["date"] for s in series["skipped_dates"]] == [day(0).isoformat()]
    return series, blocker


async def test_a_rejected_change_leaves_the_series_rule_as_it_was(world) -> None:
    series, blocker = await _approved_series_with_a_skipped_first_day(world)
    proposed = await act(
        world.requester_a,
        series,
        f"occurrences/{series['occurrences'][0]['id']}/change-following",
        start_time="14:00",
        end_time="15:00",
    )
    assert proposed["change_pending"] is True
    assert proposed["recurrence"]["changes"] == []
    rejected = await act(world.approver_y, proposed, "reject")
    assert rejected["recurrence"]["changes"] == []
    await act(world.requester_b, blocker, "cancel")
    restored = await act(world.requester_a, rejected, f"skipped-dates/{day(0).isoformat()}/restore")
    assert [o["start"][11:16] for o in restored["proposed_occurrences"]] == ["10:00"]
    # The restore waits for approval too; refused, the date is skipped again.
    assert [s["date"] for s in restored["skipped_dates"]] == [day(0).isoformat()]
    refused = await act(world.approver_y, restored, "reject")
    assert [s["date"] for s in refused["skipped_dates"]] == [day(0).isoformat()]
    approved = await act(
        world.approver_y,
        await act(world.requester_a, refused, f"skipped-dates/{day(0).isoformat()}/restore"),
        "approve",
    )
    assert approved["skipped_dates"] == []
    assert _states(approved).count("approved") == 3


async def test_cancelling_every_date_while_a_restore_waits_ends_the_change(world) -> None:
    series, blocker = await _approved_series_with_a_skipped_first_day(world)
    await act(world.requester_b, blocker, "cancel")
    booking = await act(world.requester_a, series, f"skipped-dates/{day(0).isoformat()}/restore")
    for occurrence in series["occurrences"]:
        booking = await act(world.requester_a, booking, f"occurrences/{occurrence['id']}/cancel")
    assert booking["status"] == "cancelled"
    assert booking["change_pending"] is False
    assert booking["proposed_occurrences"] == []


async def test_buffers_may_not_make_a_waiting_move_overlap_another_date(world) -> None:
    series = await _series(world.requester_a, world.room_y, start="20:00", end="23:00")
    proposed = await _approved_with_a_move_waiting(world, series, 1, "00:30", "01:30")
    refused = await act(
        world.approver_y,
        proposed,
        "buffers",
        expect=422,
        setup_minutes=120,
        teardown_minutes=120,
        reason="stage",
    )
    assert refused["errors"][0]["field"] == "setup_minutes"


async def test_a_paid_rental_waits_with_the_change_it_came_with(world) -> None:
    booking = await request(world.requester_a, world.room_x)
    approved = await act(world.approver_x, booking, "approve")
    response = await world.requester_a.client.patch(
        f"/api/bookings/{booking['id']}",
        json={"version": approved["version"], "rooms": [world.room_x2["id"]], "paid_rental": True},
    )
    assert response.status_code == 200, response.text
    proposed = response.json()
    assert proposed["required_tiers"] == ["room_manager", "finance"]
    assert proposed["paid_rental"] is False
    rejected = await act(world.approver_x, proposed, "reject")
    assert (rejected["status"], rejected["paid_rental"]) == ("approved", False)
    assert (rejected["required_tiers"], rejected["tiers_done"]) == (["room_manager"], 1)


async def test_a_date_of_a_series_may_not_be_moved_to_last_days(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    refused = await act(
        world.requester_a,
        series,
        f"occurrences/{series['occurrences'][0]['id']}/move",
        expect=422,
        start=local(5, "10:00"),
        end=local(8, "10:00"),
    )
    assert refused["errors"][0] == {
        "field": "end",
        "code": "series.date_too_long",
        "reason": "each date of a series may last at most 24 hours",
    }


async def test_the_rooms_still_in_use_decide(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    first = series["occurrences"][0]
    after_cancel = await act(world.requester_a, series, f"occurrences/{first['id']}/cancel")
    moved = await act(
        world.requester_a,
        after_cancel,
        f"occurrences/{after_cancel['occurrences'][1]['id']}/change-following",
        rooms=[world.room_x["id"]],
    )
    # Building Y's room now holds only a cancelled date: X's approver decides.
    await act(world.approver_y, moved, "approve", expect=403)
    approved = await act(world.approver_x, moved, "approve")
    assert approved["status"] == "approved"


async def test_refusing_a_request_keeps_the_dates_approved_on_their_own(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    first = series["occurrences"][0]
    one = await act(world.approver_y, series, f"occurrences/{first['id']}/approve")
    other = await request(world.requester_b, world.room_y, "10:00", "11:00", day=1)
    await act(world.approver_y, other, "approve")
    declined = (await world.requester_a.client.get(f"/api/bookings/{series['id']}")).json()
    assert declined["status"] == "approved"
    assert _states(declined) == ["approved", "rejected", "rejected"]
    assert one["version"] < declined["version"]
    # The same when the approver refuses the whole request.
    again = await _series(world.requester_a, world.room_y, start="15:00", end="16:00")
    kept = await act(
        world.approver_y, again, f"occurrences/{again['occurrences'][2]['id']}/approve"
    )
    refused = await act(world.approver_y, kept, "reject")
    assert refused["status"] == "approved"
    assert _states(refused) == ["rejected", "rejected", "approved"]


async def test_a_new_tier_is_refused_while_dates_are_approved_on_their_own(world) -> None:
    series = await _series(world.requester_a, world.room_x)
    one = await act(
        world.approver_x, series, f"occurrences/{series['occurrences'][0]['id']}/approve"
    )
    response = await world.requester_a.client.patch(
        f"/api/bookings/{series['id']}", json={"version": one["version"], "paid_rental": True}
    )
    assert response.status_code == 409, response.text
    assert "finance" in response.json()["message"]


async def test_a_series_with_a_date_behind_it_can_be_resubmitted(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    first = series["occurrences"][0]
    await _put_in_the_past(first)
    sent_back = await act(world.approver_y, series, "request-changes", comment="fix the title")
    resubmitted = await act(world.requester_a, sent_back, "submit")
    assert resubmitted["status"] == "pending"


async def test_a_series_moved_to_another_zone_keeps_its_wall_clock_there(world) -> None:
    abroad = await make_building(zone="America/New_York")
    room = await make_room(abroad, instant_book=True)
    series = await _series(world.admin, world.room_y)
    moved = await act(
        world.admin,
        series,
        f"occurrences/{series['occurrences'][1]['id']}/change-following",
        rooms=[room["id"]],
        start_time="20:00",
        end_time="21:00",
    )
    abroad_dates = [o for o in moved["occurrences"] if o["room_id"] == room["id"]]
    assert [o["start"][11:] for o in abroad_dates] == ["20:00:00-05:00", "20:00:00-05:00"]


async def test_single_dates_keep_to_the_series_limits_and_to_time(world) -> None:
    series = await _series(world.requester_a, world.room_y)
    far = (datetime.now(UTC) + timedelta(days=800)).date().isoformat()
    refused = await act(
        world.requester_a,
        series,
        f"occurrences/{series['occurrences'][0]['id']}/move",
        expect=422,
        start=f"{far}T10:00:00",
        end=f"{far}T11:00:00",
    )
    assert "at the latest" in refused["errors"][0]["reason"]
    first = series["occurrences"][0]
    past = datetime.now(UTC) - timedelta(hours=1)
    await Occurrence.update({Occurrence.starts_at: past, Occurrence.blocked_from: past}).where(
        Occurrence.id == first["id"]
    )
    begun = await act(world.approver_y, series, f"occurrences/{first['id']}/approve", expect=422)
    assert begun["errors"][0]["reason"] == "this date has already begun"


async def test_an_instant_series_has_every_tier_done(world) -> None:
    room = await make_room(world.building_y, instant_book=True)
    series = await _series(world.requester_a, room)
    assert (series["status"], series["tiers_done"]) == ("approved", 1)
