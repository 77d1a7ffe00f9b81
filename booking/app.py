"""create_app(): wiring only — routes, plugins, error handlers, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from booking.api.dependencies import provide_engine, provide_now, provide_settings
from booking.api.errors import EXCEPTION_HANDLERS
from booking.approvals.controllers import ApprovalController
from booking.bookings.controllers import BookingController
from booking.db.engine import bind_tables, close_engine, create_engine, open_engine
from booking.organisations.controllers import OrganisationController
from booking.pages.controllers import PageController
from booking.rooms.controllers import BuildingController, RoomController
from booking.settings import Settings, load_settings

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    engine = create_engine(settings.database)
    bind_tables(engine)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await open_engine(engine, settings.database.pool_size)
        try:
            yield
        finally:
            await close_engine(engine)

    return Litestar(
        route_handlers=[
            PageController,
            BuildingController,
            RoomController,
            OrganisationController,
            BookingController,
            ApprovalController,
            create_static_files_router(path="/static", directories=[FRONTEND / "static"]),
        ],
        dependencies={
            "engine": Provide(provide_engine, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "now": Provide(provide_now, sync_to_thread=False),
        },
        state=State({"engine": engine, "settings": settings}),
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="UPT room booking",
            version="0.1.0",
            description="Rooms of the Conference Centre, the library (BUPT) and the Rectorate of "
            "Universitatea Politehnica Timișoara. Times are ISO 8601; a time without an offset "
            "is a wall-clock time in the building's zone (Europe/Bucharest).",
            path="/api/schema",
            render_plugins=[SwaggerRenderPlugin(path="/")],
        ),
        template_config=TemplateConfig(
            directory=FRONTEND / "templates", engine=JinjaTemplateEngine
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=2048),
        signature_namespace={"datetime": datetime},
    )
