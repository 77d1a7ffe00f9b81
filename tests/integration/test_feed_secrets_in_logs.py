"""A feed token never appears in a log line: the real `booking serve`, its access log and its
error log, read after feeds were fetched with a good, an unknown and a revoked token."""

from __future__ import annotations

import httpx

from booking.settings import Settings
from tests.conftest import environment_of, start_booking_server
from tests.factories import Person, person


async def test_the_server_logs_feed_paths_without_their_secrets(
    settings: Settings, open_client
) -> None:
    someone: Person = await person(open_client, "logs@upt.ro")
    made = await someone.client.post("/api/feeds", json={"kind": "personal"})
    revoked = await someone.client.post("/api/feeds", json={"kind": "personal"})
    await someone.client.delete(f"/api/feeds/{revoked.json()['token']['id']}")
    secrets = [
        body.json()["links"]["https"].rsplit("/", 1)[1].removesuffix(".ics")
        for body in (made, revoked)
    ]
    unknown = "cal_" + "Z" * 43
    env = environment_of(settings) | {"SEED_DEMO_DATA": "false"}
    server, base = start_booking_server(env)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            answers = [
                (await http.get(f"/feeds/private/{secret}.ics")).status_code
                for secret in (*secrets, unknown)
            ]
            bad = await http.get(f"/feeds/private/{secrets[0]}.ics?past_days=-3")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert answers == [200, 410, 404]
    assert bad.status_code == 400
    assert output.count("GET /feeds/private/cal_") == 4, output[-3000:]
    # Each line cut, and still a line its formatter can write.
    assert "Logging error" not in output, output[-3000:]
    assert '"GET /feeds/private/cal_ZZZZZZ….ics HTTP/1.1" 404' in output, output[-3000:]
    for secret in (*secrets, unknown):
        assert secret not in output
        assert secret[4:20] not in output
