"""`salon demo` (what `make run` calls): load, solve through the job runner, publish, print."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from pypdf import PdfReader
from service_helpers import PROJECT, running_server
from test_service_cli import salon

SMALL = PROJECT / "examples" / "small.json"


def _objectives(stdout: str) -> dict[str, tuple[int, int]]:
    line = next(line for line in stdout.splitlines() if "borne prouvée" in line)
    return {n: (int(v), int(b)) for n, v, b in re.findall(r"(\w+) (\d+) / (\d+)", line)}


def test_demo_solves_publishes_and_prints(database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = salon(
        database_url, "demo", "--file", str(SMALL), "--out", str(out), "--time-limit", "5"
    )
    assert first.returncode == 0, first.stderr
    assert "Planning v1 publié" in first.stdout
    objectives = _objectives(first.stdout)
    assert set(objectives) >= {"coverage", "score"}
    assert all(value <= bound for value, bound in (objectives["coverage"], objectives["score"]))
    document = json.loads(SMALL.read_text("utf-8"))
    directors = [p for p in document["participants"] if p.get("table")]
    agendas = PdfReader(out / "agendas-directeurs.pdf")
    assert len(agendas.pages) >= len(directors)
    assert directors[0]["name"] in agendas.pages[0].extract_text()
    assert (out / "rendez-vous.xlsx").stat().st_size > 0
    meetings = int(re.search(r"(\d+) rendez-vous", first.stdout).group(1))  # type: ignore[union-attr]
    key = re.search(r"Authorization: Bearer (\S+)", first.stdout)
    assert key
    second = salon(database_url, "demo", "--file", str(SMALL), "--no-print", "--time-limit", "5")
    assert second.returncode == 0, second.stderr
    assert "déjà chargé" in second.stdout and "Planning v2 publié" in second.stdout
    salon_id = int(re.search(r"id (\d+)\)", first.stdout).group(1))  # type: ignore[union-attr]
    with running_server(database_url) as server:
        schedules = httpx.get(
            f"{server.base_url}/salons/{salon_id}/schedules",
            headers={"Authorization": f"Bearer {key.group(1)}"},
        ).json()
    versions = {s["version"]: s for s in schedules["data"]}
    assert versions[2]["current"] and versions[1]["state"] == "published"
    assert versions[1]["meeting_count"] == meetings


def test_demo_loads_once_and_prints_working_links(database_url: str) -> None:
    first = salon(database_url, "demo", "--no-solve", "--file", str(SMALL))
    assert first.returncode == 0, first.stderr
    assert "chargé (id" in first.stdout and "publié" not in first.stdout
    second = salon(database_url, "demo", "--no-solve", "--file", str(SMALL))
    assert "déjà chargé" in second.stdout
    key = re.search(r"Authorization: Bearer (\S+)", second.stdout)
    tokens = re.findall(r"X-Participant-Token: (\S+)", second.stdout)
    links = re.findall(r"(http://\S+/p/\S+)", second.stdout)
    assert key and len(tokens) == 2 and len(links) == 2
    assert links[0].endswith(tokens[0])
    salon_id = int(re.search(r"id (\d+)\)", second.stdout).group(1))  # type: ignore[union-attr]
    with running_server(database_url) as server:
        salons = httpx.get(
            f"{server.base_url}/salons", headers={"Authorization": f"Bearer {key.group(1)}"}
        ).json()
        assert salons["count"] == 1 and salons["data"][0]["id"] == salon_id
        assert salons["data"][0]["wishes_open"] is True
        kinds = [
            httpx.get(f"{server.base_url}/me", headers={"X-Participant-Token": t}).json()["kind"]
            for t in tokens
        ]
    assert kinds == ["industrial", "director"]
    document = json.loads(SMALL.read_text("utf-8"))
    assert salons["data"][0]["participant_count"] == len(document["participants"])


def test_demo_without_its_file_says_so(database_url: str, tmp_path: Path) -> None:
    result = salon(database_url, "demo", "--no-solve", "--file", str(tmp_path / "none.json"))
    assert result.returncode == 1 and "introuvable" in result.stderr
