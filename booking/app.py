"""create_app(): wiring only — routes, plugins, error handlers, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from booking.accounts.authentication import Authentication
from booking.accounts.controllers import AuthController, UserController
from booking.accounts.guards import provide_user
from booking.accounts.sessions import COOKIE
from booking.accounts.stores import SharedStores
from booking.api.dependencies import provide_engine, provide_now, provide_settings
from booking.api.errors import EXCEPTION_HANDLERS
from booking.api.json_bodies import StrictJSONRequest
from booking.api.language import provide_texts
from booking.api.openapi import CompletedJsonSchema, CompletedSwaggerPage, SwaggerFiles
from booking.api.options import answer_options
from booking.api.record_ids import refuse_ids_beyond_any_record
from booking.api.request_text import check_request_text
from booking.api.wall_times import QueryTimesWithSeconds
from booking.blackouts.controllers import BlackoutController
from booking.bookings.controllers import BookingController
from booking.bookings.date_controllers import DateController
from booking.bookings.decision_controllers import DecisionController, QueueController
from booking.bookings.refusals import BOOKING_REFUSALS
from booking.db.engine import bind_tables, close_engine, create_engine, open_engine
from booking.feeds.controllers import FeedController, FeedTokenController
from booking.feeds.redaction import hide_feed_secrets_in_logs
from booking.i18n import Texts, load_catalogues
from booking.jobs.runner import job_runner
from booking.notifications.controllers import NotificationController
from booking.organisations.controllers import OrganisationController
from booking.pages import PAGE_ROUTES
from booking.rooms.controllers import (
    BuildingController,
    RoomController,
    RoomRulesController,
    TierController,
)
from booking.settings import Settings, load_settings
from booking.web.assets import CACHE_SECONDS, STATIC, static_url
from booking.web.errors import pages_too
from booking.web.language import PageLanguage
from booking.web.templates import environment as template_environment


async def _before_handlers(request: Request[Any, Any, Any]) -> Response[None] | None:
    """OPTIONS is answered here; every other request has its ids and its text checked."""
    answer = answer_options(request)
    if answer is None:
        refuse_ids_beyond_any_record(request)
        await check_request_text(request)
    return answer


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    hide_feed_secrets_in_logs()
    engine = create_engine(settings.database)
    bind_tables(engine)
    stores = SharedStores(settings)
    # The refusals that carry a request are answered with the request's view; outside /api,
    # every error is a page.
    exception_handlers = pages_too({**EXCEPTION_HANDLERS, **BOOKING_REFUSALS})

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        load_catalogues()
        await open_engine(engine, settings.database.pool_size)
        # What the process made to start (modules, routes, schemas, the pool) lives as long as
        # it does: frozen, the garbage collector stops walking through it at every full
        # collection. A 5,000-date feed's render sets one off every few renders; walking all
        # of it too, each took 60-120 ms, and the feed's p95 went past twice its median
        # (bench/bench_feeds.py, docs/benchmarks-feeds.md).
        gc.collect()
        gc.freeze()
        try:
            # With Redis, arq workers deliver and keep the schedule; without, this process.
            async with job_runner(settings, engine):
                yield
        finally:
            await close_engine(engine)
            await stores.close()
            gc.unfreeze()

    return Litestar(
        route_handlers=[
            *PAGE_ROUTES,
            BuildingController,
            RoomController,
            OrganisationController,
            AuthController,
            UserController,
            BookingController,
            DecisionController,
            DateController,
            QueueController,
            TierController,
            BlackoutController,
            NotificationController,
            RoomRulesController,
            FeedController,
            FeedTokenController,
            create_static_files_router(
                path="/static",
                directories=[STATIC],
                cache_control=CacheControlHeader(max_age=CACHE_SECONDS, public=True),
                include_in_schema=False,
            ),
        ],
        dependencies={
            "engine": Provide(provide_engine, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "now": Provide(provide_now, sync_to_thread=False),
            "user": Provide(provide_user, sync_to_thread=False),
            "texts": Provide(provide_texts, sync_to_thread=False),
        },
        middleware=[
            QueryTimesWithSeconds,
            DefineMiddleware(Authentication, exclude=["^/static", "^/api/schema", "^/feeds/"]),
            PageLanguage,
        ],
        stores=stores.registry,
        state=State({"engine": engine, "settings": settings}),
        lifespan=[lifespan],
        exception_handlers=exception_handlers,
        before_request=_before_handlers,
        request_class=StrictJSONRequest,
        openapi_config=OpenAPIConfig(
            title="UPT room booking",
            version="0.1.0",
            description="Rooms of the Conference Centre, the library (BUPT) and the Rectorate of "
            "Universitatea Politehnica Timișoara. Times are ISO 8601 (the seconds may be left out: "
            "`2027-01-20T14:00`); a time without an offset is a wall-clock time in the "
            "building's zone (Europe/Bucharest).",
            path="/api/schema",
            components=Components(
                security_schemes={
                    "token": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="A personal API token (POST /api/auth/tokens).",
                    ),
                    "session": SecurityScheme(
                        type="apiKey",
                        name=COOKIE,
                        security_scheme_in="cookie",
                        description="The cookie set by POST /api/auth/login; changes also need "
                        "the X-CSRF-Token header.",
                    ),
                }
            ),
            security=[{"token": []}, {"session": []}],
            render_plugins=[
                CompletedSwaggerPage(
                    path="/",
                    urls=SwaggerFiles(
                        bundle=static_url("vendor/swagger-ui-bundle.js"),
                        preset=static_url("vendor/swagger-ui-standalone-preset.js"),
                        css=static_url("vendor/swagger-ui.css"),
                        icon=static_url("favicon.svg"),
                    ),
                ),
                CompletedJsonSchema(),
            ],
        ),
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(template_environment())
        ),
        # Level 5 of 9: nearly the same size for JSON at a third of the time of the default.
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=2048, gzip_compress_level=5
        ),
        signature_namespace={"datetime": datetime, "Texts": Texts},
    )
