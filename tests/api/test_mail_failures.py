"""A mail that cannot be sent, on SQLite and PostgreSQL: the page or the API says so in French
(English on request), what was saved stays saved, never a 500.

The mail servers are real sockets: a closed port (connection refused), a tiny server that
answers every connection with an SMTP refusal (554), one that accepts and never speaks (timeout).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_helpers import make_salon, new_organiser, settings_for, wait_for_job
from sqlalchemy import text

from api.app import create_app
from api.mail import read_outbox

MAGIC_LINK = "/catalogue/api/auth/magic-link"
AGENT = "agent@administration.example"
UNREACHABLE = "Le courriel n'a pas pu être envoyé : le serveur de courrier est injoignable."


def closed_port() -> int:
    """A local port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def mail_server(greeting: bytes | None) -> Iterator[int]:
    """A local server answering each connection with `greeting` then closing it (None: never a
    word, the connection is held open); its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            if greeting is None:
                held.append(connection)
                continue
            with connection:
                connection.sendall(greeting)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for connection in held:
            connection.close()
        thread.join(timeout=5)


@contextmanager
def service(database_url: str, outbox: Path, **overrides: Any) -> Iterator[TestClient]:
    settings = settings_for(database_url, outbox_dir=outbox, smtp_host="127.0.0.1", **overrides)
    with TestClient(create_app(settings)) as client:
        yield client


def rows(client: TestClient, table: str) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_a_magic_link_with_the_mail_server_down_says_so(database_url: str, tmp_path: Path) -> None:
    with service(database_url, tmp_path / "outbox", smtp_port=closed_port()) as client:
        answer = client.post(MAGIC_LINK, json={"email": AGENT})
        assert answer.status_code == 503, answer.text
        detail = answer.json()["detail"]
        assert detail["code"] == "mail_not_sent"
        assert detail["message"].startswith(UNREACHABLE)
        assert "Ce qui a été enregistré le reste" in detail["message"]
        english = client.post(MAGIC_LINK, json={"email": AGENT}, headers={"Accept-Language": "en"})
        assert english.status_code == 503
        assert english.json()["detail"]["message"].startswith(
            "The e-mail could not be sent: the mail server cannot be reached."
        )
        # The account was saved before the mail was tried: it stays.
        assert rows(client, "catalogue_contributors") == 1
        page = client.post("/catalogue/login", data={"email": AGENT})
        assert page.status_code == 503
        assert "le serveur de courrier est injoignable" in page.text
        assert 'action="/catalogue/login"' in page.text and AGENT in page.text
        assert not read_outbox(tmp_path / "outbox")


@pytest.mark.parametrize(
    ("greeting", "message"),
    [
        (b"554 5.3.2 Service unavailable\r\n", "le serveur de courrier l'a refusé"),
        (None, "le serveur de courrier ne répond pas"),
    ],
    ids=["refusing", "silent"],
)
def test_a_refusing_or_silent_mail_server_is_named(
    database_url: str, tmp_path: Path, greeting: bytes | None, message: str
) -> None:
    with (
        mail_server(greeting) as port,
        service(database_url, tmp_path / "outbox", smtp_port=port, smtp_timeout=0.5) as client,
    ):
        answer = client.post(MAGIC_LINK, json={"email": AGENT})
        assert answer.status_code == 503, answer.text
        assert answer.json()["detail"]["code"] == "mail_not_sent"
        assert message in answer.json()["detail"]["message"]
        assert "554" not in answer.text  # the server's own words are logged, not shown


def test_invitations_with_the_mail_server_down_say_how_many_were_not_sent(
    database_url: str, tmp_path: Path
) -> None:
    with service(database_url, tmp_path / "outbox", smtp_port=closed_port()) as client:
        organiser = new_organiser(client)
        salon_id, ids, _tokens = make_salon(client, organiser)
        for code in ("D1", "I1", "I2"):
            answer = client.patch(
                f"/salons/{salon_id}/participants/{ids[code]}",
                json={"email": f"{code.lower()}@example.org"},
                headers=organiser,
            )
            assert answer.status_code == 200, answer.text
        csrf = sign_in(client, organiser)
        sent = client.post(f"/o/salons/{salon_id}/mails", data={"csrf": csrf, "kind": "invitation"})
        assert sent.status_code == 200
        assert "3 e-mails n'ont pas pu être envoyés : serveur de courrier injoignable" in sent.text
        assert "5 participants sans adresse (ou dont l'envoi a échoué)" in sent.text
        english = client.get(f"{sent.url}&lang=en")
        assert "3 e-mails could not be sent: the mail server cannot be reached" in english.text
        assert not read_outbox(tmp_path / "outbox")


def sign_in(client: TestClient, organiser: dict[str, str]) -> str:
    """Sign the organiser in on the pages; the pages' form token."""
    key = organiser["Authorization"].removeprefix("Bearer ")
    signed = client.post("/o/login", data={"api_key": key, "next": "/o"})
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', signed.text)
    assert found, signed.text[:300]
    return found.group(1)


def test_a_repair_published_with_the_mail_server_down_stays_published(
    database_url: str, tmp_path: Path
) -> None:
    with service(database_url, tmp_path / "outbox", smtp_port=closed_port()) as client:
        organiser = new_organiser(client)
        salon_id, ids, tokens = make_salon(client, organiser)
        base = f"/salons/{salon_id}"
        for code in ("I1", "D1", "D2"):
            body = {"email": f"{code.lower()}@example.org"}
            answer = client.patch(f"{base}/participants/{ids[code]}", json=body, headers=organiser)
            assert answer.status_code == 200, answer.text
        for asker, asked in [("I1", "D1"), ("I2", "D1"), ("I1", "D2")]:
            body = {"from": asker, "to": asked}
            wish = client.post(f"{base}/wishes", json=body, headers=organiser)
            assert wish.status_code == 201, wish.text
        job = client.post(f"{base}/solves", json={"time_limit": 2, "workers": 1}, headers=organiser)
        assert wait_for_job(client, organiser, salon_id, job.json()["id"])["state"] == "done"
        assert client.post(f"{base}/schedules/1/publish", headers=organiser).status_code == 200
        changes = {
            "now": "2023-11-28T08:00:00",
            "changes": [{"kind": "participant_cancelled", "participant": "I1"}],
        }
        repair = client.post(f"{base}/repairs", json=changes, headers=organiser).json()
        csrf = sign_in(client, organiser)
        page = client.post(
            f"/o/salons/{salon_id}/repairs/{repair['id']}/publish", data={"csrf": csrf}
        )
        assert page.status_code == 200, page.text[:500]
        assert "Planning réparé publié" in page.text
        deadline = time.monotonic() + 60  # the repair's mails are a job: its page, once ended
        while "partent en arrière-plan" in page.text and time.monotonic() < deadline:
            time.sleep(0.05)
            page = client.get(str(page.url))
        assert "3 courriels n'ont pas pu être envoyés" in page.text
        read = client.get(f"{base}/repairs/{repair['id']}", headers=organiser).json()
        assert (read["state"], read["notified"]) == ("published", 0)
        agenda = client.get("/me/agenda", headers={"X-Participant-Token": tokens["D1"]})
        assert agenda.json()["version"] == 2  # what was saved stays saved
