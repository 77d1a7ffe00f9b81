"""The API speaks the reader's language: the account's, else Accept-Language's, else Romanian;
and every refusal carries its code, whatever the language."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import booking_body, day, local, make_room, person


async def _get(client: httpx.AsyncClient, path: str, language: str | None) -> dict[str, Any]:
    """GET `path` with `language` as its Accept-Language header, or with no such header at all
    if None (the tests' clients ask for English unless told otherwise)."""
    request = client.build_request("GET", path)
    if language is None:
        del request.headers["Accept-Language"]
    else:
        request.headers["Accept-Language"] = language
    response = await client.send(request)
    assert response.request.headers.get("Accept-Language") == language
    body: dict[str, Any] = response.json()
    return body


SEARCH = f"/api/rooms?free_start={day(0)}T10:00:00"


@pytest.mark.parametrize(
    ("language", "message", "reason"),
    [
        ("en", "the request breaks a booking rule", "give both free_start and free_end"),
        (
            "en-GB,en;q=0.8",
            "the request breaks a booking rule",
            "give both free_start and free_end",
        ),
        ("ro", "cererea încalcă o regulă de rezervare", "dați atât free_start, cât și free_end"),
        ("de", "cererea încalcă o regulă de rezervare", "dați atât free_start, cât și free_end"),
        ("", "cererea încalcă o regulă de rezervare", "dați atât free_start, cât și free_end"),
        (None, "cererea încalcă o regulă de rezervare", "dați atât free_start, cât și free_end"),
    ],
    ids=["en", "en-GB", "ro", "not-spoken", "empty", "none"],
)
async def test_a_refusal_in_the_language_asked_for_else_romanian(
    open_client, language: str | None, message: str, reason: str
) -> None:
    body = await _get(open_client(), SEARCH, language)
    assert body["status"] == 422
    assert body["message"] == message
    assert body["message_code"] == "request.breaks_rule"
    assert body["errors"] == [
        {"field": "free_end", "code": "search.both_free_start_and_end", "reason": reason}
    ]


@pytest.mark.parametrize(
    ("language", "reason"),
    [("en", "must be a whole number"), ("ro", "trebuie să fie un număr întreg")],
)
async def test_the_decoders_own_words_become_readable_codes(
    open_client, language: str, reason: str
) -> None:
    body = await _get(open_client(), "/api/rooms?min_capacity=lots", language)
    assert body["status"] == 400
    assert body["errors"] == [
        {"field": "min_capacity", "code": "validation.must_be", "reason": reason}
    ]


@pytest.mark.parametrize(
    ("account", "asked", "said"),
    [
        ("ro", "en", "{room} este închisă în zilele de duminică"),
        ("en", "ro", "{room} is closed on Sundays"),
    ],
    ids=["romanian-account", "english-account"],
)
async def test_the_accounts_language_comes_first(
    open_client, api, account: str, asked: str, said: str
) -> None:
    room = await make_room(code="CC-AULA")
    rules = {
        "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(6)]
    }
    assert (await api.put(f"/api/rooms/{room['id']}/booking-rules", json=rules)).status_code == 200
    ana = await person(open_client, "ana@upt.ro", roles=[("finance", None, None)])
    assert (await ana.client.patch("/api/auth/me", json={"language": account})).status_code == 200
    sunday = 6 - day(0).weekday()
    refused = await ana.client.post(
        "/api/bookings",
        json=booking_body([room["id"]], local(sunday, "10:00"), local(sunday, "11:00")),
        headers={"Accept-Language": asked},
    )
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["errors"]
    assert error["code"] == "rules.broken_on"
    assert error["reason"] == f"{day(sunday).isoformat()}: " + said.format(room="CC-AULA")


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "wrong e-mail or password"), ("ro", "adresă de e-mail sau parolă greșită")],
)
async def test_a_failed_sign_in_in_either_language(open_client, language: str, message: str):
    response = await open_client().post(
        "/api/auth/login",
        json={"email": "nobody@upt.ro", "password": "not this one"},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 401
    assert response.json()["message"] == message
    assert response.json()["message_code"] == "sign_in.wrong_credentials"
