"""The FastAPI application: `create_app(settings)`.

At start-up the app migrates the database (all Alembic branches, under a lock so that several
server workers can start together), starts the process's job runner (solves and batch prints,
api.jobs; it first fails the jobs left running by a dead process) and serves the routers that
`routers()` lists, in order: a new `api/<package>/routes.py` or `pages.py` is added there, and
each router of a module of a `routes/` or `pages/` package such as api/salons/routes/ or
api/catalogue/pages/ (a router that cannot be imported stops the start-up;
tests/api/test_service_role_matrix.py fails on a router left out).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.db import MIGRATIONS_DIR, make_engine, make_session_factory, migrate
from api.edge import install_edge
from api.errors import DomainError, FieldProblem, field_path, pydantic_problem
from api.i18n import request_language
from api.jobs import make_runner
from api.settings import Settings, get_settings
from api.timestamps import configure_clock

log = logging.getLogger(__name__)

MIGRATION_LOCK_KEY = 7_215_004_211  # pg_advisory_lock key of schema migrations


# ---------------------------------------------------------------- migrations


@contextmanager
def migration_lock(url: str, engine: Engine) -> Iterator[None]:
    """One migrating process at a time: an advisory lock (PostgreSQL) or a lock file (SQLite)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()
        return
    database = make_url(url).database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@lru_cache
def script_heads() -> frozenset[str]:
    """The head revisions of every migration branch."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_heads(engine: Engine) -> frozenset[str]:
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


def migrate_database(url: str, engine: Engine) -> None:
    """Bring the database to the newest schema, safely when several processes start at once."""
    if database_heads(engine) == script_heads():
        return
    with migration_lock(url, engine):
        migrate(url)


# ------------------------------------------------------------------ errors


def validation_problems(errors: list[dict[str, Any]]) -> list[FieldProblem]:
    """Request validation errors as problems at their field paths (`body.sessions[0].start`)."""
    return [pydantic_problem(field_path(tuple(e.get("loc", ()))), e) for e in errors]


def _json_error(request: Request, error: DomainError) -> JSONResponse:
    return JSONResponse(
        {"detail": error.detail(request_language(request))},
        status_code=error.status,
        headers=error.headers or None,
    )


def flat_routes(routes: Any) -> Iterator[Any]:
    """Every route, included routers opened (FastAPI keeps them as one entry each)."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from flat_routes(original.routes)
        else:
            yield route


def allowed_methods(request: Request) -> str:
    """Every method of every route at this path (Starlette names only the first route's)."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in flat_routes(request.app.router.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    """Every refused request answers `{"detail": {"code", "message", "errors"?}}`, never 500."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        return _json_error(request, error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = validation_problems(list(error.errors()))
        return _json_error(
            request,
            DomainError(
                "invalid_request",
                "La requête comporte {count} erreur(s).",
                status=422,
                problems=problems,
                count=len(problems),
            ),
        )

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, error: IntegrityError) -> JSONResponse:
        log.info("conflict: %s", error.orig)
        message = "Conflit avec une modification simultanée ; relisez puis réessayez."
        return _json_error(request, DomainError("conflict", message, status=409))

    async def invalid_value(request: Request, error: Exception) -> JSONResponse:
        log.info("value refused by the database: %s", error)
        message = "Valeur impossible à enregistrer (caractère nul, nombre trop grand...)."
        return _json_error(request, DomainError("invalid_value", message, status=422))

    for kind in (DataError, OverflowError, UnicodeEncodeError):
        app.add_exception_handler(kind, invalid_value)  # type: ignore[arg-type]

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 400:  # an unreadable body (JSON, multipart): invalid input
            message = "Corps de la requête illisible : {detail}."
            refused = DomainError("invalid_request", message, status=422, detail=error.detail)
            return _json_error(request, refused)
        if error.status_code == 404 and error.detail == "Not Found":
            message = "Adresse inconnue."
            return _json_error(request, DomainError("not_found", message, status=404))
        if error.status_code == 405:
            error.headers = {**(error.headers or {}), "Allow": allowed_methods(request)}
        return await http_exception_handler(request, error)

    @app.exception_handler(OperationalError)
    async def busy(request: Request, error: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", error)
        message = "Base de données momentanément indisponible ; réessayez."
        error_ = DomainError("database_busy", message, status=503, headers={"Retry-After": "2"})
        return _json_error(request, error_)


# ------------------------------------------------------------------ OpenAPI

LOCAL_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"
LOCAL_TIME = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"
AWARE_FIELDS = ("wish_deadline",)


def _models_of(*modules: Any) -> set[str]:
    return {
        name
        for module in modules
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, BaseModel)
    }


def _localise(field: str, schema: dict[str, Any]) -> None:
    """A naive salon-local time is not an RFC 3339 `date-time`/`time`: say what it is."""
    for option in schema.get("anyOf", []):
        _localise(field, option)
    if field.endswith("_at") or field in AWARE_FIELDS:
        return
    if schema.get("format") == "date-time":
        del schema["format"]
        schema["pattern"] = LOCAL_DATETIME
        schema.setdefault("description", "Local time of the salon, without UTC offset")
    elif schema.get("format") == "time":
        del schema["format"]
        schema["pattern"] = LOCAL_TIME


