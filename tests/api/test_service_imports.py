"""Participant imports: salon/v1 JSON, CSV and XLSX with the documented column layout."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import Workbook
from service_helpers import World

CSV_TEXT = (
    "id;nom;organisation;fonction;table;representants;rdv_max;courriel;indisponible\n"
    "D9;Dana Neuf;DGA;Directrice;T3;;4;dana@example.org;\n"
    "X1;Xavier Un;Société X;Ingénieur;;2;;;"
    '"2023-11-28T09:00/2023-11-28T09:30; 2023-11-28T14:00/2023-11-28T14:20"\n'
    "I1;Nouveau nom I1;Org I1;;;;;;\n"
)


def upload(world: World, name: str, content: bytes, **params: str) -> object:
    return world.client.post(
        world.url("/participants/import"),
        files={"file": (name, content)},
        params=params,
        headers=world.organiser,
    )


def participants(world: World) -> dict[str, dict[str, object]]:
    page = world.client.get(world.url("/participants"), headers=world.organiser).json()
    return {p["code"]: p for p in page["data"]}


def test_csv_import_creates_and_updates(world: World) -> None:
    response = upload(world, "participants.csv", CSV_TEXT.encode("utf-8"))
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 2, "updated": 1, "count": 7}
    found = participants(world)
    assert found["D9"]["kind"] == "director" and found["D9"]["table"] == "T3"
    assert found["D9"]["max_meetings"] == 4 and found["D9"]["email"] == "dana@example.org"
    assert found["X1"]["representatives"] == 2 and found["X1"]["kind"] == "industrial"
    assert found["X1"]["unavailable"] == [
        {"start": "2023-11-28T09:00:00", "end": "2023-11-28T09:30:00"},
        {"start": "2023-11-28T14:00:00", "end": "2023-11-28T14:20:00"},
    ]
    assert found["I1"]["name"] == "Nouveau nom I1"
    assert found["I1"]["id"] == world.ids["I1"]  # updated in place: links and wishes stay


def test_xlsx_import(world: World) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        [
            "ID",
            "Name",
            "Organisation",
            "Role",
            "Table",
            "Representatives",
            "Max meetings",
            "Email",
            "Unavailable",
        ]
    )
    sheet.append(["D8", "Directeur Huit", "DGA", "director", "T3", None, 6, None, None])
    sheet.append([42, "Numéro", "Org", "industrial", None, 3, None, "n@example.org", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(world, "people.xlsx", buffer.getvalue())
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    found = participants(world)
    assert found["D8"]["table"] == "T3" and found["D8"]["max_meetings"] == 6
    assert found["42"]["representatives"] == 3


def test_json_import_of_a_salon_file_or_a_list(world: World) -> None:
    document = {"format": "salon/v1", "participants": [{"id": "J1", "name": "Jay"}]}
    response = upload(world, "salon.json", json.dumps(document).encode())
    assert response.status_code == 200 and response.json()["created"] == 1
    listed = [{"id": "J2", "name": "Jo", "table": "T3"}]
    response = upload(world, "people.txt", json.dumps(listed).encode(), format="json")
    assert response.status_code == 200 and response.json()["created"] == 1
    assert participants(world)["J2"]["kind"] == "director"


def test_errors_name_row_and_column_and_import_nothing(world: World) -> None:
    text = "id,name,table,representatives\nA1,Alice,T9,\nA2,,,\nA3,Ann,,many\n"
    response = upload(world, "bad.csv", text.encode())
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] in ("invalid_import", "invalid_salon")
    fields = [e["field"] for e in detail["errors"]]
    assert "ligne 3, colonne name" in fields
    assert "ligne 4, colonne representatives" in fields
    assert len(participants(world)) == 5

    unknown_table = upload(world, "t.csv", b"id,name,table\nA1,Alice,T9\n")
    assert unknown_table.status_code == 422
    assert unknown_table.json()["detail"]["code"] == "invalid_salon"
    assert "T9" in unknown_table.json()["detail"]["errors"][0]["message"]

    missing = upload(world, "m.csv", b"nom;organisation\nA;B\n")
    assert missing.status_code == 422
    assert missing.json()["detail"]["errors"] == [
        {"field": "ligne 1", "message": "Colonne obligatoire absente : id."}
    ]
    garbage = upload(world, "x.xlsx", b"not a spreadsheet")
    assert garbage.status_code == 422 and garbage.json()["detail"]["code"] == "invalid_import"
    unknown_format = upload(world, "file.bin", b"\x00\x01")
    assert unknown_format.status_code == 422
    bad_json = upload(world, "x.json", b"{")
    assert bad_json.status_code == 422
    assert bad_json.json()["detail"]["errors"][0]["field"] == "file"
    assert len(participants(world)) == 5


def test_duplicate_codes_in_one_file_are_refused(world: World) -> None:
    response = upload(world, "d.csv", b"id,name\nZ1,A\nZ1,B\n")
    assert response.status_code == 422
    assert "Z1" in json.dumps(response.json())


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _damaged_xlsx() -> bytes:
    """A readable archive whose sheet is cut in half."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["id", "name"], ["Z1", "A"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if "sheet1" in item.filename else data)
    return out.getvalue()


