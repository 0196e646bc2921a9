"""Helpers of the repair page tests: a published salon made from the documents' tiny salon.

The salon (tests/api/documents/documents_helpers.py): directors d1 (table T1), d2 (T2), a pool
table P1, industrials i1 (named with a <script> tag), i2 (two representatives), i3; sessions
2023-11-28 09:00-10:00 and 14:00-14:30 of 15-minute slots; every wish fits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from documents_helpers import salon_data
from fastapi.testclient import TestClient
from service_helpers import new_organiser, wait_for_job

EARLY = "2023-11-28T08:00"


def published_salon(
    client: TestClient, emails: dict[str, str] | None = None
) -> tuple[dict[str, str], int]:
    """Import, solve and publish the tiny salon; the organiser's headers and the salon id."""
    organiser = new_organiser(client)
    data: dict[str, Any] = salon_data()
    for person in data["participants"]:
        if emails and person["id"] in emails:
            person["email"] = emails[person["id"]]
    response = client.post(
        "/salons/import",
        content=json.dumps(data),
        headers={**organiser, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    salon_id: int = response.json()["id"]
    job = client.post(
        f"/salons/{salon_id}/solves", json={"time_limit": 2, "workers": 1}, headers=organiser
    ).json()
    assert wait_for_job(client, organiser, salon_id, job["id"])["state"] == "done"
    published = client.post(f"/salons/{salon_id}/schedules/1/publish", headers=organiser)
    assert published.status_code == 200, published.text
    return organiser, salon_id


def hidden(html: str, name: str) -> str:
    """The value of the first hidden field `name` of a page (HTML entities decoded)."""
    import html as html_module

    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return html_module.unescape(found.group(1))
