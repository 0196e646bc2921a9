"""The route x role matrix's entry: every route the app serves has an expectation per role.

The expectations are in tests/api/test_role_matrix_api.py (JSON API of salons and repairs),
test_role_matrix_pages.py (organiser, repair desk and participant pages, their assets),
test_role_matrix_catalogue.py (catalogue API and pages) and here (the documentation, public).
A route added anywhere without its expectations fails `test_every_route_has_an_expectation`,
named by method and path. Static file mounts are left out (role_matrix.STATIC_FILES_REASON).

Also here: the routers `api.app.routers()` lists are every router module's (a `routes.py` or
`pages.py`, or a module of a `pages/` package), and no route answers a path that another route
declares (the order of the routers changes nothing).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_role_matrix_api
import test_role_matrix_catalogue
import test_role_matrix_pages
from fastapi import FastAPI
from fastapi.testclient import TestClient
from role_matrix import RouteKey, describe, served_routes
from service_helpers import make_salon, new_organiser, settings_for

import api
from api.app import create_app, flat_routes, routers

DOCUMENTATION = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
"""FastAPI's own routes: the API's description, public (200 to every role, GET and HEAD)."""


def _expected() -> list[RouteKey]:
    tables = (test_role_matrix_api, test_role_matrix_pages, test_role_matrix_catalogue)
    keys = [(case.method, case.path) for table in tables for case in table.CASES]
    keys += [(method, path) for path in DOCUMENTATION for method in ("GET", "HEAD")]
    return keys


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    """The app as served (not started: its routes only)."""
    return create_app(settings_for(f"sqlite:///{tmp_path / 'routes.db'}"))


def test_every_route_has_an_expectation(app: FastAPI) -> None:
    expected = _expected()
    twice = [key for key, count in Counter(expected).items() if count > 1]
    assert not twice, f"routes expected twice in the role matrix: {describe(twice)}"
    served = served_routes(app)
    missing = served - set(expected)
    assert not missing, (
        f"routes without an expectation per role in the role matrix (tests/api/"
        f"test_role_matrix_*.py): {describe(missing)}"
    )
    gone = set(expected) - served
    assert not gone, f"expectations of routes the app does not serve: {describe(gone)}"


@pytest.fixture
def started(sqlite_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    path = tmp_path / "salon.db"
    path.write_bytes(sqlite_template.read_bytes())
    with TestClient(create_app(settings_for(f"sqlite:///{path}"))) as client:
        yield client


@pytest.mark.parametrize("path", DOCUMENTATION)
def test_documentation_is_public(started: TestClient, path: str) -> None:
    """Anonymous, an organiser's key, a participant's token: the same 200 (GET and HEAD)."""
    organiser = new_organiser(started)
    _salon_id, _ids, tokens = make_salon(started, organiser)
    for headers in ({}, organiser, {"X-Participant-Token": tokens["I1"]}):
        for method in ("GET", "HEAD"):
            response = started.request(method, path, headers=headers)
            assert response.status_code == 200, f"{method} {path} with {list(headers)}"


def _router_module(name: str) -> bool:
    """`api.<package>.routes` / `.pages`, or a module of such a package (one router per role,
    e.g. api.catalogue.pages.moderation), or a module of api/pages/ (api.pages.participant,
    api.pages.organiser.salons)."""
    parts = name.split(".")
    return len(parts) in (3, 4) and (parts[2] in ("routes", "pages") or parts[1] == "pages")


def test_every_router_module_is_served() -> None:
    """Each `api/<package>/routes.py` and `pages.py` router, and each router of a module of an
    `api/<package>/pages/` package, is in api.app.routers(), once."""
    listed = routers()
    assert len({id(router) for router in listed}) == len(listed), "a router is listed twice"
    for module in pkgutil.walk_packages(api.__path__, "api."):
        if _router_module(module.name):
            router = getattr(importlib.import_module(module.name), "router", None)
            assert router is None or any(router is served for served in listed), (
                f"{module.name}.router is not in api.app.routers()"
            )


def _sample(path: str) -> str:
    """A path the route answers: ints for int parameters, a word for the others."""
    return re.sub(
        r"{(\w+)(:\w+)?}", lambda m: "7" if m.group(2) == ":int" else f"x{m.group(1)}", path
    )


def test_no_route_answers_another_routes_path(app: FastAPI) -> None:
    """For each route and method, the first route matching its own path is itself: so the
    order of the routers in api.app.routers() changes nothing (within a router, a fixed path
    such as /catalogue/my/events/new comes before /catalogue/my/events/{event_id})."""
    routes = [r for r in flat_routes(app.router.routes) if hasattr(r, "path_regex")]
    for route in routes:
        path = _sample(route.path)
        for method in route.methods or ():
            first = next(
                r for r in routes if method in (r.methods or ()) and r.path_regex.match(path)
            )
            assert first is route, f"{method} {path}: {first.path} answers before {route.path}"
