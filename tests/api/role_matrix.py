"""The role matrix's shared part: the routes the app serves, expectations, checking answers.

Every route of `create_app().routes` (included routers opened) has, for each role, the status
it must answer, in one of the matrix's tables: tests/api/test_role_matrix_api.py (the JSON
API of salons and repairs), test_role_matrix_pages.py (organiser, repair desk and participant
pages), test_role_matrix_catalogue.py (the catalogue's API and pages) and
test_service_role_matrix.py (the documentation). test_service_role_matrix.py fails naming each
route (method and path) that no table expects, and each expectation of a route gone.

Pages and catalogue cases run on a copy of a world built once (a SQLite snapshot), one app per
case; in a case, the roles refused run first, then those let in (which may change the world).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from service_helpers import settings_for
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from api.app import create_app, flat_routes
from api.salons.tables import SolveJob
from api.timestamps import utc_now

RouteKey = tuple[str, str]
"""(method, path as declared), e.g. ("GET", "/salons/{salon_id}")."""

STATIC_FILES_REASON = (
    "a mount of static files answers every role alike (its files are public by nature) and "
    "declares no method to expect; none is mounted today (the pages' /assets/{name} is a "
    "route, with its expectations)"
)


def served_routes(app: FastAPI) -> set[RouteKey]:
    """Every (method, path) the app answers, static file mounts excepted (see
    STATIC_FILES_REASON); any other kind of route is listed by its class name, to be expected."""
    served: set[RouteKey] = set()
    for route in flat_routes(app.router.routes):
        if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            continue
        path = getattr(route, "path_format", None) or getattr(route, "path", repr(route))
        methods = getattr(route, "methods", None) or {type(route).__name__.upper()}
        served.update((method, path) for method in methods)
    return served


def describe(keys: Iterable[RouteKey]) -> str:
    return ", ".join(f"{method} {path}" for method, path in sorted(keys, key=lambda k: k[::-1]))


# ------------------------------------------------------------------ expectations


@dataclass(frozen=True)
class Redirect:
    """A redirect whose Location is checked: `location` formatted with the case's values (and
    `next`, the query `next=<the request's path>`), exactly, or its beginning when `prefix`.
    `sign_in`: a refusal that sends to a sign-in page."""

    location: str
    status: int = 303
    prefix: bool = False
    sign_in: bool = False


Expect = int | Redirect


def fill(template: str, values: Mapping[str, Any]) -> str:
    """`template` with each `{name}` replaced by its value (other braces, as in JSON, kept)."""
    return re.sub(r"{(\w+)}", lambda found: str(values[found.group(1)]), template)


def status_of(expected: Expect) -> int:
    return expected.status if isinstance(expected, Redirect) else expected


def refused(expected: Expect) -> bool:
    return status_of(expected) >= 400 or (isinstance(expected, Redirect) and expected.sign_in)


def refusals_first(expected: Sequence[Expect]) -> list[int]:
    """The roles' indices, those refused first: a role let in may change the world."""
    return sorted(range(len(expected)), key=lambda index: not refused(expected[index]))


def check(
    response: httpx.Response, expected: Expect, label: str, values: Mapping[str, Any]
) -> None:
    """The answer has the expected status (and Location, for a redirect)."""
    assert response.status_code == status_of(expected), (
        f"{label}: {response.status_code}, expected {status_of(expected)}: "
        f"{response.headers.get('location', '')} {response.text[:300]}"
    )
    if isinstance(expected, Redirect):
        location = response.headers.get("location", "")
        wanted = fill(
            expected.location, {**values, "next": urlencode({"next": response.request.url.path})}
        )
        matches = location.startswith(wanted) if expected.prefix else location == wanted
        assert matches, f"{label}: redirected to {location!r}, expected {wanted!r}"


# ------------------------------------------------------------------ requests


def send(
    client: TestClient,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    cookies: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """One request with these credentials only: the client's cookie jar is emptied first (a
    cookie set by an earlier answer would sign the next role in), redirects not followed."""
    client.cookies.clear()
    sent = dict(headers)
    if cookies:
        sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    response = client.request(method, url, headers=sent, follow_redirects=False, **kwargs)
    client.cookies.clear()
    return response


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """The cookies an answer sets (name: value), read from its Set-Cookie headers."""
    found: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        found.update({name: morsel.value for name, morsel in parsed.items()})
    return found


# ------------------------------------------------------------------ snapshots


def save_snapshot(database_url: str, target: Path) -> None:
    """A self-contained copy of a SQLite database (WAL included), for each case to start from."""
    source = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(source) as connection:
        connection.execute(f"VACUUM INTO '{target}'")


@contextmanager
def app_on_copy(snapshot: Path, folder: Path, **settings: Any) -> Iterator[TestClient]:
    """The app (started, stopped after) on a fresh copy of the snapshot in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "salon.db"
    shutil.copy(snapshot, path)
    app = create_app(settings_for(f"sqlite:///{path}", **settings))
    with TestClient(app) as client:
        yield client


@dataclass
class Role:
    """What a role presents: on the API (headers), on the pages (cookies, the form token among
    its values), its values."""

    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def queued_solve_job(client: TestClient, salon_id: int) -> int:
    """A queued solve job row (the runner is never told: it stays queued)."""
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        now = utc_now()
        job = SolveJob(
            salon_id=salon_id,
            state="queued",
            cancel_requested=False,
            time_limit=1,
            workers=1,
            seed=0,
            phase="",
            elapsed=0.0,
            message="",
            created_at=now,
            heartbeat_at=now,
        )
        session.add(job)
        session.commit()
        return job.id
