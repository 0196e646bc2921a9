"""Helpers of the day's tests: the tiny salon published, the clock set to a salon time, the
published meetings, the check-in codes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from api.dayof.codes import checkin_codes
from api.timestamps import set_clock

PARIS = ZoneInfo("Europe/Paris")
CODES = ["d1", "d2", "i1", "i2", "i3"]


def at_salon_time(text: str) -> dt.datetime:
    """Set the service's clock to the salon's local time `text` (2023-11-28T09:20), frozen
    (speed 1, from now): the naive UTC moment it stands for."""
    local = dt.datetime.fromisoformat(text).replace(tzinfo=PARIS)
    moment = local.astimezone(dt.UTC).replace(tzinfo=None)
    set_clock(moment, 1.0)
    return moment


def meetings(client: TestClient, organiser: dict[str, str], salon_id: int) -> list[dict[str, Any]]:
    """The published version 1's meetings, in time order."""
    body = client.get(f"/salons/{salon_id}/schedules/1", headers=organiser).json()
    return sorted(body["meetings"], key=lambda m: (m["start"], m["table"]))


def code_of(participant: str) -> str:
    """The check-in code of a participant of the tiny salon."""
    return checkin_codes(CODES)[participant]


def text_of(html: str) -> str:
    """A page as text, tags removed, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def participant_token(
    client: TestClient, organiser: dict[str, str], salon_id: int, code: str
) -> str:
    """A new personal link's token of the participant `code`."""
    people = client.get(
        f"/salons/{salon_id}/participants", params={"limit": 500}, headers=organiser
    ).json()["data"]
    participant_id = next(p["id"] for p in people if p["code"] == code)
    response = client.post(
        f"/salons/{salon_id}/participants/{participant_id}/links", json={}, headers=organiser
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])
