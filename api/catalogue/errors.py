"""The catalogue's refusals: `CatalogueError`, a `DomainError` (api.errors) like every other.

One family of errors, one `FieldProblem` and one answer for the whole service: the app's
handlers (api.app) answer `{"detail": {"code": ..., "message": ..., "errors": [...]}}` (409,
422, 404, 403 or 401), the pages show the message next to the form or on their error page. What
is the catalogue's own: its codes and French messages, the 422 `invalid` listing every invalid
field, and its wording of pydantic's errors (`problems_from_pydantic`: the value given, the
field paths of its forms, 'timings[0].end').
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from api.errors import DomainError, FieldProblem, field_path


class CatalogueError(DomainError):
    """A refusal of the catalogue: bad input (422), conflict with the state (409), unknown
    (404)..."""


def invalid(problems: Sequence[FieldProblem], code: str = "invalid_event") -> CatalogueError:
    """A 422 listing every invalid field."""
    count = len(problems)
    if count == 1:
        return CatalogueError(code, "La saisie comporte une erreur.", status=422, problems=problems)
    return CatalogueError(
        code, "La saisie comporte {count} erreurs.", status=422, problems=problems, count=count
    )


def not_found(message: str, **params: Any) -> CatalogueError:
    """A 404 with a French message such as "Événement introuvable : {key}."."""
    return CatalogueError("not_found", message, status=404, **params)


PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "Ce champ est obligatoire.",
    "string_too_long": "Texte trop long : {max_length} caractères au plus.",
    "string_too_short": "Texte trop court : {min_length} caractère(s) au moins.",
    "too_long": "Trop d'éléments : {max_length} au plus.",
    "too_short": "Au moins {min_length} élément(s) attendu(s).",
    "literal_error": "Valeur inconnue : « {input} » (valeurs possibles : {expected}).",
    "enum": "Valeur inconnue : « {input} » (valeurs possibles : {expected}).",
    "datetime_parsing": "Date et heure invalides : « {input} » (par exemple 2023-11-14T09:30).",
    "datetime_from_date_parsing": (
        "Date et heure invalides : « {input} » (par exemple 2023-11-14T09:30)."
    ),
    "datetime_type": "Date et heure invalides : « {input} » (par exemple 2023-11-14T09:30).",
    "date_parsing": "Date invalide : « {input} » (par exemple 2023-11-14).",
    "date_from_datetime_parsing": "Date invalide : « {input} » (par exemple 2023-11-14).",
    "date_type": "Date invalide : « {input} » (par exemple 2023-11-14).",
    "int_parsing": "Nombre entier attendu : « {input} ».",
    "int_type": "Nombre entier attendu : « {input} ».",
    "int_from_float": "Nombre entier attendu : « {input} ».",
    "greater_than_equal": "La valeur doit être au moins {ge}.",
    "less_than_equal": "La valeur doit être au plus {le}.",
    "extra_forbidden": "Champ inconnu.",
    "string_type": "Texte attendu.",
    "control_character": (
        "Caractère invisible interdit (U+{code}) en position {position} : retirez-le."
    ),
    "bool_parsing": "Valeur oui/non attendue.",
    "bool_type": "Valeur oui/non attendue.",
    "string_pattern_mismatch": "Format invalide : lettres minuscules, chiffres et tirets.",
    "model_type": "Objet attendu.",
    "model_attributes_type": "Objet attendu.",
    "dict_type": "Objet attendu.",
    "list_type": "Liste attendue.",
    "json_invalid": "Le corps de la requête n'est pas du JSON valide.",
    "json_type": "Le corps de la requête n'est pas du JSON valide.",
}


def _shorten(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def problems_from_pydantic(errors: Sequence[Mapping[str, Any]]) -> list[FieldProblem]:
    """Pydantic's errors as field problems with the catalogue's French messages."""
    problems = []
    for error in errors:
        error_type = str(error.get("type", ""))
        context = dict(error.get("ctx") or {})
        if error_type == "string_too_short" and context.get("min_length") == 1:
            error_type = "missing"
        message = PYDANTIC_MESSAGES.get(error_type, "Valeur invalide.")
        params = {key: str(value) for key, value in context.items()}
        if "expected" in params:  # "'a', 'b' or 'c'" -> "a, b, c" (no English "or")
            params["expected"] = (
                ", ".join(re.findall(r"'([^']*)'", params["expected"])) or (params["expected"])
            )
        params["input"] = _shorten(error.get("input"))
        location = error.get("loc", ())
        problems.append(FieldProblem(field_path(location, source=False), message, params))
    return problems
