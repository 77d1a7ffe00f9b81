"""The generated OpenAPI schema describes every API route."""

from __future__ import annotations

import re


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
