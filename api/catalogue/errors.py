"""Domain errors of the catalogue: a code, a French message (translated on output), a status.

Routes turn them into `{"detail": {"code": ..., "message": ..., "errors": [...]}}` (409, 422,
404, 403 or 401); pages show the message next to the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from api.i18n import gettext


class Label(str):
    """A parameter that is itself a French text to translate (a state's name...)."""

    __slots__ = ()


def translate(language: str, message: str, params: Mapping[str, Any]) -> str:
    """The French template `message` in `language`, with its parameters filled in."""
    values = {
        key: gettext(language, value) if isinstance(value, Label) else value
        for key, value in params.items()
    }
    text = gettext(language, message)
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return message.format(**values)


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: its path (e.g. 'timings[0].end'), a French message and its parameters."""

    field: str
    message: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)

    def render(self, language: str) -> str:
        return translate(language, self.message, self.params)


class CatalogueError(Exception):
    """A refused request: bad input (422), conflict with the state (409), unknown (404)..."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 409,
        problems: Sequence[FieldProblem] = (),
        **params: Any,
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.problems = list(problems)
        self.params = params
        super().__init__(f"{code}: {message.format(**params) if params else message}")

    def render(self, language: str) -> str:
        return translate(language, self.message, self.params)

    def detail(self, language: str) -> dict[str, Any]:
        """The JSON body's `detail` in `language`."""
        body: dict[str, Any] = {"code": self.code, "message": self.render(language)}
        if self.problems:
            body["errors"] = [
                {"field": problem.field, "message": problem.render(language)}
                for problem in self.problems
            ]
        return body


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


def field_path(location: Sequence[int | str]) -> str:
    """('body', 'timings', 0, 'end') -> 'timings[0].end'."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "form"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def _shorten(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def problems_from_pydantic(errors: Sequence[Mapping[str, Any]]) -> list[FieldProblem]:
    """Pydantic's errors as field problems with French messages."""
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
        problems.append(FieldProblem(field_path(error.get("loc", ())), message, params))
    return problems
