"""The service's one family of errors (salon API and pages, repairs, catalogue) and how they read.

A refused request is a `DomainError` (or a subclass: the catalogue's `CatalogueError`, the
rate limits' `RateLimitedError`, the pages' `PageError`...): a machine-readable `code`, a French
message (translated with `Accept-Language: en`), a status (404, 409, 422, 401...), the
`FieldProblem`s of the input, headers. The app's handlers (api.app `install_error_handlers`)
answer every one the same way: `{"detail": {"code": ..., "message": ..., "errors": [{"field":
..., "message": ...}]}}`; the pages show the message on their error page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from pydantic import BaseModel

from api.i18n import gettext


class Label(str):
    """A parameter that is itself a French text to translate (a state's name...)."""

    __slots__ = ()


def translate(language: str, message: str, params: Mapping[str, Any]) -> str:
    """The French template `message` in `language`, with its parameters filled in (a `Label`
    parameter translated too)."""
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
    """One thing wrong with the input: where (a field path, a row) and a French sentence."""

    field: str
    message: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)
    english: str | None = None

    def render(self, language: str) -> str:
        if self.english is not None and language == "en":
            return self.english.format(**self.params)
        return translate(language, self.message, self.params)


class DomainError(Exception):
    """A refused request: its code, its French message and parameters, its HTTP status."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 409,
        problems: Sequence[FieldProblem] = (),
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.problems = list(problems)
        self.headers = dict(headers or {})
        self.params = params
        super().__init__(f"{code}: {translate('en', message, params)}")

    def render(self, language: str) -> str:
        return translate(language, self.message, self.params)

    def detail(self, language: str) -> dict[str, Any]:
        """The body's `detail` in `language`."""
        body: dict[str, Any] = {"code": self.code, "message": self.render(language)}
        if self.problems:
            body["errors"] = [
                {"field": problem.field, "message": problem.render(language)}
                for problem in self.problems
            ]
        return body


def not_found(message: str, **params: Any) -> DomainError:
    """404 for a resource that does not exist *or belongs to someone else* (no probing).

    `message` is a French sentence such as "Salon introuvable." or "Événement introuvable :
    {key}.".
    """
    return DomainError("not_found", message, status=404, **params)


def not_authenticated(message: str) -> DomainError:
    return DomainError("not_authenticated", message, status=401)


VALIDATION_MESSAGES: dict[str, str] = {
    "missing": "Ce champ est obligatoire.",
    "extra_forbidden": "Champ inconnu.",
    "string_too_long": "Texte trop long : {max_length} caractères au plus.",
    "string_too_short": "Texte trop court : {min_length} caractère(s) au moins.",
    "too_long": "Trop d'éléments : {max_length} au plus.",
    "too_short": "Au moins {min_length} élément(s) attendu(s).",
    "int_parsing": "Nombre entier attendu.",
    "int_type": "Nombre entier attendu.",
    "int_from_float": "Nombre entier attendu.",
    "float_parsing": "Nombre attendu.",
    "float_type": "Nombre attendu.",
    "number_type": "Nombre attendu, pas vrai ou faux.",
    "greater_than": "La valeur doit être supérieure à {gt}.",
    "greater_than_equal": "La valeur doit être au moins {ge}.",
    "less_than": "La valeur doit être inférieure à {lt}.",
    "less_than_equal": "La valeur doit être au plus {le}.",
    "literal_error": "Valeur inconnue (valeurs possibles : {expected}).",
    "bool_parsing": "Valeur oui/non attendue.",
    "bool_type": "Valeur oui/non attendue.",
    "string_type": "Texte attendu.",
    "datetime_parsing": "Date et heure invalides (par exemple 2023-11-28T09:30).",
    "datetime_from_date_parsing": "Date et heure invalides (par exemple 2023-11-28T09:30).",
    "datetime_type": "Date et heure invalides (par exemple 2023-11-28T09:30).",
    "date_parsing": "Date invalide (par exemple 2023-11-28).",
    "date_from_datetime_parsing": "Date invalide (par exemple 2023-11-28).",
    "date_from_datetime_inexact": "Date sans heure attendue (par exemple 2023-11-28).",
    "date_type": "Date invalide (par exemple 2023-11-28).",
    "time_parsing": "Heure invalide (par exemple 09:30).",
    "time_type": "Heure invalide (par exemple 09:30).",
    "list_type": "Liste attendue.",
    "model_type": "Objet attendu.",
    "model_attributes_type": "Objet attendu.",
    "dict_type": "Objet attendu.",
    "json_invalid": "Le corps de la requête n'est pas du JSON valide.",
    "value_error": "Valeur invalide : {error}.",
}




def field_path(location: Sequence[int | str], *, source: bool = True) -> str:
    """Where a validation error is: ('body', 'sessions', 0, 'start') -> 'body.sessions[0].start',
    or 'sessions[0].start' without its `source` (body, query, path, form)."""
    parts = list(location)
    if not source and parts and parts[0] in ("body", "query", "path", "form"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def pydantic_problem(field: str, error: Mapping[str, Any]) -> FieldProblem:
    """A pydantic error as a problem at `field`: a French sentence, pydantic's own in English."""
    params = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    message = VALIDATION_MESSAGES.get(str(error.get("type", "")))
    english = str(error.get("msg", "invalid value"))
    if message is None:
        message, params = "Valeur invalide : {detail}.", {"detail": english}
    return FieldProblem(
        field, message, params, english=english.replace("{", "{{").replace("}", "}}")
    )


# ---------------------------------------------------------------- OpenAPI schemas


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    errors: list[ErrorItem] | None = None


class ErrorRead(BaseModel):
    """The body of every refused request (except request validation, see HTTPValidationError)."""

    detail: ErrorBody


_DESCRIPTIONS = {
    401: "Not authenticated (missing, unknown, revoked or expired credentials)",
    404: "Unknown here (or belonging to another salon or participant)",
    409: "Refused by a rule of the salon (see `code`)",
    422: "Invalid input (see `code`, or the field path of each error)",
    429: "Too many at once: a quota of the organiser (see `code`)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting domain errors with ErrorRead."""
    return {
        status: {"model": ErrorRead, "description": _DESCRIPTIONS.get(status, "Error")}
        for status in statuses
    }
