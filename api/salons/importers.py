"""Participant files: salon/v1 JSON, CSV and XLSX, read into salon/v1 participants.

CSV and XLSX share one column layout (docs/service.md), a header row first; column names are
case-insensitive, French names are accepted:

| column            | also          | content                                                |
|-------------------|---------------|--------------------------------------------------------|
| `id` (required)   | `code`        | the participant's id, unique in the salon              |
| `name` (required) | `nom`         | the name shown to others                               |
| `organisation`    | `structure`   | company or administration                              |
| `role`            | `fonction`    | free text (e.g. "Directeur de programme")              |
| `table`           |               | home table id (directors); empty for industrials       |
| `representatives` | `representants` | meetings it can hold at once (default 1)             |
| `max_meetings`    | `rdv_max`     | cap on its meetings (empty: none)                      |
| `email`           | `courriel`    | e-mail address                                         |
| `unavailable`     | `indisponible` | `START/END` intervals separated by `;`, ISO local times |

Every problem is reported with its row and column; nothing is imported when one is found.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import ValidationError

from api.errors import DomainError, FieldProblem, pydantic_problem
from api.salons.rules import nul_character_fields
from scheduler import format as v1

COLUMNS: dict[str, str] = {
    "id": "id",
    "code": "id",
    "identifiant": "id",
    "name": "name",
    "nom": "name",
    "organisation": "organisation",
    "organization": "organisation",
    "structure": "organisation",
    "role": "role",
    "rôle": "role",
    "fonction": "role",
    "table": "table",
    "representatives": "representatives",
    "representants": "representatives",
    "représentants": "representatives",
    "max_meetings": "max_meetings",
    "rdv_max": "max_meetings",
    "email": "email",
    "e-mail": "email",
    "courriel": "email",
    "unavailable": "unavailable",
    "indisponible": "unavailable",
    "indisponibilites": "unavailable",
    "indisponibilités": "unavailable",
}
REQUIRED = ("id", "name")
Format = Literal["json", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("json", "csv", "xlsx")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_SALON_BYTES = 20 * 1024 * 1024
"""A whole salon/v1 file (`POST /salons/import`, the organiser's import page)."""
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
"""An XLSX's members once unzipped, together (openpyxl reads them whole or streams them)."""
MAX_XLSX_SHARED_STRINGS = 20 * 1024 * 1024
"""Its shared strings unzipped (openpyxl holds them all in memory)."""
MAX_XLSX_MEMBERS = 1_000
SHARED_STRINGS = "xl/sharedStrings.xml"


def import_error(problems: Sequence[FieldProblem]) -> DomainError:
    return DomainError(
        "invalid_import",
        "Fichier refusé : {count} problème(s), rien n'a été importé.",
        status=422,
        problems=problems,
        count=len(problems),
    )


def detect_format(
    filename: str | None, content_type: str | None, explicit: Format | None
) -> Format:
    """The file's format from `format=`, the file name's extension or its content type."""
    if explicit:
        return explicit
    name = (filename or "").lower()
    for fmt in FORMATS:
        if name.endswith(f".{fmt}"):
            return fmt
    kind = (content_type or "").lower()
    if "json" in kind:
        return "json"
    if "csv" in kind or kind.startswith("text/"):
        return "csv"
    if "spreadsheet" in kind or "excel" in kind:
        return "xlsx"
    raise import_error(
        [FieldProblem("file", "Format inconnu : indiquez format=json, csv ou xlsx.")]
    )


def read_participants(content: bytes, fmt: str) -> list[v1.Participant]:
    """Parse a participant file; raise a 422 `invalid_import` listing every problem."""
    if len(content) > MAX_BYTES:
        raise import_error([FieldProblem("file", "Fichier trop volumineux (10 Mo au plus).")])
    if fmt == "json":
        specs, places = _from_json(content)
    else:
        rows = csv_rows(content) if fmt == "csv" else xlsx_rows(content)
        specs, places = _from_rows(rows)
    problems = _repeated_ids(specs, places) + _nul_characters(specs, places)
    if problems:
        raise import_error(problems)
    return specs


def _repeated_ids(specs: Sequence[v1.Participant], places: Sequence[str]) -> list[FieldProblem]:
    """A participant appears once in a file (else which line wins would be a guess)."""
    first: dict[str, str] = {}
    problems = []
    for spec, place in zip(specs, places, strict=True):
        if spec.id in first:
            message = "Identifiant « {id} » en double (déjà : {first})."
            problems.append(FieldProblem(place, message, {"id": spec.id, "first": first[spec.id]}))
        else:
            first[spec.id] = place
    return problems


def _nul_characters(specs: Sequence[v1.Participant], places: Sequence[str]) -> list[FieldProblem]:
    """No text holds a NUL character (binary content; PostgreSQL refuses it)."""
    return [
        FieldProblem(place, "Caractère nul (binaire) dans le champ {name}.", {"name": name})
        for spec, place in zip(specs, places, strict=True)
        for name in nul_character_fields(spec.model_dump(mode="json"))
    ]


# ---------------------------------------------------------------------- JSON


def _from_json(content: bytes) -> tuple[list[v1.Participant], list[str]]:
    """The participants of a JSON file and the path of each (`participants[3]`)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise import_error(
            [FieldProblem("file", "JSON invalide : {error}.", {"error": str(exc)})]
        ) from exc
    except RecursionError as exc:
        message = "JSON invalide : trop de niveaux d'imbrication."
        raise import_error([FieldProblem("file", message)]) from exc
    if isinstance(data, dict):
        data = data.get("participants")
    if not isinstance(data, list):
        message = "Attendu : un fichier salon/v1 ou une liste de participants."
        raise import_error([FieldProblem("file", message)])
    if len(data) > MAX_ROWS:
        raise import_error(
            [FieldProblem("participants", "Trop de participants (20 000 au plus).")]
        )
    specs: list[v1.Participant] = []
    places: list[str] = []
    problems: list[FieldProblem] = []
    for i, item in enumerate(data):
        try:
            specs.append(v1.Participant.model_validate(item))
            places.append(f"participants[{i}]")
        except ValidationError as exc:
            problems.extend(
                pydantic_problem(
                    f"participants[{i}]" + "".join(_loc_part(p) for p in error["loc"]), error
                )
                for error in exc.errors()
            )
    if problems:
        raise import_error(problems)
    return specs, places


def _loc_part(part: object) -> str:
    return f"[{part}]" if isinstance(part, int) else f".{part}"


# ---------------------------------------------------------------- CSV, XLSX


def _csv_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM, else Windows-1252."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def csv_rows(content: bytes) -> list[list[Any]]:
    """The non-empty rows of a CSV file (its delimiter guessed from the first line: , ; or tab)."""
    text = _csv_text(content)
    lines = text.splitlines()
    first_line = lines[0] if lines else ""
    delimiter = max(",;\t", key=first_line.count)
    try:  # newline=None: Windows, Unix and old Mac line ends alike
        reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
        rows = []
        for row in reader:
            if any(c.strip() for c in row):
                rows.append(row)
            if len(rows) > MAX_ROWS:  # one past the cap is enough to refuse the file
                break
        return rows
    except csv.Error as exc:
        raise import_error(
            [FieldProblem("file", "CSV illisible : {error}.", {"error": str(exc)})]
        ) from exc


def _xlsx_size_problem(content: bytes) -> FieldProblem | None:
    """What makes an XLSX too large once unzipped (a zip bomb), read from its directory before
    anything is unzipped; None when it is not a readable zip (openpyxl then says why)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if len(members) > MAX_XLSX_MEMBERS:
        message = "Fichier XLSX refusé : {count} fichiers dans l'archive ({limit} au plus)."
        return FieldProblem("file", message, {"count": len(members), "limit": MAX_XLSX_MEMBERS})
    total = sum(member.file_size for member in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        message = "Fichier XLSX refusé : {size} Mo une fois décompressé ({limit} Mo au plus)."
        return FieldProblem("file", message, _megabytes(total, MAX_XLSX_UNCOMPRESSED))
    strings = sum(m.file_size for m in members if m.filename.lower() == SHARED_STRINGS.lower())
    if strings > MAX_XLSX_SHARED_STRINGS:
        message = (
            "Fichier XLSX refusé : textes de {size} Mo une fois décompressés ({limit} Mo au plus)."
        )
        return FieldProblem("file", message, _megabytes(strings, MAX_XLSX_SHARED_STRINGS))
    return None


def _megabytes(size: int, limit: int) -> dict[str, int]:
    mega = 1024 * 1024
    return {"size": -(-size // mega), "limit": limit // mega}


def xlsx_rows(content: bytes) -> list[list[Any]]:
    """The non-empty rows of an XLSX file's first sheet (refused when too large unzipped)."""
    from openpyxl import load_workbook

    problem = _xlsx_size_problem(content)
    if problem is not None:
        raise import_error([problem])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise import_error(
            [FieldProblem("file", "Fichier XLSX illisible : {error}.", {"error": str(exc)})]
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            row = ["" if v is None else v for v in values]
            if any(str(v).strip() for v in row):
                rows.append(row)
            if len(rows) > MAX_ROWS:
                break
        return rows
    except Exception as exc:  # a damaged sheet inside a readable archive
        raise import_error(
            [FieldProblem("file", "Fichier XLSX illisible : {error}.", {"error": str(exc)})]
        ) from exc
    finally:
        workbook.close()


def _header(row: Iterable[Any]) -> tuple[dict[int, str], list[FieldProblem]]:
    columns: dict[int, str] = {}
    problems = []
    for index, title in enumerate(row):
        key = str(title).strip().lower().replace(" ", "_")
        name = COLUMNS.get(key)
        if name is None:
            if key:
                message = "Colonne inconnue « {title} »."
                problems.append(
                    FieldProblem(f"ligne 1, colonne {index + 1}", message, {"title": title})
                )
            continue
        if name in columns.values():
            message = "Colonne « {title} » en double."
            problems.append(
                FieldProblem(f"ligne 1, colonne {index + 1}", message, {"title": title})
            )
        columns[index] = name
    for name in REQUIRED:
        if name not in columns.values():
            problems.append(
                FieldProblem("ligne 1", "Colonne obligatoire absente : {name}.", {"name": name})
            )
    return columns, problems


def _from_rows(rows: list[list[Any]]) -> tuple[list[v1.Participant], list[str]]:
    """The participants of a CSV or XLSX sheet and the line of each (`ligne 4`)."""
    if not rows:
        raise import_error(
            [FieldProblem("file", "Fichier vide : une ligne d'en-tête est attendue.")]
        )
    if len(rows) > MAX_ROWS:
        raise import_error([FieldProblem("file", "Trop de lignes (20 000 au plus).")])
    columns, problems = _header(rows[0])
    if problems:
        raise import_error(problems)
    specs, places = [], []
    for number, row in enumerate(rows[1:], start=2):
        fields: dict[str, Any] = {}
        for index, name in columns.items():
            value = row[index] if index < len(row) else ""
            text = cell(value)
            if text == "":
                continue
            if name == "unavailable":
                parsed = _intervals(text)
                if parsed is None:
                    message = "Intervalles attendus : DÉBUT/FIN séparés par « ; »."
                    problems.append(FieldProblem(f"ligne {number}, colonne {name}", message))
                    continue
                fields[name] = parsed
            else:
                fields[name] = text
        try:
            specs.append(v1.Participant.model_validate(fields))
            places.append(f"ligne {number}")
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else "?"
                problems.append(pydantic_problem(f"ligne {number}, colonne {column}", error))
    if problems:
        raise import_error(problems)
    return specs, places


def cell(value: Any) -> str:
    """A sheet's cell as text (a whole float without its `.0`, a date in ISO form)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).strip()


def _intervals(text: str) -> list[dict[str, str]] | None:
    intervals = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        bounds = part.split("/")
        if len(bounds) != 2:
            return None
        intervals.append({"start": bounds[0].strip(), "end": bounds[1].strip()})
    return intervals
