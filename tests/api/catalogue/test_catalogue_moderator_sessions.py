"""The catalogue's moderation pages sign in with an organiser's API key and open an organiser's
session (api.organisers.sessions, as on /o): the `catalogue_moderator` cookie carries a random
session id, never the key; logout and the key's revocation end the session; the forms' token is
bound to the session. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from catalogue_helpers import csrf_of, moderator_headers
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.auth import hash_secret
from api.catalogue.web import MODERATOR_COOKIE
from api.organisers.service import create_api_key, revoke_api_keys
from api.organisers.tables import OrganiserSession
from api.timestamps import utc_now
from api.web import csrf_token

QUEUE = "/catalogue/moderation"
LOGIN = "/catalogue/moderation/login"
LOGOUT = "/catalogue/moderation/logout"


def _key(email: str, client: TestClient) -> str:
    return moderator_headers(client, email)["Authorization"].removeprefix("Bearer ")


def _sign_in(client: TestClient, key: str) -> str:
    """Sign in on the moderation pages with `key`; the session cookie's value."""
    response = client.post(LOGIN, data={"api_key": key}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == QUEUE
    return str(response.cookies[MODERATOR_COOKIE])


def _status(client: TestClient, cookie: str) -> int:
    """The status of the queue asked with this moderation cookie only (303: sent to sign in)."""
    client.cookies.clear()
    response = client.get(
        QUEUE, headers={"Cookie": f"{MODERATOR_COOKIE}={cookie}"}, follow_redirects=False
    )
    if response.status_code == 303:
        assert response.headers["location"].startswith(LOGIN)
    return response.status_code


def _rows(session: Session) -> list[OrganiserSession]:
    session.expire_all()
    return list(session.scalars(select(OrganiserSession).order_by(OrganiserSession.id)))


def test_the_cookie_holds_a_session_id_not_the_key(client: TestClient, session: Session) -> None:
    key = _key("cle@example.org", client)
    response = client.post(LOGIN, data={"api_key": key}, follow_redirects=False)
    header = response.headers["set-cookie"]
    assert key not in header and hash_secret(key) not in header
    assert "httponly" in header.lower() and "samesite=strict" in header.lower()
    assert "path=/catalogue" in header.lower()
    cookie = str(response.cookies[MODERATOR_COOKIE])
    assert len(cookie) >= 43 and cookie != key
    rows = _rows(session)
    assert [row.session_hash for row in rows] == [hash_secret(cookie)]
    assert rows[0].revoked_at is None
    max_age = re.search(r"max-age=(\d+)", header.lower())
    lifetime = client.app.state.settings.organiser_session_max_seconds  # type: ignore[attr-defined]
    assert max_age and int(max_age.group(1)) == int(lifetime)
    queue = client.get(QUEUE)
    assert queue.status_code == 200 and key not in queue.text
    assert csrf_of(queue.text) == csrf_token(cookie) != csrf_token(key)
    assert _status(client, key) == 303  # the key itself (the cookie of old) is no session


def test_logout_revokes_the_session(client: TestClient, session: Session) -> None:
    cookie = _sign_in(client, _key("sortie@example.org", client))
    csrf = csrf_of(client.get(QUEUE).text)
    sent = {"Cookie": f"{MODERATOR_COOKIE}={cookie}"}
    client.cookies.clear()
    forged = client.post(LOGOUT, data={"csrf": "0" * 64}, headers=sent, follow_redirects=False)
    assert forged.status_code == 403 and _status(client, cookie) == 200
    out = client.post(LOGOUT, data={"csrf": csrf}, headers=sent, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/catalogue/?done=signed_out"
    assert f'{MODERATOR_COOKIE}=""' in out.headers["set-cookie"]
    assert _rows(session)[0].revoked_at is not None
    assert _status(client, cookie) == 303  # a copy of the old cookie is refused too
    again = client.post(LOGOUT, data={"csrf": csrf}, headers=sent, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith(LOGIN)


def test_a_revoked_key_ends_its_sessions_only(client: TestClient, session: Session) -> None:
    email = "revoquee@example.org"
    first_key = _key(email, client)
    second_key = create_api_key(session, email=email).key
    first = _sign_in(client, first_key)
    second = _sign_in(client, second_key)
    organiser = _sign_in_on_o(client, first_key)
    assert revoke_api_keys(session, email=email, prefix=first_key[:12]) == 1
    assert _status(client, first) == 303
    assert _status(client, second) == 200
    revoked = {row.session_hash for row in _rows(session) if row.revoked_at is not None}
    assert revoked == {hash_secret(first), hash_secret(organiser)}
    refused = client.post(LOGIN, data={"api_key": first_key}, follow_redirects=False)
    assert refused.status_code == 401 and MODERATOR_COOKIE not in refused.cookies


def _sign_in_on_o(client: TestClient, key: str) -> str:
    """The same key signed in on the organiser's pages: a session of its own."""
    response = client.post("/o/login", data={"api_key": key}, follow_redirects=False)
    assert response.status_code == 303
    return str(response.cookies["salon_organiser"])


@pytest.mark.parametrize("column", ["last_seen_at", "expires_at"])
def test_an_idle_or_expired_session_is_refused(
    client: TestClient, session: Session, column: str
) -> None:
    cookie = _sign_in(client, _key("inactif@example.org", client))
    settings = client.app.state.settings  # type: ignore[attr-defined]
    ago = settings.organiser_session_idle_seconds + 1 if column == "last_seen_at" else 1
    session.execute(
        update(OrganiserSession)
        .where(OrganiserSession.session_hash == hash_secret(cookie))
        .values({column: utc_now() - dt.timedelta(seconds=ago)})
    )
    session.commit()
    assert _status(client, cookie) == 303
