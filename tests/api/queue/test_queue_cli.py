"""`salon jobs` (list, retry, cancel) and `salon worker`'s refusal without PostgreSQL, as
separate processes on the database of a running (embedded) server, SQLite and PostgreSQL."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from queue_helpers import SMALL, medium_salon
from service_helpers import crowded_salon, new_organiser, settings_for, wait_for_job
from test_service_cli import salon

from api.app import create_app


def test_jobs_list_cancel_and_retry(database_url: str) -> None:
    settings = settings_for(database_url, solve_max_active=10)
    with TestClient(create_app(settings)) as client:
        ada = new_organiser(client)
        small = client.post("/salons/import", json=SMALL, headers=ada).json()["id"]
        medium = client.post("/salons/import", json=medium_salon(), headers=ada).json()["id"]
        crowded = client.post("/salons/import", json=crowded_salon(), headers=ada).json()["id"]
        done = client.post(f"/salons/{small}/solves", json={"time_limit": 2}, headers=ada).json()
        assert wait_for_job(client, ada, small, done["id"])["state"] == "done"
        failed = client.post(f"/salons/{crowded}/solves", json={"time_limit": 0.001}, headers=ada)
        failed_id = failed.json()["id"]
        assert wait_for_job(client, ada, crowded, failed_id)["state"] == "failed"
        long = client.post(f"/salons/{medium}/solves", json={"time_limit": 120}, headers=ada)
        long_id = long.json()["id"]
        while client.get(f"/salons/{medium}/solves/{long_id}", headers=ada).json()["state"] != (
            "running"
        ):
            time.sleep(0.05)

        # Cancelled from another process: the server's run sees it at its next heartbeat.
        cancelled = salon(database_url, "jobs", "cancel", str(long_id))
        assert cancelled.returncode == 0, cancelled.stderr
        assert f"Arrêt demandé au travail {long_id}" in cancelled.stdout
        ended = wait_for_job(client, ada, medium, long_id, timeout=30)
        assert ended["state"] == "cancelled", ended
        again = salon(database_url, "jobs", "cancel", str(long_id))
        assert again.returncode == 1 and "déjà terminé (cancelled)" in again.stderr

        listed = salon(database_url, "jobs", "list")
        assert listed.returncode == 0, listed.stderr
        lines = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[1:-1]}
        assert lines[str(done["id"])][1:4] == ["solve", str(small), "done"]
        assert lines[str(failed_id)][3] == "failed"
        assert lines[str(long_id)][3] == "cancelled"
        assert listed.stdout.splitlines()[-1] == "3 travail(aux)"
        only = salon(database_url, "jobs", "list", "--state", "done")
        assert [line.split()[0] for line in only.stdout.splitlines()[1:-1]] == [str(done["id"])]

        refused = salon(database_url, "jobs", "retry", str(done["id"]))
        assert refused.returncode == 1
        assert "seuls les travaux échoués ou annulés se relancent" in refused.stderr
        unknown = salon(database_url, "jobs", "cancel", "999999", SALON_LANG="en")
        assert unknown.returncode == 1 and "Job 999999 not found." in unknown.stderr

    # Embedded: no worker takes a retried job; `salon jobs retry` runs it itself (a second
    # run, which fails again: 0.001 s is too short for this salon).
    retried = salon(database_url, "jobs", "retry", str(failed_id))
    assert retried.returncode == 1, retried.stderr
    assert f"Travail {failed_id} relancé : failed" in retried.stdout
    listed = salon(database_url, "jobs", "list", "--state", "failed", "cancelled")
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[1:-1]}
    assert rows[str(failed_id)][3] == "failed" and rows[str(failed_id)][7] == "2"  # two runs
    assert rows[str(long_id)][3] == "cancelled" and rows[str(long_id)][7] == "1"


def test_a_worker_needs_postgresql(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        return  # the cluster tests run workers on PostgreSQL (test_queue_workers.py)
    refused = salon(database_url, "worker")
    assert refused.returncode == 2
    assert "SALON_JOB_QUEUE=procrastinate demande PostgreSQL" in refused.stderr
    misconfigured = salon(database_url, "worker", SALON_JOB_QUEUE="procrastinate")
    assert misconfigured.returncode == 2
    assert "SALON_JOB_QUEUE=procrastinate needs PostgreSQL" in misconfigured.stderr
