"""The approval workflow through the HTTP API: tiers, changes, holds, edits, competition and the
audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking.bookings.unit_of_work import sweep_expired_holds
from booking.db.tables import Room
from tests.factories import booking_body, local, within_a_week
from tests.integration.world import act, expire_hold, make_world, request


@pytest.fixture
async def world(open_client, admin):
    return await make_world(open_client, admin)


async def _history(who, booking) -> list[dict]:
    response = await who.client.get(f"/api/bookings/{booking['id']}/history")
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_whole_life_of_a_request_reads_back_in_order(world) -> None:
    b, x, fin = world.requester_b, world.approver_x, world.finance
    draft = await request(b, world.room_x, submit=False)
    assert draft["status"] == "draft"
    assert draft["required_tiers"] == ["room_manager", "finance"]
    pending = await act(b, draft, "submit")
    assert pending["status"] == "pending"
    sent_back = await act(x, pending, "request-changes", comment="please add the programme")
    assert sent_back["status"] == "changes_requested"
    edited = (
        await b.client.patch(
            f"/api/bookings/{draft['id']}",
            json={"version": sent_back["version"], "description": "Programul atașat."},
        )
    ).json()
    resubmitted = await act(b, edited, "submit")
    assert resubmitted["awaiting_tier"] == "room_manager"
    tier_one = await act(x, resubmitted, "approve")
    assert tier_one["status"] == "pending"
    assert tier_one["awaiting_tier"] == "finance"
    approved = await act(fin, tier_one, "approve")
    assert approved["status"] == "approved"
    moved = await b.client.patch(
        f"/api/bookings/{draft['id']}",
        json={"version": approved["version"], "start": local(0, "14:00"), "end": local(0, "15:00")},
    )
    assert moved.status_code == 200, moved.text
    proposal = moved.json()
    assert proposal["change_pending"] is True
    change_tier_one = await act(x, proposal, "approve")
    change_approved = await act(fin, change_tier_one, "approve")
    assert change_approved["occurrences"][0]["start"].startswith(local(0, "14:00"))
    cancelled = await act(b, change_approved, "cancel", comment="event postponed")
    assert cancelled["status"] == "cancelled"

    history = await _history(b, draft)
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("created", "", "draft"),
        ("submitted", "draft", "pending"),
        ("changes_requested", "pending", "changes_requested"),
        ("edited", "changes_requested", "changes_requested"),
        ("submitted", "changes_requested", "pending"),
        ("tier_approved", "pending", "pending"),
        ("approved", "pending", "approved"),
        ("change_proposed", "approved", "approved"),
        ("tier_approved", "approved", "approved"),
        ("change_approved", "approved", "approved"),
        ("cancelled", "approved", "cancelled"),
    ]
    assert [h["version"] for h in history] == list(range(1, 12))
    assert [h["actor_name"] for h in history] == [
        "Bogdan (B)", "Bogdan (B)", "Xenia", "Bogdan (B)", "Bogdan (B)", "Xenia",
        fin.user["display_name"], "Bogdan (B)", "Xenia", fin.user["display_name"], "Bogdan (B)",
    ]  # fmt: skip
    assert history[2]["comment"] == "please add the programme"
    assert history[3]["changes"] == {"description": ["", "Programul atașat."]}
    assert history[5]["details"]["tier"] == "room_manager"
    assert history[6]["details"]["tier"] == "finance"
    assert set(history[7]["changes"]) == {"start", "end"}
    assert history[10]["comment"] == "event postponed"
    at = [datetime.fromisoformat(h["at"]) for h in history]
    assert at == sorted(at)


async def test_internal_requests_need_only_the_room_manager(world) -> None:
    pending = await request(world.requester_a, world.room_x)
    assert pending["required_tiers"] == ["room_manager"]
    approved = await act(world.room_approver_x, pending, "approve")
    assert approved["status"] == "approved"


async def test_paid_rentals_of_internal_departments_need_finance_too(world) -> None:
    pending = await request(world.requester_a, world.room_x, paid_rental=True)
    assert pending["required_tiers"] == ["room_manager", "finance"]


async def test_approvers_see_the_private_requests_for_their_rooms_only(world) -> None:
    public_in_x = await request(world.requester_b, world.room_x, is_public=True)
    # A's private request wants the same slot: it competes with B's public one.
    in_x = await request(world.requester_a, world.room_x, contact_phone="+40 700 000 001")
    in_y = await request(world.requester_a, world.room_y, day=1)

    async def listed(who) -> set[int]:
        response = await who.client.get("/api/bookings")
        assert response.status_code == 200, response.text
        return {b["id"] for b in response.json()}

    assert await listed(world.approver_y) == {in_y["id"], public_in_x["id"]}
    assert await listed(world.approver_x) == {in_x["id"], public_in_x["id"]}
    assert await listed(world.finance) == {in_x["id"], in_y["id"], public_in_x["id"]}
    # A public request elsewhere can be read, but not who to call about it.
    public = (await world.approver_y.client.get(f"/api/bookings/{public_in_x['id']}")).json()
    assert public["contact_email"] is None
    own = (await world.approver_x.client.get(f"/api/bookings/{in_x['id']}")).json()
    assert own["contact_phone"] == "+40 700 000 001"

    async def competing(who) -> list[int]:
        response = await who.client.get(f"/api/bookings/{public_in_x['id']}/competing")
        assert response.status_code == 200, response.text
        return [b["id"] for b in response.json()]

    assert await competing(world.approver_x) == [in_x["id"]]
    assert await competing(world.approver_y) == []
    closure = await world.admin.client.post(
        "/api/blackouts",
        json={"start": local(0, "00:00"), "end": local(3, "00:00"), "reason": "Mentenanță"},
    )
    assert closure.status_code == 201, closure.text
    blackout = closure.json()["blackout"]["id"]

    async def under_closure(who) -> set[int]:
        response = await who.client.get(f"/api/blackouts/{blackout}")
        assert response.status_code == 200, response.text
        return {a["booking_id"] for a in response.json()["affected"]}

    assert await under_closure(world.approver_y) == {in_y["id"]}
    assert await under_closure(world.approver_x) == {in_x["id"], public_in_x["id"]}
    assert await under_closure(world.finance) == {in_x["id"], in_y["id"], public_in_x["id"]}


async def test_a_hold_until_a_wrong_time_is_a_field_error(world) -> None:
    pending = await request(world.requester_a, world.room_x, day=3)
    now = datetime.now(UTC).replace(microsecond=0, second=0)
    for until, code, reason in [
        (now - timedelta(hours=1), "hold.in_the_past", "a hold must end in the future"),
        (now + timedelta(days=31), "hold.too_long", "a hold may last at most 30 days"),
    ]:
        refused = await act(world.approver_x, pending, "hold", expect=422, until=until.isoformat())
        assert refused["errors"] == [{"field": "until", "code": code, "reason": reason}]


async def test_each_tier_is_decided_only_by_its_own_deciders(world) -> None:
    pending = await request(world.requester_b, world.room_x)
    refused = await act(world.finance, pending, "approve", expect=403)
    assert refused["code"] == "forbidden"
    # The approver of another building does not even see a private request for building X.
    await act(world.approver_y, pending, "approve", expect=404)
    tier_one = await act(world.approver_x, pending, "approve")
    await act(world.approver_x, tier_one, "approve", expect=403)
    await act(world.room_approver_x, tier_one, "approve", expect=403)
    approved = await act(world.finance, tier_one, "approve")
    assert approved["status"] == "approved"


async def test_any_tier_can_reject_and_that_ends_the_request(world) -> None:
    pending = await request(world.requester_b, world.room_x)
    tier_one = await act(world.approver_x, pending, "approve")
    rejected = await act(world.finance, tier_one, "reject", comment="unpaid invoices")
    assert rejected["status"] == "rejected"
    assert rejected["occurrences"][0]["status"] == "rejected"
    again = await act(world.approver_x, rejected, "approve", expect=409)
    assert again["code"] == "not_allowed_now"
    assert again["current"]["status"] == "rejected"


async def test_approving_declines_the_overlapping_pending_requests_with_alternatives(
    world,
) -> None:
    first = await request(world.requester_a, world.room_x, "10:00", "12:00")
    second = await request(world.requester_b, world.room_x, "11:00", "13:00")
    elsewhere = await request(world.requester_b, world.room_x2, "11:00", "13:00")
    competing = await world.approver_x.client.get(f"/api/bookings/{first['id']}/competing")
    assert [c["id"] for c in competing.json()] == [second["id"]]
    approved = await act(world.approver_x, first, "approve")
    assert approved["status"] == "approved"
    declined = (await world.requester_b.client.get(f"/api/bookings/{second['id']}")).json()
    assert declined["status"] == "rejected"
    last = (await _history(world.requester_b, second))[-1]
    assert last["action"] == "declined"
    assert last["details"]["approved_instead"] == first["id"]
    assert f"#{first['id']}" in last["comment"]
    suggested = [r["code"] for r in last["details"]["alternatives"]["rooms"]]
    assert "X-2" in suggested
    untouched = (await world.requester_b.client.get(f"/api/bookings/{elsewhere['id']}")).json()
    assert untouched["status"] == "pending"


async def test_a_hold_keeps_the_room_until_it_lapses(world, app) -> None:
    pending = await request(world.requester_a, world.room_y)
    until = within_a_week("18:00")
    held = await act(world.approver_y, pending, "hold", until=until, comment="awaiting budget")
    assert held["status"] == "held"
    assert held["occurrences"][0]["status"] == "held"
    # Nobody else can ask for the held slot meanwhile.
    other = await world.admin.client.post(
        "/api/bookings",
        json=booking_body([world.room_y["id"]], local(0, "10:30"), local(0, "11:30")),
    )
    assert other.status_code == 409
    assert [c["booking_id"] for c in other.json()["conflicts"]] == [pending["id"]]
    # Time passes: the hold's end is now behind us.
    await expire_hold(pending["id"])
    assert await sweep_expired_holds(app.state.engine, datetime.now(UTC)) == 1
    lapsed = (await world.requester_a.client.get(f"/api/bookings/{pending['id']}")).json()
    assert lapsed["status"] == "pending"
    assert lapsed["hold_until"] is None
    entry = (await _history(world.requester_a, pending))[-1]
    assert (entry["action"], entry["actor_name"], entry["to_status"]) == (
        "hold_lapsed",
        "system",
        "pending",
    )


async def test_an_expired_hold_never_blocks_a_new_booking(world, app) -> None:
    pending = await request(world.requester_a, world.room_y)
    await act(world.approver_y, pending, "hold", until=within_a_week("18:00"))
    await expire_hold(pending["id"])
    competing = await request(world.requester_b, world.room_y, "10:00", "11:00")
    approved = await act(world.approver_y, competing, "approve")
    assert approved["status"] == "approved"
    assert (await world.admin.client.get(f"/api/bookings/{pending['id']}")).json()[
        "status"
    ] == "rejected"


async def test_an_expired_hold_gives_way_to_an_instant_booking(world) -> None:
    pending = await request(world.requester_a, world.room_y)
    await act(world.approver_y, pending, "hold", until=within_a_week("18:00"))
    await expire_hold(pending["id"])
    # The room becomes instant-book: a new booking of it holds the room at once.
    await Room.update({Room.instant_book: True}).where(Room.id == world.room_y["id"])
    instant = await request(world.requester_b, world.room_y, "10:00", "11:00")
    assert instant["status"] == "approved"
    lapsed = (await world.admin.client.get(f"/api/bookings/{pending['id']}")).json()
    assert (lapsed["status"], lapsed["hold_until"]) == ("pending", None)


async def test_release_returns_a_hold_to_pending(world) -> None:
    pending = await request(world.requester_a, world.room_y)
    held = await act(world.approver_y, pending, "hold", until=within_a_week("18:00"))
    released = await act(world.approver_y, held, "release")
    assert released["status"] == "pending"
    assert released["occurrences"][0]["status"] == "pending"


async def test_moving_an_approved_booking_keeps_its_slot_until_the_change_is_decided(
    world,
) -> None:
    approved = await act(
        world.approver_y, await request(world.requester_a, world.room_y), "approve"
    )
    moved = (
        await world.requester_a.client.patch(
            f"/api/bookings/{approved['id']}",
            json={
                "version": approved["version"],
                "start": local(1, "09:00"),
                "end": local(1, "10:00"),
            },
        )
    ).json()
    assert moved["status"] == "approved"
    assert moved["change_pending"] is True
    assert moved["occurrences"][0]["start"].startswith(local(0, "10:00"))
    assert moved["proposed_occurrences"][0]["start"].startswith(local(1, "09:00"))
    busy = await world.admin.client.get(
        f"/api/rooms/{world.room_y['id']}/availability",
        params={"start": local(0, "00:00"), "end": local(2, "00:00")},
    )
    assert [b["start"][:16] for b in busy.json()["busy"]] == [local(0, "10:00")[:16]]
    again = await world.requester_a.client.patch(
        f"/api/bookings/{approved['id']}", json={"version": moved["version"], "title": "Nou"}
    )
    assert again.status_code == 409
    kept = await act(world.approver_y, moved, "reject", comment="the room is needed then")
    assert kept["status"] == "approved"
    assert kept["change_pending"] is False
    assert kept["proposed_occurrences"] == []
    assert kept["occurrences"][0]["start"].startswith(local(0, "10:00"))


async def test_editing_a_pending_request_restarts_its_tiers(world) -> None:
    pending = await request(world.requester_b, world.room_x)
    tier_one = await act(world.approver_x, pending, "approve")
    assert tier_one["tiers_done"] == 1
    moved = await world.requester_b.client.patch(
        f"/api/bookings/{pending['id']}",
        json={"version": tier_one["version"], "end": local(0, "11:30")},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["tiers_done"] == 0
    assert moved.json()["awaiting_tier"] == "room_manager"
    retitled = await world.requester_b.client.patch(
        f"/api/bookings/{pending['id']}",
        json={"version": moved.json()["version"], "title": "Conferință"},
    )
    assert retitled.json()["tiers_done"] == 0
    assert retitled.json()["title"] == "Conferință"


async def test_approved_instant_book_bookings_move_at_once(api) -> None:
    from tests.factories import make_room

    room = await make_room(instant_book=True)
    booking = (
        await api.post(
            "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
        )
    ).json()
    moved = await api.patch(
        f"/api/bookings/{booking['id']}",
        json={"version": 1, "start": local(0, "12:00"), "end": local(0, "13:00")},
    )
    assert moved.json()["status"] == "approved"
    assert moved.json()["change_pending"] is False
    assert moved.json()["occurrences"][0]["start"].startswith(local(0, "12:00"))
    free_again = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    assert free_again.status_code == 201


async def test_the_queue_holds_what_each_approver_can_decide(world) -> None:
    internal = await request(world.requester_a, world.room_x, "10:00", "11:00")
    external = await request(world.requester_b, world.room_x2, "10:00", "11:00", day=1)
    in_y = await request(world.requester_a, world.room_y)

    async def queue(who, **params) -> list[int]:
        response = await who.client.get("/api/approvals/queue", params=params)
        assert response.status_code == 200, response.text
        return [b["id"] for b in response.json()]

    assert await queue(world.approver_x) == [internal["id"], external["id"]]
    assert await queue(world.room_approver_x) == [internal["id"]]
    assert await queue(world.approver_y) == [in_y["id"]]
    assert await queue(world.finance) == []
    await act(world.approver_x, external, "approve")
    assert await queue(world.finance) == [external["id"]]
    assert await queue(world.approver_x) == [internal["id"]]
    assert await queue(world.admin, tier="finance") == [external["id"]]
    assert await queue(world.admin, building=world.building_y["id"]) == [in_y["id"]]
    refused = await world.requester_a.client.get("/api/approvals/queue")
    assert refused.status_code == 403


async def test_tier_settings_are_read_by_all_and_set_by_administrators(world) -> None:
    path = f"/api/buildings/{world.building_y['id']}/approval-tiers"
    assert (await world.requester_a.client.get(path)).json() == [
        {"role": "room_manager", "condition": "always"}
    ]
    wanted = [
        {"role": "room_manager", "condition": "always"},
        {"role": "finance", "condition": "always"},
    ]
    assert (await world.approver_y.client.put(path, json=wanted)).status_code == 403
    assert (await world.admin.client.put(path, json=wanted)).json() == wanted
    pending = await request(world.requester_a, world.room_y)
    assert pending["required_tiers"] == ["room_manager", "finance"]
    room_path = f"/api/rooms/{world.room_y['id']}/approval-tiers"
    own = [{"role": "finance", "condition": "always"}]
    assert (await world.admin.client.put(room_path, json=own)).json() == own
    assert (await world.admin.client.put(room_path, json=[])).json() == wanted
    twice = await world.admin.client.put(path, json=[wanted[0], wanted[0]])
    assert twice.status_code == 422


@pytest.mark.parametrize(
    "field",
    ["status", "version", "requested_by", "organisation_id", "tiers_done", "required_tiers"],
)
async def test_state_and_ownership_cannot_be_set_on_create(world, field) -> None:
    body = booking_body([world.room_x["id"]], local(0, "10:00"), local(0, "11:00"))
    value = {"status": "approved", "required_tiers": []}.get(field, world.admin.id)
    response = await world.requester_a.client.post("/api/bookings", json=body | {field: value})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": field, "code": "validation.unknown_field", "reason": "is not a field you can set"}
    ]
    assert (await world.admin.client.get("/api/bookings")).json() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "approved"),
        ("organisation", "B"),
        ("requested_by", 1),
        ("tiers_done", 1),
        ("change_pending", False),
        ("hold_until", "2030-01-01T10:00:00"),
    ],
)
async def test_state_and_ownership_cannot_be_set_by_an_edit(world, field, value) -> None:
    pending = await request(world.requester_a, world.room_x)
    response = await world.requester_a.client.patch(
        f"/api/bookings/{pending['id']}", json={"version": 1, "title": "Nou", field: value}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    unchanged = (await world.requester_a.client.get(f"/api/bookings/{pending['id']}")).json()
    assert (unchanged["title"], unchanged["version"], unchanged["status"]) == (
        pending["title"],
        1,
        "pending",
    )


async def test_requesters_file_only_for_their_own_organisations(world) -> None:
    body = booking_body([world.room_y["id"]], local(0, "10:00"), local(0, "11:00"))
    foreign = await world.requester_a.client.post(
        "/api/bookings", json=body | {"organisation": "B"}
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"] == [
        {
            "field": "organisation",
            "code": "organisation.not_member",
            "reason": "you are not a member of 'B'",
        }
    ]
    own = await world.requester_a.client.post("/api/bookings", json=body)
    assert own.json()["organisation"] == "A"
    assert own.json()["requested_by"] == world.requester_a.id


async def test_other_departments_private_requests_are_not_found(world) -> None:
    private = await request(world.requester_a, world.room_y)
    public = await request(world.requester_a, world.room_y, day=1, is_public=True)
    b = world.requester_b.client
    assert (await b.get(f"/api/bookings/{private['id']}")).status_code == 404
    missing = await b.get("/api/bookings/999999")
    assert (await b.get(f"/api/bookings/{private['id']}")).json() == missing.json()
    edit = await b.patch(f"/api/bookings/{private['id']}", json={"version": 1, "title": "Al meu"})
    assert edit.status_code == 404
    cancel = await b.post(f"/api/bookings/{private['id']}/cancel", json={"version": 1})
    assert cancel.status_code == 404
    seen = (await b.get(f"/api/bookings/{public['id']}")).json()
    assert (seen["title"], seen["contact_email"], seen["contact_phone"]) == (
        public["title"],
        None,
        None,
    )
    assert [x["id"] for x in (await b.get("/api/bookings")).json()] == [public["id"]]
    assert (await b.get("/api/bookings", params={"mine": "true"})).json() == []
    still = (await world.requester_a.client.get(f"/api/bookings/{private['id']}")).json()
    assert (still["title"], still["status"], still["version"]) == (private["title"], "pending", 1)


async def test_a_move_to_another_building_is_decided_by_the_new_rooms_manager(world) -> None:
    approved = await act(
        world.approver_y, await request(world.requester_a, world.room_y), "approve"
    )
    moved = await world.requester_a.client.patch(
        f"/api/bookings/{approved['id']}",
        json={"version": approved["version"], "rooms": [world.room_x["id"]]},
    )
    proposal = moved.json()
    assert proposal["change_pending"] is True
    assert (
        "approve"
        in (await world.approver_x.client.get(f"/api/bookings/{approved['id']}")).json()[
            "allowed_actions"
        ]
    )
    await act(world.approver_y, proposal, "approve", expect=403)
    done = await act(world.approver_x, proposal, "approve")
    assert [o["room_id"] for o in done["occurrences"]] == [world.room_x["id"]]


async def test_a_rejected_change_keeps_the_tiers_of_the_current_rooms(world) -> None:
    pending = await request(world.requester_b, world.room_y)
    approved = await act(world.approver_y, pending, "approve")
    assert approved["required_tiers"] == ["room_manager"]
    moved = (
        await world.requester_b.client.patch(
            f"/api/bookings/{pending['id']}",
            json={"version": approved["version"], "rooms": [world.room_x["id"]]},
        )
    ).json()
    assert moved["required_tiers"] == ["room_manager", "finance"]
    kept = await act(world.approver_x, moved, "reject")
    assert (kept["required_tiers"], kept["tiers_done"]) == (["room_manager"], 1)


async def test_an_approved_booking_cannot_become_a_paid_rental_behind_finance(world) -> None:
    approved = await act(
        world.approver_x, await request(world.requester_a, world.room_x), "approve"
    )
    paid = await world.requester_a.client.patch(
        f"/api/bookings/{approved['id']}",
        json={"version": approved["version"], "paid_rental": True},
    )
    assert paid.status_code == 409
    assert "finance" in paid.json()["message"]
    assert paid.json()["current"]["paid_rental"] is False


@pytest.mark.parametrize("year", ["0001", "1969", "9999"])
async def test_years_out_of_range_are_refused_not_crashed(world, year) -> None:
    pending = await request(world.requester_a, world.room_y)
    hold = await world.approver_y.client.post(
        f"/api/bookings/{pending['id']}/hold",
        json={"version": 1, "until": f"{year}-01-01T00:00:00"},
    )
    assert hold.status_code == 422
    assert hold.json()["errors"][0]["field"] == "until"
    edit = await world.requester_a.client.patch(
        f"/api/bookings/{pending['id']}", json={"version": 1, "start": f"{year}-01-01T00:00:00"}
    )
    assert edit.status_code == 422
    listed = await world.admin.client.get(
        "/api/bookings", params={"start": f"{year}-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"}
    )
    assert listed.status_code == 422
