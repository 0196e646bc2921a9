"""Side names come from the salon's labels: no raw code ("director", "industrial") in what a
French reader sees, on the pages, in a PDF agenda's text or in the calendar (.ics).

The salon is examples/small.json, whose participants' `role` is the raw code of their side
(as in the AGIR example). Organiser pages, the repair desk, the participant's pages, the agenda
PDF (its text read with pypdf) and the .ics feed are read as a French participant would.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pages_helpers import sign_in
from pypdf import PdfReader
from service_helpers import PROJECT, new_organiser, wait_for_job

RAW_CODE = re.compile(r"\b(director|industrial|directors|industrials)\b", re.IGNORECASE)
SHOWN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
"""Attributes read out to people (a form's values are the server's, never shown)."""


class SeenText(HTMLParser):
    """The text a reader meets: text outside scripts and styles, and the attributes read out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        attributes = dict(attrs)
        button = tag == "input" and attributes.get("type") in ("submit", "button", "reset")
        for name, value in attrs:
            if value and (name in SHOWN_ATTRIBUTES or (name == "value" and button)):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def seen(html: str) -> str:
    parser = SeenText()
    parser.feed(html)
    return " ".join(parser.parts)


def raw_codes(text: str) -> list[str]:
    return sorted({m.group(0) for m in RAW_CODE.finditer(text)})


@pytest.fixture
def published(client: TestClient) -> dict[str, Any]:
    """examples/small.json imported, solved and published; links of D1 and C1."""
    organiser = new_organiser(client)
    document = json.loads((PROJECT / "examples" / "small.json").read_text(encoding="utf-8"))
    salon = client.post("/salons/import", json=document, headers=organiser)
    assert salon.status_code == 201, salon.text
    salon_id = salon.json()["id"]
    people = client.get(f"/salons/{salon_id}/participants?limit=100", headers=organiser).json()
    ids = {p["code"]: p["id"] for p in people["data"]}
    tokens = {}
    for code in ("D1", "C01"):
        link = client.post(
            f"/salons/{salon_id}/participants/{ids[code]}/links", json={}, headers=organiser
        )
        tokens[code] = link.json()["token"]
    job = client.post(f"/salons/{salon_id}/solves", json={"time_limit": 5}, headers=organiser)
    assert job.status_code == 202, job.text
    done = wait_for_job(client, organiser, salon_id, job.json()["id"])
    assert done["state"] == "done", done
    version = done["schedule_version"]
    publish = client.post(
        f"/salons/{salon_id}/schedules/{version}/publish", headers=organiser
    )
    assert publish.status_code == 200, publish.text
    client.post(f"/salons/{salon_id}/wish-window/open", headers=organiser)
    return {"organiser": organiser, "salon_id": salon_id, "version": version, "tokens": tokens}


def test_no_raw_side_code_on_french_pages_pdfs_or_calendars(
    client: TestClient, published: dict[str, Any]
) -> None:
    salon, version = f"/o/salons/{published['salon_id']}", published["version"]
    sign_in(client, published["organiser"])
    pages = [
        salon,
        f"{salon}/schedules/{version}",
        f"{salon}/schedules/{version}/agendas/D1",
        f"{salon}/schedules/{version}/agendas/C01",
        f"{salon}/repair",
    ]
    for token in published["tokens"].values():
        pages += [f"/p/{token}", f"/p/{token}/wishes", f"/p/{token}/requests", f"/p/{token}/agenda"]
    found = {}
    for url in pages:
        response = client.get(url, headers={"Accept-Language": "fr"})
        assert response.status_code == 200, (url, response.text[:300])
        codes = raw_codes(seen(response.text))
        if codes:
            found[url] = codes
    for code, token in published["tokens"].items():
        pdf = client.get(f"/p/{token}/agenda.pdf", headers={"Accept-Language": "fr"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Claire Dubois" in text or code == "D1"
        if raw_codes(text):
            found[f"{code} agenda.pdf"] = raw_codes(text)
        ics = client.get(f"/p/{token}/agenda.ics", headers={"Accept-Language": "fr"})
        assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text
        if raw_codes(ics.text):
            found[f"{code} agenda.ics"] = raw_codes(ics.text)
    assert found == {}


def test_a_role_that_is_a_side_code_reads_as_the_salons_label(
    client: TestClient, published: dict[str, Any]
) -> None:
    csrf = sign_in(client, published["organiser"])
    salon = f"/o/salons/{published['salon_id']}"
    saved = client.post(
        f"{salon}/labels",
        data={"csrf": csrf, "director": "Acheteurs publics", "industrial": "Fournisseurs"},
    )
    assert saved.status_code == 200
    token = published["tokens"]["C01"]
    agenda = seen(client.get(f"/p/{token}/agenda").text)
    assert "Acheteurs publics" in agenda and not raw_codes(agenda)
    ics = client.get(f"/p/{token}/agenda.ics").text
    assert "Acheteurs publics" in ics.replace("\r\n ", "") and not raw_codes(ics)
