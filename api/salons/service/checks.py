"""A salon/v1 document against its rules and the sizes the service accepts: a 422 listing every
problem, each named by its field (relative to the edited item when there is one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from api.errors import DomainError, FieldProblem
from scheduler import format as v1
from scheduler.loading import salon_problems


def problems_error(problems: Sequence[FieldProblem], code: str = "invalid_salon") -> DomainError:
    """A 422 listing every problem."""
    return DomainError(
        code,
        "Le salon ne serait plus valide : {count} problème(s).",
        status=422,
        problems=problems,
        count=len(problems),
    )


def check_document(document: v1.Salon, focus: str | None = None) -> None:
    """Refuse (422 invalid_salon) a salon that breaks a rule of salon/v1.

    `focus` is the JSON path of the edited item (e.g. `$.participants[3]`): its problems are
    reported relative to it, the way the request named the fields.
    """
    check_tables(document)
    problems = salon_problems(document)
    if problems:
        raise problems_error([_field_problem(p.path, p.message, focus) for p in problems])


def check_tables(document: v1.Salon) -> list[v1.TableSpec]:
    """The salon's tables (422 when too many, or when an id is empty), before other checks."""
    size_problems = salon_size_problems(document)
    if size_problems:
        raise problems_error(size_problems)
    try:
        return document.table_specs()
    except ValidationError as exc:  # e.g. tables: [""], which the core cannot make a table of
        raise problems_error(
            [FieldProblem("tables", "{text}", {"text": error["msg"]}) for error in exc.errors()]
        ) from exc


LIMITS = {"tables": 2_000, "sessions": 100, "participants": 20_000, "wishes": 500_000}


def salon_size_problems(document: v1.Salon) -> list[FieldProblem]:
    """Sizes the service accepts (a salon of 10^9 tables would only exhaust the server)."""
    sizes = {
        "tables": document.tables if isinstance(document.tables, int) else len(document.tables),
        "sessions": len(document.sessions),
        "participants": len(document.participants),
        "wishes": len(document.wishes),
    }
    return [
        FieldProblem(name, "Trop d'éléments : {max_length} au plus.", {"max_length": limit})
        for name, limit in LIMITS.items()
        if sizes[name] > limit
    ]


def _field_problem(path: str, message: str, focus: str | None) -> FieldProblem:
    if focus and path.startswith(focus):
        path = path[len(focus) :].lstrip(".") or "body"
    else:
        path = path.removeprefix("$.").removeprefix("$") or "body"
    return FieldProblem(path, "{text}", {"text": message})


def build_document(data: dict[str, Any]) -> v1.Salon:
    """A salon/v1 model from fields, with pydantic's complaints as a 422."""
    try:
        return v1.Salon.model_validate(data)
    except ValidationError as exc:
        problems = [
            FieldProblem(
                ".".join(str(p) for p in error["loc"]) or "body", "{text}", {"text": error["msg"]}
            )
            for error in exc.errors()
        ]
        raise problems_error(problems) from exc
