"""The API keeps its own OpenAPI contract under generated input, on both engines.

Schemathesis reads the served document and sends every operation examples, schema-derived
edge cases and random variations of its parameters and bodies, through HTTP, to a real server
with the demo data. Every answer must be one the document describes (status, content type,
body shape), never a server error, and input the document rules out must be refused. The
generation is derandomised, so a run finds the same cases each time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from booking.settings import Settings
from tests.conftest import environment_of, run_booking, start_booking_server

ADMIN_EMAIL = "contract@upt.ro"
EXAMPLES = 25  # per operation and mode
ADMIN_PASSWORD = "contract-password-1234"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


@dataclass(frozen=True)
class Served:
    base_url: str
    token: str


@pytest.fixture(scope="module")
def served(settings: Settings) -> Iterator[Served]:
    """A real server on the tests' database, with the demo data and an administrator's token."""
    env = environment_of(settings)
    run_booking(env, "seed")
    run_booking(
        env | {"BOOKING_ADMIN_PASSWORD": ADMIN_PASSWORD}, "create-admin", "--email", ADMIN_EMAIL
    )
    server, base_url = start_booking_server(env, "--no-access-log")
    try:
        with httpx.Client(base_url=base_url) as browser:
            signed = browser.post(
                "/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
            assert signed.status_code == 200, signed.text
            made = browser.post(
                "/api/auth/tokens",
                json={"name": "contract"},
                headers={"X-CSRF-Token": signed.json()["csrf_token"]},
            )
            assert made.status_code == 201, made.text
        yield Served(base_url, made.json()["token"])
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
        # A server error the checks could not see (a traceback in the log) fails the run too.
        assert "Traceback" not in output, output[-4000:]


# Operations that would end the run's own access: revoking tokens, deactivating users, taking
# roles away, signing out.
def _ends_own_access(method: str, path: str) -> bool:
    return (
        path.startswith("/api/auth/tokens/")
        or (path.startswith("/api/users/") and method in ("PATCH", "DELETE"))
        or path == "/api/auth/logout"
    )


def _list_parameters(operation: Any) -> frozenset[str]:
    """The query parameters that take a list (`?status=a&status=b`)."""
    found = set()
    for parameter in operation.definition.raw.get("parameters", []):
        schema = parameter.get("schema", {})
        kinds = [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]
        if parameter.get("in") == "query" and any(k.get("type") == "array" for k in kinds):
            found.add(parameter["name"])
    return frozenset(found)


def _says_something_else(case: schemathesis.Case, lists: frozenset[str]) -> bool:
    """False for a "negative" case that a query string cannot tell from a valid one: a single
    scalar for a list parameter is sent as `?name=false`, which is a one-item list of the
    string "false"."""
    query = case.query or {}
    return not any(
        name in query and isinstance(query[name], str | int | float | bool) for name in lists
    )


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_every_operation_keeps_the_contract(served: Served, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{served.base_url}/api/schema/openapi.json")
    headers = {"Authorization": f"Bearer {served.token}"}
    failures: list[str] = []
    tried = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        if _ends_own_access(operation.method.upper(), operation.path):
            continue
        tried += 1

        strategy = operation.as_strategy(generation_mode=mode)
        if mode is GenerationMode.NEGATIVE:
            lists = _list_parameters(operation)
            strategy = strategy.filter(lambda case, lists=lists: _says_something_else(case, lists))

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
            phases=[Phase.explicit, Phase.generate],  # report the first failure unshrunk
        )
        def keeps_the_contract(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=served.base_url, headers=headers, checks=CHECKS, timeout=60
            )

        try:
            keeps_the_contract()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # no parameters or body to get wrong
        except Exception as failure:
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}"[:3000])
    assert tried > 40
    assert not failures, "\n\n".join(failures)
