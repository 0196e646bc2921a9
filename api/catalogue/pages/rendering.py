"""What the catalogue's pages share: their route class (a refusal is the catalogue's error
page), rendering in the request's language with the catalogue's labels and the notice of the
last action (`?done=`), and those labels.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from api import web
from api.catalogue.errors import invalid, problems_from_pydantic
from api.catalogue.forms import field_id
from api.catalogue.vocabulary import (
    ACCESSIBILITY,
    ATTENDANCE_MODES,
    AUDIENCES,
    LIVE_STATUSES,
    N_,
    STATES,
    WHEN,
)
from api.errors import DomainError
from api.i18n import gettext, request_language
from api.web import HtmlRoute

FACET_TITLES = {
    "day": N_("Date"),
    "region": N_("Région"),
    "departement": N_("Département"),
    "format": N_("Format"),
    "theme": N_("Thème"),
    "track": N_("Parcours"),
    "mode": N_("Modalité"),
    "audience": N_("Public"),
    "accessibility": N_("Accessibilité"),
}
AUDIT_ACTIONS = {
    "create": N_("Création"),
    "update": N_("Modification"),
    "submit": N_("Soumission"),
    "publish": N_("Publication"),
    "request_changes": N_("Demande de modifications"),
    "reject": N_("Refus"),
    "withdraw": N_("Retrait"),
    "load": N_("Chargement du fichier"),
    "duplicate": N_("Copie"),
}
NOTICES = {
    "saved": N_("L'événement est enregistré."),
    "submitted": N_("L'événement est soumis à la modération."),
    "withdrawn": N_("L'événement est retiré."),
    "duplicated": N_(
        "La copie est enregistrée comme brouillon : changez ses dates, son lieu ou son titre, "
        "puis soumettez-la."
    ),
    "published": N_("L'événement est publié."),
    "changes_requested": N_("Les modifications sont demandées au contributeur."),
    "rejected": N_("L'événement est refusé."),
    "signed_out": N_("Vous êtes déconnecté."),
}


class CataloguePageRoute(HtmlRoute):
    """The route class of every catalogue page router: a refusal shows the catalogue's error
    page (its message and the input's problems); a request that does not validate is refused in
    the catalogue's words."""

    def error_page(self, request: Request, error: DomainError) -> Response:
        return error_page(request, error)

    def invalid_request(self, error: RequestValidationError) -> DomainError:
        return invalid(problems_from_pydantic(list(error.errors())), code="invalid_request")


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render templates/catalogue/<template> in the request's language (api.web), with the
    catalogue's labels and the notice of the last action (`?done=`)."""
    return web.page(
        request,
        f"catalogue/{template}",
        status=status,
        labels={
            "states": STATES,
            "statuses": LIVE_STATUSES,
            "modes": ATTENDANCE_MODES,
            "audiences": AUDIENCES,
            "accessibility": ACCESSIBILITY,
            "when": WHEN,
            "facets": FACET_TITLES,
            "actions": AUDIT_ACTIONS,
        },
        notice=NOTICES.get(request.query_params.get("done", "")),
        field_id=field_id,
        **context,
    )


def error_page(request: Request, error: DomainError) -> HTMLResponse:
    """The catalogue's error page: the refusal's message and the input's problems."""
    language = request_language(request)
    return page(
        request,
        "error.html",
        status=error.status,
        title=gettext(language, "Erreur"),
        message=error.render(language),
        problems=[p.render(language) for p in error.problems],
    )