def local_time_formats(openapi: dict[str, Any]) -> dict[str, Any]:
    """Mark the salon-local times of salon/v1, schedule/v1 and the salon API as such."""
    from api.repairs import schemas as repair_schemas
    from api.salons import schemas
    from scheduler import changes
    from scheduler import format as v1

    names = _models_of(v1, schemas, changes, repair_schemas)
    for name, component in openapi.get("components", {}).get("schemas", {}).items():
        if name in names:
            for field, schema in component.get("properties", {}).items():
                _localise(field, schema)
    return openapi


def install_openapi(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = local_time_formats(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# ---------------------------------------------------------------------- app


def routers() -> list[APIRouter]:
    """Every router of the service, in the order their routes are matched.

    The salon API (salons, wishes, solves, the participant's: one router per module of
    api/salons/routes/), the profile, suggestion and registration APIs, the catalogue's pages
    (public, contributors', moderation: one router per module of api/catalogue/pages/) then its
    API, the participant and organiser pages (one router per module of api/pages/organiser/)
    then their assets, the repair desk's pages, the repair API, the registration, profile and
    suggestion pages. No route of one router answers a path another router declares
    (tests/api/test_service_role_matrix.py checks it): the order matters within a router only.
    Imported here, not at the top, so that the CLI's commands do not load every page; an import
    error fails `create_app`, loudly.
    """
    from api.catalogue import routes as catalogue_api
    from api.catalogue.pages import contributors as catalogue_contributors
    from api.catalogue.pages import moderation as catalogue_moderation
    from api.catalogue.pages import public as catalogue_public
    from api.dayof.pages import attendance as dayof_attendance
    from api.dayof.pages import desk as dayof_desk
    from api.display import pages as display_pages
    from api.feedback import pages as feedback_pages
    from api.pages import participant as participant_pages
    from api.pages import routes as salon_pages
    from api.pages.organiser import salons as organiser_salons
    from api.pages.organiser import schedules as organiser_schedules
    from api.pages.organiser import signin as organiser_signin
    from api.pages.organiser import solves as organiser_solves
    from api.profiles import routes as profiles_api
    from api.profiles.pages import organiser as profiles_organiser
    from api.profiles.pages import participant as profiles_participant
    from api.registration import routes as registration_api
    from api.registration.pages import organiser as registration_organiser
    from api.registration.pages import public as registration_public
    from api.repairs import pages as repair_pages
    from api.repairs import routes as repair_api
    from api.report import pages as report_pages
    from api.salons.routes import me as salon_api_me
    from api.salons.routes import salons as salon_api_salons
    from api.salons.routes import solves as salon_api_solves
    from api.salons.routes import wishes as salon_api_wishes
    from api.suggestions import pages as suggestions_pages
    from api.suggestions import routes as suggestions_api

    return [
        salon_api_salons.router,
        salon_api_wishes.router,
        salon_api_solves.router,
        salon_api_me.router,
        profiles_api.router,
        suggestions_api.router,
        registration_api.router,
        catalogue_public.router,
        catalogue_contributors.router,
        catalogue_moderation.router,
        catalogue_api.router,
        participant_pages.router,
        feedback_pages.router,
        organiser_signin.router,
        organiser_salons.router,
        organiser_solves.router,
        organiser_schedules.router,
        report_pages.router,
        salon_pages.router,
        repair_pages.router,
        dayof_desk.router,
        dayof_attendance.router,
        repair_api.router,
        display_pages.router,
        registration_public.router,
        registration_organiser.router,
        profiles_participant.router,
        profiles_organiser.router,
        suggestions_pages.router,
    ]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for `settings` (the process's settings by default)."""
    settings = settings or get_settings()
    configure_clock(settings)  # the real clock, or the simulated one of a test or rehearsal
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate_database(settings.database_url, engine)
        runner = make_runner(session_factory, settings)
        runner.start()
        app.state.runner = runner
        try:
            yield
        finally:
            runner.shutdown()
            engine.dispose()

    app = FastAPI(
        title="salon",
        version="1.0",
        summary="Scheduler for B2B meeting salons",
        description=(
            "Organisers: `Authorization: Bearer <API key>` (`salon admin create-organiser`). "
            "Participants: `X-Participant-Token: <token of the personal link>`. "
            'Errors: `{"detail": {"code", "message", "errors"}}`; French messages, '
            "English with `Accept-Language: en`."
        ),
        lifespan=lifespan,
        separate_input_output_schemas=False,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    install_error_handlers(app)
    install_openapi(app)
    install_edge(app, settings)
    for router in routers():
        app.include_router(router)
    return app


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` (and `salon serve`): settings from the environment."""
    return create_app(get_settings())
