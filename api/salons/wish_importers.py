"""Wish files: CSV and XLSX sheets of wishes, read like the participants' files (api.salons.
importers: the same encodings, delimiters, size limits and all-or-nothing refusal).

A header row first; column names are case-insensitive, French names are accepted:

| column              | also                   | content                                       |
|---------------------|------------------------|-----------------------------------------------|
| `from` (required)   | `de`, `demandeur`      | the code of the participant who asks          |
| `to` (required)     | `a`, `à`, `demande`    | the code of the participant asked             |
| `priority`          | `priorite`, `priorité` | 1 (most wanted) .. 3, default 2               |
| `required`          | `obligatoire`          | oui/non, yes/no, true/false, 1/0, x (default no) |
| `message`           |                        | a short message the asked participant reads   |

Every problem is reported with its line and column (`ligne 4, colonne to`); nothing is
imported when one is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from api.errors import FieldProblem, pydantic_problem
from api.salons.importers import MAX_BYTES, MAX_ROWS, cell, csv_rows, import_error, xlsx_rows
from api.salons.rules import nul_character_fields
from api.salons.schemas import MAX_MESSAGE
from scheduler import format as v1

COLUMNS: dict[str, str] = {
    "from": "from",
    "de": "from",
    "demandeur": "from",
    "to": "to",
    "a": "to",
    "à": "to",
    "demande": "to",
    "demandé": "to",
    "priority": "priority",
    "priorite": "priority",
    "priorité": "priority",
    "required": "required",
    "obligatoire": "required",
    "requis": "required",
    "message": "message",
}
REQUIRED = ("from", "to")
YES = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1", "x"})
NO = frozenset({"non", "n", "no", "false", "faux", "0"})


@dataclass(frozen=True)
class ImportedWish:
    """One line of a wish file: its salon/v1 wish, its message and where it was (`ligne 4`)."""

    spec: v1.Wish
    message: str
    place: str


def read_wishes(content: bytes, fmt: str) -> list[ImportedWish]:
    """Parse a CSV or XLSX wish file; raise a 422 `invalid_import` listing every problem."""
    if len(content) > MAX_BYTES:
        raise import_error([FieldProblem("file", "Fichier trop volumineux (10 Mo au plus).")])
    if fmt not in ("csv", "xlsx"):
        message = "Les souhaits s'importent d'un fichier CSV ou XLSX (colonnes from, to…)."
        raise import_error([FieldProblem("file", message)])
    rows = csv_rows(content) if fmt == "csv" else xlsx_rows(content)
    if not rows:
        raise import_error(
            [FieldProblem("file", "Fichier vide : une ligne d'en-tête est attendue.")]
        )
    if len(rows) > MAX_ROWS:
        raise import_error([FieldProblem("file", "Trop de lignes (20 000 au plus).")])
    columns, problems = header(rows[0])
    if problems:
        raise import_error(problems)
    wishes: list[ImportedWish] = []
    for number, row in enumerate(rows[1:], start=2):
        fields = {name: cell(row[i]) if i < len(row) else "" for i, name in columns.items()}
        wish = line_wish(fields, f"ligne {number}", problems)
        if wish is not None:
            wishes.append(wish)
    problems.extend(repeated_pairs(wishes))
    if problems:
        raise import_error(problems)
    return wishes


def header(row: list[Any]) -> tuple[dict[int, str], list[FieldProblem]]:
    """The column of each index, and what is wrong with the header row."""
    columns: dict[int, str] = {}
    problems = []
    for index, title in enumerate(row):
        key = str(title).strip().lower().replace(" ", "_")
        name = COLUMNS.get(key)
        where = f"ligne 1, colonne {index + 1}"
        if name is None:
            if key:
                message = "Colonne inconnue « {title} »."
                problems.append(FieldProblem(where, message, {"title": title}))
        elif name in columns.values():
            problems.append(FieldProblem(where, "Colonne « {title} » en double.", {"title": title}))
        else:
            columns[index] = name
    for name in REQUIRED:
        if name not in columns.values():
            problems.append(
                FieldProblem("ligne 1", "Colonne obligatoire absente : {name}.", {"name": name})
            )
    return columns, problems


def line_wish(
    fields: dict[str, str], place: str, problems: list[FieldProblem]
) -> ImportedWish | None:
    """The wish of one line, or None with its problems added (each naming line and column)."""
    found = len(problems)
    data: dict[str, Any] = {"from": fields.get("from", ""), "to": fields.get("to", "")}
    if fields.get("priority"):
        data["priority"] = fields["priority"]
    required = fields.get("required", "").strip().lower()
    if required in YES or required in NO:
        data["required"] = required in YES
    elif required:
        message = "Oui ou non attendu (oui, non, yes, no, true, false, 1, 0, x)."
        problems.append(FieldProblem(f"{place}, colonne required", message))
    text = fields.get("message", "")
    if len(text) > MAX_MESSAGE:
        message = "Message trop long : {length} caractères ({limit} au plus)."
        params = {"length": len(text), "limit": MAX_MESSAGE}
        problems.append(FieldProblem(f"{place}, colonne message", message, params))
    problems.extend(
        FieldProblem(f"{place}, colonne {name}", "Caractère nul (binaire).")
        for name in nul_character_fields({**data, "message": text})
    )
    try:
        spec = v1.Wish.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else "?"
            problems.append(pydantic_problem(f"{place}, colonne {column}", error))
        return None
    return None if len(problems) > found else ImportedWish(spec, text, place)


def repeated_pairs(wishes: list[ImportedWish]) -> list[FieldProblem]:
    """A wish (same asker, same asked) appears once in a file (else which line wins is a guess)."""
    first: dict[tuple[str, str], str] = {}
    problems = []
    for wish in wishes:
        key = (wish.spec.from_, wish.spec.to)
        if key in first:
            message = "Souhait {asker} → {asked} en double (déjà : {first})."
            params = {"asker": key[0], "asked": key[1], "first": first[key]}
            problems.append(FieldProblem(wish.place, message, params))
        else:
            first[key] = wish.place
    return problems
