"""Wishes imported from CSV/XLSX sheets (from, to, priority, required, message): all or
nothing, every problem named by its line and column, as the participants' import; through the
API, on both databases (the dashboard's form: tests/api/pages/test_pages_wish_import.py)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from service_helpers import World


def upload(world: World, name: str, content: bytes) -> Any:
    return world.client.post(
        world.url("/wishes/import"), files={"file": (name, content)}, headers=world.organiser
    )


def stored(world: World) -> dict[tuple[str, str], dict[str, Any]]:
    listed = world.client.get(world.url("/wishes"), headers=world.organiser).json()["data"]
    return {(w["from"], w["to"]): w for w in listed}


def test_a_csv_adds_wishes_and_updates_known_ones(world: World) -> None:
    assert world.client.put(
        "/me/wishes", json={"wishes": [{"to": "D2"}]}, headers=world.me("I1")
    ).status_code == 200
    content = (
        "from;to;priority;required;message\n"
        "I1;D1;1;oui;Présentation des drones\n"
        "I1;D2;3;non;\n"
        "I2;D1;;;\n"
    ).encode("cp1252")
    response = upload(world, "souhaits.csv", content)
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 2, "updated": 1, "count": 3}
    wishes = stored(world)
    assert wishes[("I1", "D1")]["priority"] == 1 and wishes[("I1", "D1")]["required"] is True
    assert wishes[("I1", "D1")]["message"] == "Présentation des drones"
    assert (wishes[("I1", "D2")]["priority"], wishes[("I1", "D2")]["rank"]) == (3, 1)
    assert wishes[("I1", "D1")]["rank"] == 2  # after the asker's wish already made
    assert (wishes[("I2", "D1")]["priority"], wishes[("I2", "D1")]["required"]) == (2, False)
    requests = world.client.get("/me/requests", headers=world.me("D1")).json()["data"]
    assert {r["from"]: r["message"] for r in requests} == {
        "I1": "Présentation des drones",
        "I2": "",
    }


def test_an_xlsx_sheet_imports_the_same_way(world: World) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["De", "À", "Priorité", "Obligatoire", "Message"])
    sheet.append(["I3", "D2", 1, "x", "Bonjour"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(world, "souhaits.xlsx", buffer.getvalue())
    assert response.status_code == 200, response.text
    wish = stored(world)[("I3", "D2")]
    assert (wish["priority"], wish["required"], wish["message"]) == (1, True, "Bonjour")


def test_a_bad_file_is_refused_whole_with_each_line_and_column(world: World) -> None:
    content = (
        "from,to,priority,required,message\n"
        "I1,D1,1,oui,\n"
        "I1,NOBODY,2,,\n"
        "I2,D1,7,,\n"
        "I3,D1,,peut-être,\n"
        "I1,D1,2,,\n"
        "I2,I2,,,\n"
        f"I3,D2,,,{'x' * 301}\n"
    ).encode()
    response = upload(world, "souhaits.csv", content)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_import"
    fields = [e["field"] for e in detail["errors"]]
    assert "ligne 4, colonne priority" in fields
    assert "ligne 5, colonne required" in fields
    assert "ligne 6" in fields  # the same wish twice
    assert "ligne 8, colonne message" in fields
    assert stored(world) == {}  # nothing imported
    # The codes are checked once the sheet reads well: unknown and oneself, by line and column.
    content = b"from,to\nI1,D1\nI1,NOBODY\nI2,I2\n"
    response = upload(world, "souhaits.csv", content)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["detail"]["errors"]}
    assert errors == {
        "ligne 3, colonne to": "Participant inconnu : NOBODY.",
        "ligne 4, colonne to": "On ne peut pas souhaiter se rencontrer soi-même.",
    }
    assert stored(world) == {}


def test_the_header_is_checked_first(world: World) -> None:
    response = upload(world, "souhaits.csv", b"from,vers,priority\nI1,D1,1\n")
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["detail"]["errors"]}
    assert errors["ligne 1, colonne 2"] == "Colonne inconnue « vers »."
    assert errors["ligne 1"] == "Colonne obligatoire absente : to."
    json_file = upload(world, "souhaits.json", b"[]")
    assert json_file.status_code == 422
    assert "CSV ou XLSX" in json_file.json()["detail"]["errors"][0]["message"]
