"""Helpers of the page tests: form tokens, organiser sign-in, a solved and published salon."""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi.testclient import TestClient
from service_helpers import World, wait_for_job


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no form token in the page"
    return found.group(1)


def sign_in(client: TestClient, headers: dict[str, str]) -> str:
    """Sign the organiser of `headers` in on the pages; the form token of its pages."""
    key = headers["Authorization"].removeprefix("Bearer ")
    response = client.post("/o/login", data={"api_key": key, "next": "/o"})
    assert response.status_code == 200 and "Vos salons" in response.text, response.text[:500]
    return csrf_of(response.text)


def wishes_and_solve(world: World) -> int:
    """I1 and I2 ask D1 and D2 through the API, a solve runs; the schedule's version."""
    client = world.client
    for code in ("I1", "I2"):
        body = {"wishes": [{"to": "D1"}, {"to": "D2"}]}
        response = client.put("/me/wishes", json=body, headers=world.me(code))
        assert response.status_code == 200, response.text
    response = client.post(world.url("/solves"), json={"time_limit": 5}, headers=world.organiser)
    assert response.status_code == 202, response.text
    job = wait_for_job(client, world.organiser, world.salon_id, response.json()["id"])
    assert job["state"] == "done", job
    version: int = job["schedule_version"]
    return version


def wait_print(client: TestClient, job_path: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"{job_path}/progress").json()
        if job["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.2)
