"""The organiser sends each participant its personal link by e-mail, or downloads them all."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pages_helpers import csrf_of, sign_in, wishes_and_solve
from service_helpers import World, make_salon, new_organiser, settings_for

from api.app import create_app
from api.mail import read_outbox

LINK = re.compile(r"http://testserver/p/([A-Za-z0-9_-]{32})")


@pytest.fixture
def mailing(database_url: str, tmp_path: Path) -> Iterator[tuple[World, Path]]:
    """The page tests' salon, with addresses for D1, I1 and I2 (not D2, I3); a private outbox."""
    outbox = tmp_path / "outbox"
    with TestClient(create_app(settings_for(database_url, outbox_dir=outbox))) as client:
        organiser = new_organiser(client)
        salon_id, ids, tokens = make_salon(client, organiser)
        world = World(client, organiser, salon_id, ids, tokens)
        for code in ("D1", "I1", "I2"):
            answer = client.patch(
                world.url(f"/participants/{ids[code]}"),
                json={"email": f"{code.lower()}@example.org"},
                headers=organiser,
            )
            assert answer.status_code == 200, answer.text
        yield world, outbox


def test_invitations_carry_each_participant_its_own_link(
    mailing: tuple[World, Path],
) -> None:
    world, outbox = mailing
    client = world.client
    token = sign_in(client, world.organiser)
    dashboard = f"/o/salons/{world.salon_id}"
    assert 'value="published"' not in client.get(dashboard).text  # nothing published yet
    sent = client.post(f"{dashboard}/mails", data={"csrf": token, "kind": "invitation"})
    assert sent.status_code == 200
    assert "3 e-mails envoyés." in sent.text and "2 participants sans adresse" in sent.text
    mails = read_outbox(outbox)
    assert sorted(m["To"] for m in mails) == ["d1@example.org", "i1@example.org", "i2@example.org"]
    for mail in mails:
        body = mail.get_content()
        [link] = set(LINK.findall(body))
        code = mail["To"].split("@")[0].upper()
        home = client.get(f"/p/{link}")
        assert home.status_code == 200 and f"Nom {code}" in home.text
        assert "Choose your meetings" in body and "Choisissez vos rendez-vous" in body
    links = client.get(f"{dashboard}/links.csv")
    rows = list(csv.reader(io.StringIO(links.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Code", "Nom", "Organisation", "E-mail", "Lien personnel"]
    by_code = {row[0]: row for row in rows[1:]}
    assert sorted(by_code) == ["D1", "D2", "I1", "I2", "I3"]
    assert by_code["I3"][3] == "" and LINK.fullmatch(by_code["I3"][4])
    mailed = {mail["To"]: LINK.search(mail.get_content()).group(0) for mail in mails}  # type: ignore[union-attr]
    assert mailed["i1@example.org"] == by_code["I1"][4]


def test_publication_notice_needs_a_published_schedule(mailing: tuple[World, Path]) -> None:
    world, outbox = mailing
    client = world.client
    token = sign_in(client, world.organiser)
    dashboard = f"/o/salons/{world.salon_id}"
    refused = client.post(f"{dashboard}/mails", data={"csrf": token, "kind": "published"})
    assert refused.status_code == 409 and "Aucun planning n&#39;est publié" in refused.text
    assert read_outbox(outbox) == []
    version = wishes_and_solve(world)
    client.post(f"{dashboard}/schedules/{version}/publish", data={"csrf": token})
    page = client.get(dashboard).text
    assert 'value="published"' in page
    sent = client.post(f"{dashboard}/mails", data={"csrf": csrf_of(page), "kind": "published"})
    assert "3 e-mails envoyés." in sent.text
    assert all("Your agenda at" in mail.get_content() for mail in read_outbox(outbox))
    unknown = client.post(f"{dashboard}/mails", data={"csrf": token, "kind": "spam"})
    assert unknown.status_code == 422 and "Envoi inconnu." in unknown.text
