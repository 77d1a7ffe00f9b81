"""The generated OpenAPI schema describes every API route."""

from __future__ import annotations

import re

import msgspec

from booking.api.errors import ErrorBody
from booking.api.validation import EMAIL_PATTERN, PATTERNS


async def test_schema_describes_the_api(api, app) -> None:
    response = await api.get("/api/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    documented = set(schema["paths"])
    routes = {
        route.path
        for route in app.routes
        if route.path.startswith("/api/") and not route.path.startswith("/api/schema")
    }
    normalised = {re.sub(r":(int|str|date)\}", "}", path) for path in routes}
    assert normalised <= documented, normalised - documented
    create = schema["paths"]["/api/bookings"]["post"]
    assert "BookingCreate" in str(create["requestBody"])


async def test_every_error_is_documented_in_the_one_error_shape(api) -> None:
    schema = (await api.get("/api/schema/openapi.json")).json()
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]
    assert len(operations) > 40
    for path, method, operation in operations:
        responses = operation["responses"]
        assert "default" in responses, (path, method)
        for status, response in responses.items():
            if status == "default" or status[0] in "45":
                assert response["content"]["application/json"]["schema"] == error_body, (
                    path,
                    method,
                    status,
                )
    documented = schema["components"]["schemas"]["ErrorBody"]
    assert set(documented["required"]) == {"status", "code", "message", "errors"}
    assert "FieldError" in schema["components"]["schemas"]
    # The answers themselves have that shape.
    refused = await api.post("/api/bookings", json={"title": 5})
    assert refused.status_code in (400, 422)
    body = msgspec.convert(refused.json(), ErrorBody)
    assert body.status == refused.status_code
    assert body.errors


async def test_the_calendar_import_documents_its_body(api) -> None:
    schema = (await api.get("/api/schema/openapi.json")).json()
    body = schema["paths"]["/api/blackouts/import"]["post"]["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == {"text/calendar"}
    assert "refused with 422" in body["description"]
    page = await api.get("/api/schema/")
    assert page.status_code == 200
    assert "text/calendar" in page.text  # the Swagger page carries the same document


async def test_bodies_that_refuse_unknown_fields_say_so(api) -> None:
    schema = (await api.get("/api/schema/openapi.json")).json()
    components = schema["components"]["schemas"]
    assert components["BookingCreate"]["additionalProperties"] is False
    assert components["Decision"]["additionalProperties"] is False
    assert "additionalProperties" not in components["BookingView"]  # an answer, not a body
    refused = await api.post("/api/bookings", json={"surprise": 1})
    assert refused.status_code == 400
    assert "surprise" in [e["field"] for e in refused.json()["errors"]]


async def test_the_operations_open_to_anyone_make_signing_in_optional(api, open_client) -> None:
    schema = (await api.get("/api/schema/openapi.json")).json()
    anonymous = open_client()
    for path, method, expect_open in [
        ("/api/rooms", "get", True),
        ("/api/buildings/{building_id}/availability", "get", True),
        ("/api/auth/login", "post", True),
        ("/api/bookings", "get", False),
        ("/api/bookings", "post", False),
    ]:
        security = schema["paths"][path][method].get("security")
        assert (security is not None and {} in security) is expect_open, (path, method)
    # And so it is: the catalogue answers nobody signed in, the bookings do not.
    assert (await anonymous.get("/api/rooms")).status_code == 200
    assert (await anonymous.get("/api/bookings")).status_code == 401


def _patterns(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return found.union(*(_patterns(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_patterns(value) for value in node))
    return set()


async def test_every_pattern_of_a_body_has_its_own_words(api) -> None:
    """A value that fails a schema's pattern is refused with what the form is, not the regex."""
    schema = (await api.get("/api/schema/openapi.json")).json()
    patterns = _patterns(schema)
    assert EMAIL_PATTERN in patterns
    assert patterns <= set(PATTERNS), patterns - set(PATTERNS)


async def test_the_documentation_page_needs_nothing_from_elsewhere(api) -> None:
    """The page works without internet access: every file it loads is the service's own."""
    page = await api.get("/api/schema/")
    assert page.status_code == 200
    head = page.text.split("<body", 1)[0]
    assert "//" not in head.replace("http://testserver/", ""), head
    loaded = re.findall(r'(?:src|href)="([^"]+)"', head)
    assert len(loaded) == 4, loaded  # Swagger UI's script, preset and style, and our icon
    for url in loaded:
        assert url.startswith(("/static/vendor/swagger-ui", "/static/favicon.svg")), url
        served = await api.get(url)
        assert served.status_code == 200, url
        assert len(served.content) > 100
