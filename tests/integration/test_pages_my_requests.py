"""My requests pages: the list with its filters, a request's page with its dates, history and
actions, each action through the API's use case, and the same scoping as the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.factories import Person, local
from tests.integration import browsing
from tests.integration.browsing import form_token, post_form
from tests.integration.world import World, act, make_world, request


async def signed_in(
    open_client: Callable[..., httpx.AsyncClient], who: Person
) -> httpx.AsyncClient:
    """A browser-like client signed in through the sign-in form (a cookie session)."""
    return await browsing.signed_in(open_client, who.user["email"])


async def series(who: Person, room: dict[str, Any], count: int = 3) -> dict[str, Any]:
    return await request(
        who, room, day=1, recurrence={"frequency": "daily", "count": count}, title="Curs săptămânal"
    )


async def test_anonymous_goes_to_sign_in(open_client: Callable[..., httpx.AsyncClient]) -> None:
    answer = await open_client().get("/requests")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Frequests"


async def test_the_list_shows_own_requests_with_status_words_and_filters(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    pending = await request(world.requester_a, world.room_y, title="Seminar Y")
    approved = await request(world.requester_a, world.room_x, day=2, title="Conferință X")
    approved = await act(world.approver_x, approved, "approve")
    await series(world.requester_a, world.room_y)
    await request(world.requester_b, world.room_y, day=3, title="Eveniment B")
    browser = await signed_in(open_client, world.requester_a)

    listed = (await browser.get("/requests")).text
    assert "Seminar Y" in listed
    assert "Conferință X" in listed
    assert "Curs săptămânal" in listed
    assert "Eveniment B" not in listed
    assert "pending" in listed
    assert "approved" in listed
    assert "Series of 3 dates" in listed
    assert f'href="/requests/{pending["id"]}"' in listed

    only_approved = (await browser.get("/requests?status=approved&when=&building=")).text
    assert "Conferință X" in only_approved
    assert "Seminar Y" not in only_approved
    in_x = (await browser.get(f"/requests?building={world.building_x['id']}")).text
    assert "Conferință X" in in_x
    assert "Seminar Y" not in in_x
    past = (await browser.get("/requests?when=past")).text
    assert "Conferință X" not in past
    assert "No request matches these filters" in past
    upcoming = (await browser.get("/requests?when=upcoming")).text
    assert "Conferință X" in upcoming
    assert "Seminar Y" in upcoming
    assert approved["status"] == "approved"


async def test_another_organisation_gets_404_and_cannot_act(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    mine = await request(world.requester_a, world.room_y)
    other = await signed_in(open_client, world.requester_b)
    api_says = await world.requester_b.client.get(f"/api/bookings/{mine['id']}")
    assert api_says.status_code == 404
    for path in ("", "/edit", "/cancel"):
        assert (await other.get(f"/requests/{mine['id']}{path}")).status_code == 404
    token = form_token((await other.get("/requests")).text)
    for path in ("/cancel", "/submit", "/edit"):
        answer = await other.post(
            f"/requests/{mine['id']}{path}",
            data={"csrf_token": token, "version": mine["version"], "title": "x"},
        )
        assert answer.status_code == 404
    assert "Seminar" not in (await other.get("/requests")).text
    still = await world.requester_a.client.get(f"/api/bookings/{mine['id']}")
    assert still.json()["status"] == "pending"


async def test_history_is_sentences_not_codes(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    booking = await series(world.requester_a, world.room_y)
    first = booking["occurrences"][0]["id"]
    response = await world.requester_a.client.post(
        f"/api/bookings/{booking['id']}/occurrences/{first}/cancel",
        json={"version": booking["version"], "comment": "sala nu mai e necesară"},
    )
    assert response.status_code == 200
    browser = await signed_in(open_client, world.requester_a)
    shown = (await browser.get(f"/requests/{booking['id']}")).text
    # The organisation and the rooms by their names, not only their codes.
    assert world.organisation_a["name"] in shown
    assert f"{world.room_y['code']} · {world.room_y['name']}" in shown
    history = shown[shown.index('id="history"') :]
    assert "Ana (A) created the request." in history
    assert "Ana (A) cancelled the date" in history
    assert "sala nu mai e necesară" in history
    for code in ("date_cancelled", "changes_requested", "history.", "my_requests.", "status."):
        assert code not in history
    assert "The request is now pending." in history


async def test_edit_saves_and_a_stale_version_shows_the_current_state(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    booking = await request(world.requester_a, world.room_y, title="Seminar vechi")
    browser = await signed_in(open_client, world.requester_a)
    form = (await browser.get(f"/requests/{booking['id']}/edit")).text
    assert 'value="Seminar vechi"' in form
    assert f'name="version" value="{booking["version"]}"' in form

    fields = {
        "version": booking["version"],
        "title": "Seminar nou",
        "description": "",
        "expected_attendance": "30",
        "date": local(0, "10:00")[:10],
        "start_time": "10:00",
        "end_time": "11:00",
    }
    path = f"/requests/{booking['id']}/edit"
    saved = await post_form(browser, path, fields, path)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/requests/{booking['id']}?done=edited"
    now = (await world.requester_a.client.get(f"/api/bookings/{booking['id']}")).json()
    assert (now["title"], now["expected_attendance"]) == ("Seminar nou", 30)
    shown = (await browser.get(saved.headers["location"])).text
    assert "Your changes have been saved." in shown
    assert "Ana (A) edited the request." in shown
    assert "Changed: Title, Expected attendance" in shown

    # The same form again, with the version it was shown with: someone acted in between.
    stale = await post_form(browser, path, fields | {"title": "Al treilea titlu"}, path)
    assert stale.status_code == 409
    assert "Someone changed this request while you were looking at it" in stale.text
    assert "Seminar nou" in stale.text
    assert 'id="history"' in stale.text
    unchanged = (await world.requester_a.client.get(f"/api/bookings/{booking['id']}")).json()
    assert unchanged["title"] == "Seminar nou"


async def test_a_refused_edit_keeps_the_typed_values_beside_the_fields(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    booking = await request(world.requester_a, world.room_y)
    browser = await signed_in(open_client, world.requester_a)
    path = f"/requests/{booking['id']}/edit"
    fields = {
        "version": booking["version"],
        "title": "",
        "description": "Descriere păstrată",
        "expected_attendance": "500",
        "date": local(0, "10:00")[:10],
        "start_time": "10:00",
        "end_time": "11:00",
    }
    answer = await post_form(browser, path, fields, path)
    assert answer.status_code == 422
    assert 'id="title-error"' in answer.text
    assert "Descriere păstrată" in answer.text
    # Shape is fine, the rule is not: more people than the room seats, said by the service.
    answer = await post_form(browser, path, fields | {"title": "Seminar"}, path)
    assert answer.status_code == 422
    assert 'id="expected_attendance-error"' in answer.text
    assert "exceed the capacity" in answer.text
    assert 'value="500"' in answer.text
    assert "Descriere păstrată" in answer.text


async def test_cancel_one_date_of_a_series(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    booking = await series(world.requester_a, world.room_y)
    browser = await signed_in(open_client, world.requester_a)
    shown = (await browser.get(f"/requests/{booking['id']}")).text
    second = booking["occurrences"][1]["id"]
    confirm_path = f"/requests/{booking['id']}/dates/{second}/cancel"
    assert f'href="{confirm_path}"' in shown
    confirm = (await browser.get(confirm_path)).text
    assert "Cancel this date?" in confirm
    done = await post_form(browser, confirm_path, {"version": booking["version"]}, confirm_path)
    assert done.status_code == 303
    now = (await world.requester_a.client.get(f"/api/bookings/{booking['id']}")).json()
    assert [o["status"] for o in now["occurrences"]] == ["pending", "cancelled", "pending"]
    assert now["status"] == "pending"
    shown = (await browser.get(done.headers["location"])).text
    assert "The date has been cancelled" in shown
    assert "Ana (A) cancelled the date" in shown


async def test_cancel_the_whole_request(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    booking = await series(world.requester_a, world.room_y)
    booking = await act(world.approver_y, booking, "approve")
    browser = await signed_in(open_client, world.requester_a)
    shown = (await browser.get(f"/requests/{booking['id']}")).text
    assert "Cancel the whole series" in shown
    path = f"/requests/{booking['id']}/cancel"
    confirm = (await browser.get(path)).text
    assert "Cancel the booking?" in confirm
    done = await post_form(
        browser, path, {"version": booking["version"], "comment": "amânat"}, path
    )
    assert done.status_code == 303
    now = (await world.requester_a.client.get(f"/api/bookings/{booking['id']}")).json()
    assert now["status"] == "cancelled"
    shown = (await browser.get(done.headers["location"])).text
    assert "The booking has been cancelled" in shown
    assert "amânat" in shown
    assert 'id="cancel-request"' not in shown  # nothing left to cancel
    assert 'id="tiers"' not in shown  # nobody decides on a cancelled request


async def test_withdraw_a_pending_request_with_a_stale_page(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    booking = await request(world.requester_a, world.room_y)
    browser = await signed_in(open_client, world.requester_a)
    path = f"/requests/{booking['id']}/cancel"
    assert "Withdraw the request?" in (await browser.get(path)).text
    await act(world.approver_y, booking, "approve")  # the approver acts in between
    answer = await post_form(browser, path, {"version": booking["version"]}, path)
    assert answer.status_code == 409
    assert "Someone changed this request" in answer.text
    assert "Xenia" not in answer.text
    assert "Yvonne approved the request." in answer.text


async def test_resubmit_after_changes_were_requested(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    booking = await request(world.requester_a, world.room_y)
    booking = await act(world.approver_y, booking, "request-changes", comment="adăugați programul")
    browser = await signed_in(open_client, world.requester_a)
    path = f"/requests/{booking['id']}"
    shown = (await browser.get(path)).text
    assert "Yvonne asked for changes." in shown
    assert "adăugați programul" in shown
    assert 'action="/requests/{}/submit"'.format(booking["id"]) in shown
    done = await post_form(
        browser,
        f"{path}/submit",
        {"version": booking["version"], "comment": "programul e în descriere"},
        path,
    )
    assert done.status_code == 303
    now = (await world.requester_a.client.get(f"/api/bookings/{booking['id']}")).json()
    assert now["status"] == "pending"
    shown = (await browser.get(done.headers["location"])).text
    assert "Ana (A) sent the request." in shown
    assert "programul e în descriere" in shown


async def test_a_form_without_the_csrf_token_is_refused(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world: World = await make_world(open_client, admin)
    booking = await request(world.requester_a, world.room_y)
    browser = await signed_in(open_client, world.requester_a)
    answer = await browser.post(
        f"/requests/{booking['id']}/cancel", data={"version": booking["version"]}
    )
    assert answer.status_code == 403
    now = (await world.requester_a.client.get(f"/api/bookings/{booking['id']}")).json()
    assert now["status"] == "pending"
