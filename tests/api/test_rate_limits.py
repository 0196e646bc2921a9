"""Rate limits on SQLite and PostgreSQL: magic links per client address and per e-mail address,
failed sign-ins per client address, mail-sending routes per client and per recipient.

Over a limit: 429 with Retry-After and a French message (English on request), the JSON error
shape on the API, the form again on the pages; nothing is created for a refused request. Client
addresses are set on the TestClient (the server's trusted proxies set them in production). The
counters live in the database: two apps on one database (two server processes) count together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from service_helpers import make_salon, new_organiser, settings_for
from sqlalchemy import text

from api.app import create_app
from api.mail import read_outbox
from api.settings import Settings

MAGIC_LINK = "/catalogue/api/auth/magic-link"
AGENT = "agent@administration.example"


@contextmanager
def service(database_url: str, outbox: Path, **overrides: Any) -> Iterator[TestClient]:
    """The app on the test database with a private outbox (client address `testclient`)."""
    app = create_app(settings_for(database_url, outbox_dir=outbox, **overrides))
    with TestClient(app) as client:
        yield client


def from_address(app: FastAPI, address: str) -> TestClient:
    """Another client of the same running app, calling from `address`."""
    return TestClient(app, client=(address, 40000))


def rows(client: TestClient, table: str) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def assert_refused(answer: Any, language: str = "fr") -> int:
    """A 429 with Retry-After (seconds) and the JSON error shape; the seconds."""
    assert answer.status_code == 429, answer.text
    seconds = int(answer.headers["retry-after"])
    assert 1 <= seconds <= 3600
    detail = answer.json()["detail"]
    assert detail["code"] == "rate_limited"
    expected = (
        f"Trop de demandes en peu de temps : réessayez dans {seconds} secondes."
        if language == "fr"
        else f"Too many requests in a short time: try again in {seconds} seconds."
    )
    assert detail["message"] == expected
    return seconds


def test_magic_links_over_the_limit_per_address_create_nothing(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    with service(database_url, outbox, rate_limit_magic_link_per_email="2/minute") as client:
        for _ in range(2):
            assert client.post(MAGIC_LINK, json={"email": AGENT}).status_code == 202
        # The same address in other letters is the same address.
        refused = client.post(MAGIC_LINK, json={"email": " Agent@Administration.example "})
        assert_refused(refused)
        english = client.post(MAGIC_LINK, json={"email": AGENT}, headers={"Accept-Language": "en"})
        assert_refused(english, "en")
        assert rows(client, "catalogue_contributors") == 1
        assert rows(client, "catalogue_login_tokens") == 2
        assert len(read_outbox(outbox)) == 2
        # Another address is not concerned.
        other = client.post(MAGIC_LINK, json={"email": "b@administration.example"})
        assert other.status_code == 202
        assert rows(client, "catalogue_contributors") == 2


def test_the_limit_per_email_address_holds_across_client_addresses(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    with service(database_url, outbox, rate_limit_magic_link_per_email="3/hour") as client:
        callers = [from_address(client.app, f"198.51.100.{n}") for n in range(1, 6)]  # type: ignore[arg-type]
        answers = [caller.post(MAGIC_LINK, json={"email": AGENT}) for caller in callers]
        assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
        assert 60 < assert_refused(answers[3]) <= 3600  # the hour's window
        assert rows(client, "catalogue_login_tokens") == 3
        assert len(read_outbox(outbox)) == 3


def test_the_limit_per_client_address_holds_across_email_addresses(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    with service(database_url, outbox, rate_limit_magic_link_per_client="3/minute") as client:
        emails = [f"agent{n}@administration.example" for n in range(5)]
        answers = [client.post(MAGIC_LINK, json={"email": email}) for email in emails]
        assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
        assert_refused(answers[3])
        assert rows(client, "catalogue_contributors") == 3
        assert len(read_outbox(outbox)) == 3
        # Another client address still may.
        other = from_address(client.app, "203.0.113.9")  # type: ignore[arg-type]
        assert other.post(MAGIC_LINK, json={"email": emails[4]}).status_code == 202
        assert rows(client, "catalogue_contributors") == 4


def test_the_sign_in_form_over_the_limit_shows_the_form_with_the_reason(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    with service(database_url, outbox, rate_limit_magic_link_per_email="1/minute") as client:
        first = client.post("/catalogue/login", data={"email": AGENT})
        assert first.status_code == 200
        again = client.post("/catalogue/login?lang=en", data={"email": AGENT})
        assert again.status_code == 429
        seconds = int(again.headers["retry-after"])
        assert f"Too many requests in a short time: try again in {seconds} seconds." in again.text
        assert 'action="/catalogue/login"' in again.text and AGENT in again.text  # the form
        assert rows(client, "catalogue_login_tokens") == 1
        assert len(read_outbox(outbox)) == 1


def test_two_server_processes_on_one_database_count_together(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    limits = {"rate_limit_magic_link_per_email": "2/minute"}
    with (
        service(database_url, outbox, **limits) as one,
        service(database_url, outbox, **limits) as two,
    ):
        assert one.post(MAGIC_LINK, json={"email": AGENT}).status_code == 202
        assert two.post(MAGIC_LINK, json={"email": AGENT}).status_code == 202
        assert_refused(one.post(MAGIC_LINK, json={"email": AGENT}))
        assert_refused(two.post(MAGIC_LINK, json={"email": AGENT}))
        assert rows(one, "catalogue_login_tokens") == 2
        # Only digests of the addresses are kept.
        with one.app.state.session_factory() as session:  # type: ignore[attr-defined]
            keys = session.execute(text("SELECT key FROM rate_limit_counters")).scalars().all()
        assert keys and not any("agent" in key or "testclient" in key for key in keys)


def test_memory_counters_are_per_process_and_limits_can_be_turned_off(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    memory = {"rate_limit_magic_link_per_email": "1/minute", "rate_limit_storage": "memory"}
    with (
        service(database_url, outbox, **memory) as one,
        service(database_url, outbox, **memory) as two,
    ):
        assert one.post(MAGIC_LINK, json={"email": AGENT}).status_code == 202
        assert two.post(MAGIC_LINK, json={"email": AGENT}).status_code == 202
        assert_refused(one.post(MAGIC_LINK, json={"email": AGENT}))
        assert rows(one, "rate_limit_counters") == 0
    off = {"rate_limit_magic_link_per_email": "1/minute", "rate_limits_enabled": False}
    with service(database_url, outbox, **off) as client:
        for _ in range(3):
            assert client.post(MAGIC_LINK, json={"email": AGENT}).status_code == 202


def test_a_limit_that_is_not_limits_notation_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="rate_limit_mails_per_recipient"):
        Settings(rate_limit_mails_per_recipient="beaucoup")
    assert Settings(rate_limit_mails_per_recipient="2 per 10 minutes; 5/day")


# ------------------------------------------------------------------ failed sign-ins


def test_failed_organiser_sign_ins_are_limited_per_client_address(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    limits = {"rate_limit_sign_in_failures_per_client": "3/minute"}
    with service(database_url, outbox, **limits) as client:
        key = new_organiser(client)["Authorization"].removeprefix("Bearer ")
        for _ in range(3):
            wrong = client.post("/o/login", data={"api_key": "salon_wrong", "next": "/o"})
            assert wrong.status_code == 401
        # Over the limit, even the right key is not tried: the page says to wait.
        refused = client.post("/o/login", data={"api_key": key, "next": "/o"})
        assert refused.status_code == 429
        seconds = int(refused.headers["retry-after"])
        assert f"réessayez dans {seconds} secondes" in refused.text
        assert 'action="/o/login"' in refused.text and "set-cookie" not in refused.headers
        # Another client address signs in.
        other = from_address(client.app, "192.0.2.44")  # type: ignore[arg-type]
        signed = other.post("/o/login", data={"api_key": key, "next": "/o"})
        assert signed.status_code == 200 and "Vos salons" in signed.text


def test_successful_sign_ins_are_not_counted(database_url: str, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    limits = {"rate_limit_sign_in_failures_per_client": "2/minute"}
    with service(database_url, outbox, **limits) as client:
        key = new_organiser(client)["Authorization"].removeprefix("Bearer ")
        for _ in range(4):
            signed = client.post("/o/login", data={"api_key": key, "next": "/o"})
            assert signed.status_code == 200, signed.text[:300]


def test_failed_catalogue_sign_ins_are_limited_per_client_address(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    limits = {"rate_limit_sign_in_failures_per_client": "2/minute"}
    with service(database_url, outbox, **limits) as client:
        unknown = {"token": "x" * 43}
        for _ in range(2):
            assert client.post("/catalogue/api/auth/session", json=unknown).status_code == 401
        assert_refused(client.post("/catalogue/api/auth/session", json=unknown))
        page = client.post("/catalogue/moderation/login", data={"api_key": "salon_wrong"})
        assert page.status_code == 429 and "retry-after" in page.headers
        assert "Trop de demandes en peu de temps" in page.text
        link = client.post(f"/catalogue/login/{'y' * 43}", follow_redirects=False)
        assert link.status_code == 429 and "retry-after" in link.headers


# ------------------------------------------------------------------ mail-sending routes


def salon_with_addresses(client: TestClient) -> tuple[int, str]:
    """A salon with addresses for D1, I1 and I2; its id and the signed-in pages' form token."""
    organiser = new_organiser(client)
    salon_id, ids, _tokens = make_salon(client, organiser)
    for code in ("D1", "I1", "I2"):
        answer = client.patch(
            f"/salons/{salon_id}/participants/{ids[code]}",
            json={"email": f"{code.lower()}@example.org"},
            headers=organiser,
        )
        assert answer.status_code == 200, answer.text
    key = organiser["Authorization"].removeprefix("Bearer ")
    signed = client.post("/o/login", data={"api_key": key, "next": "/o"})
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', signed.text)
    assert found, signed.text[:300]
    return salon_id, found.group(1)


