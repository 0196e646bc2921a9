"""The organiser's pages sessions: the cookie carries a random session id (never the API key),
stored hashed; logout, a revoked key, idleness and the lifetime end it; forms stay CSRF-bound."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from service_helpers import new_organiser, settings_for
from sqlalchemy import select, update

from api.app import create_app
from api.auth import hash_secret
from api.organisers.service import create_api_key, revoke_api_keys
from api.organisers.tables import OrganiserSession
from api.pages.organiser.shared import ORGANISER_COOKIE
from api.timestamps import utc_now
from api.web import csrf_token


def _key(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def _sign_in(client: TestClient, key: str) -> tuple[str, str]:
    """Sign in with `key`; the session cookie's value and the pages' form token."""
    response = client.post("/o/login", data={"api_key": key, "next": "/o"}, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    cookie = response.cookies[ORGANISER_COOKIE]
    page = client.get("/o")
    assert page.status_code == 200 and "Vos salons" in page.text
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found
    return cookie, found.group(1)


def _with_cookie(client: TestClient, cookie: str, path: str = "/o") -> int:
    """The status of a page asked with this session cookie only (303: sent to sign in)."""
    client.cookies.clear()
    response = client.get(path, headers={"Cookie": f"{ORGANISER_COOKIE}={cookie}"})
    return response.status_code


def _rows(client: TestClient) -> list[OrganiserSession]:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(OrganiserSession).order_by(OrganiserSession.id)))


def _set_row(client: TestClient, cookie: str, **values: dt.datetime) -> None:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(
            update(OrganiserSession)
            .where(OrganiserSession.session_hash == hash_secret(cookie))
            .values(**values)
        )
        session.commit()


@pytest.fixture
def no_redirects(client: TestClient) -> TestClient:
    client.follow_redirects = False
    return client


def test_the_cookie_carries_a_session_id_not_the_key(no_redirects: TestClient) -> None:
    client = no_redirects
    key = _key(new_organiser(client))
    response = client.post("/o/login", data={"api_key": key, "next": "/o"})
    header = response.headers["set-cookie"]
    assert key not in header and hash_secret(key) not in header
    assert "httponly" in header.lower() and "samesite=lax" in header.lower()
    assert "path=/o" in header.lower() and "secure" not in header.lower()
    cookie = response.cookies[ORGANISER_COOKIE]
    assert len(cookie) >= 43 and cookie != key
    rows = _rows(client)
    assert [row.session_hash for row in rows] == [hash_secret(cookie)]
    assert rows[0].revoked_at is None and rows[0].expires_at > rows[0].created_at
    page = client.get("/o")
    assert page.status_code == 200 and key not in page.text
    assert csrf_token(cookie) in page.text and csrf_token(key) not in page.text


def test_each_sign_in_is_its_own_session(no_redirects: TestClient) -> None:
    client = no_redirects
    key = _key(new_organiser(client))
    first, _ = _sign_in(client, key)
    second, _ = _sign_in(client, key)
    assert first != second and len(_rows(client)) == 2


def test_logout_revokes_the_session(no_redirects: TestClient) -> None:
    client = no_redirects
    cookie, csrf = _sign_in(client, _key(new_organiser(client)))
    refused = client.post("/o/logout", data={"csrf": "0" * 64})
    assert refused.status_code == 403 and _with_cookie(client, cookie) == 200
    sent = {"Cookie": f"{ORGANISER_COOKIE}={cookie}"}
    out = client.post("/o/logout", data={"csrf": csrf}, headers=sent)
    assert out.status_code == 303 and out.headers["location"] == "/o/login"
    assert 'salon_organiser=""' in out.headers["set-cookie"]
    assert _rows(client)[0].revoked_at is not None
    assert _with_cookie(client, cookie) == 303
    again = client.post("/o/logout", data={"csrf": csrf}, headers=sent)
    assert again.status_code == 303 and again.headers["location"].startswith("/o/login")


def test_a_revoked_key_ends_its_sessions_only(no_redirects: TestClient) -> None:
    client = no_redirects
    email = "revoked@example.org"
    first_key = _key(new_organiser(client, email))
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        second_key = create_api_key(session, email=email).key
    first, _ = _sign_in(client, first_key)
    second, _ = _sign_in(client, second_key)
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        assert revoke_api_keys(session, email=email, prefix=first_key[:12]) == 1
    assert _with_cookie(client, first) == 303
    assert _with_cookie(client, second) == 200
    revoked = [row.session_hash for row in _rows(client) if row.revoked_at is not None]
    assert revoked == [hash_secret(first)]
    refused = client.post("/o/login", data={"api_key": first_key})
    assert refused.status_code == 401 and ORGANISER_COOKIE not in refused.cookies


def test_an_idle_session_expires(no_redirects: TestClient) -> None:
    client = no_redirects
    idle = client.app.state.settings.organiser_session_idle_seconds  # type: ignore[attr-defined]
    cookie, _ = _sign_in(client, _key(new_organiser(client)))
    recently = utc_now() - dt.timedelta(seconds=idle - 60)
    _set_row(client, cookie, last_seen_at=recently)
    assert _with_cookie(client, cookie) == 200
    assert _rows(client)[0].last_seen_at > recently  # seen again: the idle time starts over
    _set_row(client, cookie, last_seen_at=utc_now() - dt.timedelta(seconds=idle + 1))
    assert _with_cookie(client, cookie) == 303
    assert _with_cookie(client, cookie, "/o/salons/1") == 303


def test_a_session_ends_at_its_lifetime_even_in_use(no_redirects: TestClient) -> None:
    client = no_redirects
    cookie, _ = _sign_in(client, _key(new_organiser(client)))
    _set_row(client, cookie, expires_at=utc_now() - dt.timedelta(seconds=1))
    assert _with_cookie(client, cookie) == 303


def test_an_unknown_or_forged_cookie_is_refused(no_redirects: TestClient) -> None:
    client = no_redirects
    key = _key(new_organiser(client))
    assert _with_cookie(client, key) == 303  # the API key itself is no session id
    assert _with_cookie(client, "x" * 43) == 303


@pytest.fixture
def https_client(database_url: str) -> Iterator[TestClient]:
    settings = settings_for(database_url, base_url="https://salon.example.org")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def test_the_cookie_is_secure_over_https(https_client: TestClient) -> None:
    client = https_client
    key = _key(new_organiser(client))
    response = client.post("/o/login", data={"api_key": key}, follow_redirects=False)
    assert "secure" in response.headers["set-cookie"].lower()
    assert client.get("/o").status_code == 200