BAD_FILES: list[tuple[str, bytes, str, str]] = [  # name, content, field, words of the message
    ("empty.csv", b"", "file", "Fichier vide"),
    ("empty.json", b"", "file", "JSON invalide"),
    ("empty.xlsx", b"", "file", "XLSX illisible"),
    ("blank.csv", b"\n\n \n", "file", "Fichier vide"),
    ("header.xlsx", _xlsx([]), "file", "Fichier vide"),
    ("garbage.json", bytes(range(256)) * 8, "file", "JSON invalide"),
    ("garbage.xlsx", bytes(range(256)) * 8, "file", "XLSX illisible"),
    ("damaged.xlsx", _damaged_xlsx(), "file", "XLSX illisible"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "file", "imbrication"),
    ("scalar.json", b"42", "file", "salon/v1"),
    # just over 10 MB: passes the edge's allowance (api/edge.py), refused by the importer
    ("huge.csv", b"id,name\n" + b"Z1,A\n" * 2_097_152, "file", "trop volumineux"),
    ("rows.csv", b"id,name\n" + b"".join(b"Z%d,A\n" % i for i in range(20_001)), "file", "lignes"),
    ("wide.csv", b"id,name\nZ1," + b"x" * 200_000 + b"\n", "file", "CSV illisible"),
    ("missing.csv", b"id;organisation\nZ1;B\n", "ligne 1", "name"),
    ("columns.csv", b"id,name,nom\nZ1,A,B\n", "ligne 1, colonne 3", "en double"),
    ("twice.csv", b"id,name\nZ1,A\nZ2,B\nZ1,C\n", "ligne 4", "« Z1 » en double (déjà : ligne 2)"),
    ("twice.xlsx", _xlsx([["id", "name"], ["Z1", "A"], ["Z1", "B"]]), "ligne 3", "en double"),
    (
        "twice.json",
        json.dumps([{"id": "Z1", "name": "A"}, {"id": "Z1", "name": "B"}]).encode(),
        "participants[1]",
        "en double (déjà : participants[0])",
    ),
    ("nul.csv", b"id,name\nZ1,A\x00B\n", "ligne 2", "Caractère nul"),
    ("nul.json", b'[{"id": "Z1", "name": "A\\u0000B"}]', "participants[0]", "Caractère nul"),
    ("long.csv", b"id,name\nZ1," + b"x" * 300 + b"\n", "ligne 2, colonne name", "Texte trop long"),
    (
        "count.csv",
        b"id,name,representatives\nZ1,A,beaucoup\n",
        "ligne 2, colonne representatives",
        "Nombre entier attendu",
    ),
    (
        "types.json",
        b'[{"id": "Z1", "name": "A", "representatives": "x"}]',
        "participants[0].representatives",
        "Nombre entier attendu",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "field", "words"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_bad_files_get_a_clear_422_naming_where(
    world: World, name: str, content: bytes, field: str, words: str
) -> None:
    response = upload(world, name, content)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_import"
    assert any(e["field"] == field and words in e["message"] for e in detail["errors"]), detail
    assert len(participants(world)) == 5


GOOD_FILES: list[tuple[str, bytes]] = [
    ("latin1.csv", "id;nom;organisation\nZ1;Hélène Çava;Société Générale\n".encode("cp1252")),
    ("bom.csv", "\ufeffid,name,organisation\nZ1,Hélène Çava,Société Générale\n".encode()),
    ("utf16.csv", "id\tname\torganisation\nZ1\tHélène Çava\tSociété Générale\n".encode("utf-16")),
    ("mac.csv", "id;name;organisation\rZ1;Hélène Çava;Société Générale\r".encode()),
    (
        "bom.json",
        '\ufeff[{"id": "Z1", "name": "Hélène Çava", "organisation": "Société Générale"}]'.encode(),
    ),
]


@pytest.mark.parametrize(("name", "content"), GOOD_FILES, ids=[c[0] for c in GOOD_FILES])
def test_encodings_and_separators_are_read(world: World, name: str, content: bytes) -> None:
    response = upload(world, name, content)
    assert response.status_code == 200, response.text
    found = participants(world)["Z1"]
    assert (found["name"], found["organisation"]) == ("Hélène Çava", "Société Générale")


def test_import_errors_in_english(world: World) -> None:
    response = world.client.post(
        world.url("/participants/import"),
        files={"file": ("t.csv", b"id,name\nZ1,A\nZ1,B\n")},
        headers={**world.organiser, "Accept-Language": "en"},
    )
    assert response.json()["detail"]["errors"] == [
        {"field": "ligne 3", "message": 'Id "Z1" repeated (already: ligne 2).'}
    ]