def test_mails_to_participants_are_limited_per_client_and_per_recipient(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    limits = {
        "rate_limit_mail_routes_per_client": "3/minute",
        "rate_limit_mails_per_recipient": "1/hour",
    }
    with service(database_url, outbox, **limits) as client:
        salon_id, csrf = salon_with_addresses(client)
        mails = f"/o/salons/{salon_id}/mails"
        sent = client.post(mails, data={"csrf": csrf, "kind": "invitation"})
        assert sent.status_code == 200 and "3 e-mails envoyés." in sent.text
        assert len(read_outbox(outbox)) == 3
        # Each address had its mail this hour: none is sent again, and the page says so.
        again = client.post(mails, data={"csrf": csrf, "kind": "invitation"})
        assert again.status_code == 200 and "0 e-mails envoyés." in again.text
        assert "3 e-mails n'ont pas pu être envoyés" in again.text
        assert "trop d'e-mails envoyés récemment à ces adresses" in again.text
        assert len(read_outbox(outbox)) == 3
        client.post(mails, data={"csrf": csrf, "kind": "invitation"})
        # The fourth request of this client address within the minute is refused.
        refused = client.post(mails, data={"csrf": csrf, "kind": "invitation"})
        assert refused.status_code == 429 and "retry-after" in refused.headers
        assert "Trop de demandes en peu de temps" in refused.text
        assert len(read_outbox(outbox)) == 3
