"""JSON bodies are decoded strictly, straight into the type the handler declares.

Litestar decodes a JSON body to plain values and then converts them to the handler's `data`
type with msgspec's lax rules, which are meant for query strings, where everything is text:
`"false"` would become False, `"20"` 20 and `20.0` 20. A JSON body says its own types, so it is
decoded into the declared type here, strictly; Litestar's lax conversion then passes the decoded
value through unchanged. Query and path parameters keep the lax rules.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException, ValidationException
from litestar.serialization import default_deserializer
from litestar.types import Empty


class StrictJSONRequest(Request[Any, Any, Any]):
    """The app's request: `json()` gives the handler's `data`, decoded strictly; 400 naming the
    field for a value of the wrong type."""

    async def json(self) -> Any:
        data = self.route_handler.parsed_fn_signature.parameters.get("data")
        if data is None:
            return await super().json()
        if self._json is Empty:
            body = await self.body()
            try:
                self._json = msgspec.json.decode(
                    body or b"null",
                    type=data.annotation,
                    strict=True,
                    dec_hook=partial(
                        default_deserializer,
                        type_decoders=self.route_handler.resolve_type_decoders(),
                    ),
                )
            except msgspec.ValidationError as exc:
                # The message names the field (`... - at `$.submit``): errors.py reads it.
                raise ValidationException(
                    "the body is not valid", extra=[{"message": str(exc), "source": "body"}]
                ) from None
            except msgspec.DecodeError as exc:  # not JSON at all, as Litestar reports it
                raise SerializationException(str(exc)) from exc
        return self._json
