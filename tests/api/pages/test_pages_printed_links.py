"""Agendas printed by the organiser carry each participant's personal link (and its QR code)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pages_helpers import sign_in, wait_print, wishes_and_solve
from pypdf import PdfReader
from service_helpers import World

from api.salons.printed_links import printed_token, site_secret
from api.settings import Settings


def _print_directors(world: World, version: int) -> str:
    """The text of the directors' agendas PDF printed from the organiser pages."""
    client = world.client
    token = sign_in(client, world.organiser)
    base = f"/o/salons/{world.salon_id}/schedules/{version}"
    client.post(f"{base}/publish", data={"csrf": token})
    response = client.post(
        f"{base}/prints", data={"csrf": token, "kind": "agendas-director"}, follow_redirects=False
    )
    job_path = response.headers["location"]
    assert wait_print(client, job_path)["state"] == "done"
    pdf = PdfReader(io.BytesIO(client.get(f"{job_path}/file").content))
    return "".join(page.extract_text() for page in pdf.pages)


def _links(text: str) -> list[str]:
    """The tokens of the printed links (the link wraps under its QR code: spaces are dropped)."""
    return re.findall(r"http://testserver/p/([A-Za-z0-9_-]{32})", re.sub(r"\s+", "", text))


def test_printed_agendas_link_to_the_online_agenda(world: World) -> None:
    version = wishes_and_solve(world)
    text = _print_directors(world, version)
    links = _links(text)
    assert len(links) == 2 and len(set(links)) == 2
    home = world.client.get(f"/p/{links[0]}")
    assert home.status_code == 200 and "Nom D1" in home.text
    assert _links(_print_directors(world, version)) == links


def test_a_revoked_printed_link_is_no_longer_printed(world: World) -> None:
    version = wishes_and_solve(world)
    text = _print_directors(world, version)
    first = _links(text)[0]
    path = world.url(f"/participants/{world.ids['D1']}/links")
    newest = world.client.get(path, headers=world.organiser).json()["data"]
    for link in newest:
        world.client.delete(f"{path}/{link['id']}", headers=world.organiser)
    assert world.client.get(f"/p/{first}").status_code in (401, 403, 404)
    links = _links(_print_directors(world, version))
    assert len(links) == 1 and first not in links


def test_printed_tokens_are_stable_and_personal(tmp_path: Path) -> None:
    settings = Settings(outbox_dir=tmp_path / "var" / "outbox")
    secret = site_secret(settings)
    assert site_secret(settings) == secret
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
    token = printed_token(secret, salon_id=1, code="D1")
    assert token == printed_token(secret, salon_id=1, code="D1")
    assert token != printed_token(secret, salon_id=1, code="D2")
    assert token != printed_token(secret, salon_id=2, code="D1")
    assert token != printed_token(b"another secret", salon_id=1, code="D1")
    configured = "configured-site-secret-of-32-bytes"
    assert site_secret(Settings(secret_key=configured)) == configured.encode()
