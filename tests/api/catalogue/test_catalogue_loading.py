"""The example catalogue (examples/catalogue-2023.json), its loader (idempotent, errors with
JSON paths) and the `salon catalogue` commands."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.catalogue import load_catalogue_file, storage
from api.catalogue.errors import CatalogueError
from api.catalogue.geography import departements
from api.catalogue.search import SearchQuery, search_events
from api.catalogue.tables import AuditEntry, Event
from api.cli import main
from examples.make_catalogue import dumps, generate_catalogue

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "catalogue-2023.json"


def test_example_file_is_the_generator_output() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == dumps(generate_catalogue())


def test_example_shape() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    events = data["events"]
    assert 140 <= len(events) <= 160
    assert (data["edition"]["starts_on"], data["edition"]["ends_on"]) == ("2023-11-02",
                                                                          "2023-11-30")
    assert len({e["format"] for e in events}) >= 5
    assert {e["attendance_mode"] for e in events} == {"on_site", "online", "mixed"}
    regions = {departements()[e["place"]["departement"]].region_code
               for e in events if e.get("place")}
    assert len(regions) == 18
    steps = Counter(e["track"] for e in events if e.get("track"))
    assert sorted(steps.values()) == [4, 5]
    assert all(e["timings"][0]["start"][:7] == "2023-11" for e in events)


def test_load_is_idempotent(plain_session: Session) -> None:
    assert load_catalogue_file(plain_session, EXAMPLE) == 150
    audit = plain_session.scalar(select(func.count()).select_from(AuditEntry))
    states = storage.state_counts(plain_session, edition_id=None)
    assert load_catalogue_file(plain_session, EXAMPLE) == 150
    assert plain_session.scalar(select(func.count()).select_from(AuditEntry)) == audit
    assert storage.state_counts(plain_session, edition_id=None) == states
    assert plain_session.scalar(select(func.count()).select_from(Event)) == 150
    assert states["published"] == 140 and states["submitted"] == 5
    result = search_events(plain_session, SearchQuery(edition="mois-innovation-publique-2023"))
    assert result.count == 140
    assert len(result.facets["region"]) == 18
    climat = storage.get_track(plain_session, slug="adaptation-climat-redirection-ecologique")
    assert climat is not None
    steps = storage.track_steps(plain_session, track_id=climat.id, states=("published",))
    assert [s.track_step for s in steps] == [1, 2, 3, 4, 5]
    assert steps[0].first_start < steps[-1].first_start


def test_invalid_file_names_each_problem(plain_session: Session, tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["events"] = data["events"][:3]
    data["events"][1]["place"] = None
    data["events"][1]["attendance_mode"] = "on_site"
    data["events"][2]["timings"][0]["end"] = data["events"][2]["timings"][0]["start"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue_file(plain_session, path)
    fields = [problem.field for problem in raised.value.problems]
    assert fields == ["events[1].place", "events[2].timings[0].end"]
    data["events"][0]["format"] = 12
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue_file(plain_session, path)
    assert [p.field for p in raised.value.problems] == ["events[0].format"]
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue_file(plain_session, path)
    assert raised.value.code == "invalid_file"


def test_cli(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALON_LANG", "en")  # the CLI's texts in English (French by default)
    assert main(["catalogue", "load", str(EXAMPLE), "--database-url", db_url]) == 0
    assert "150 events loaded" in capsys.readouterr().out
    code = main(["catalogue", "make-contributor", "Agent@Ville.Example", "--name", "Camille",
                 "--database-url", db_url])
    out = capsys.readouterr().out
    assert code == 0 and "agent@ville.example" in out and "/catalogue/login/" in out
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "autre/v9"}', encoding="utf-8")
    assert main(["catalogue", "load", str(bad), "--database-url", db_url]) == 1
    err = capsys.readouterr().err
    assert "edition: This field is required." in err
    assert main(["catalogue", "make-contributor", "nope", "--database-url", db_url]) == 1
