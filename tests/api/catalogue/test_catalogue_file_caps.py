"""The caps of a catalogue file (api/catalogue/loading.py): its size, checked before it is read,
and its rows (events, formats, tracks); a refused file loads nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.catalogue import load_catalogue_file
from api.catalogue.errors import CatalogueError
from api.catalogue.loading import MAX_EVENTS, MAX_FILE_BYTES, MAX_VOCABULARY
from api.catalogue.tables import Event

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "catalogue-2023.json"


def refusal(session: Session, path: Path) -> CatalogueError:
    with pytest.raises(CatalogueError) as raised:
        load_catalogue_file(session, path)
    assert raised.value.code == "invalid_file"
    assert session.scalar(select(func.count()).select_from(Event)) == 0
    return raised.value


def test_a_file_over_the_size_cap_is_refused_unread(plain_session: Session, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as file:  # sparse: the size is there, the disk is not used
        file.truncate(MAX_FILE_BYTES + 1)
    error = refusal(plain_session, path)
    assert [(p.field, p.render("fr")) for p in error.problems] == [
        ("file", "Fichier trop volumineux : 51 Mo (50 Mo au plus).")
    ]
    assert error.problems[0].render("en") == "File too large: 51 MB (50 MB at most)."


def test_the_rows_of_a_file_are_capped(plain_session: Session, tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    track = data["tracks"][0]
    data["tracks"] = [{**track, "slug": f"parcours-{n}"} for n in range(MAX_VOCABULARY + 1)]
    data["events"] = data["events"][:1] * (MAX_EVENTS + 1)
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    error = refusal(plain_session, path)
    assert [(p.field, p.render("fr")) for p in error.problems] == [
        ("tracks", "Trop d'éléments : 1000 au plus."),
        ("events", "Trop d'éléments : 20000 au plus."),
    ]
