"""The salon's pages (`/o`, `/p`, the repair desk): their templates (templates/pages/), their
error page and `PageError`, the route class that shows it. The rest (rendering, forms, form
tokens, sign-in redirects and cookies) is api.web, shared with the catalogue's pages.

Pages are French first; `?lang=en` switches and is remembered in the `lang` cookie (shared with
the catalogue). A refused action shows an error page in the page's language, never a traceback.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from api import web
from api.errors import DomainError
from api.i18n import gettext, request_language


class PageError(DomainError):
    """A salon page cannot be shown or an action is refused: a French message (its parameters
    `%(name)s`, as the pages' texts) and an HTTP status."""

    def __init__(self, message: str, status: int = 400, **params: Any) -> None:
        super().__init__("page_refused", message, status=status, **params)

    def render(self, language: str) -> str:
        text = gettext(language, self.message)
        return text % self.params if self.params else text


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render templates/pages/<template> in the request's language (with the `done` notice of
    the last action, which the other language's link leaves out)."""
    done = request.query_params.get("done", "")
    return web.page(
        request, f"pages/{template}", status=status, forget=("done",), done=done, **context
    )


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    language = request_language(request)
    return page(
        request, "error.html", status=status, title=gettext(language, "Erreur"), message=message
    )


class PageRoute(web.HtmlRoute):
    """Salon pages: a refusal shows the error page (its message, then the input's problems); a
    request that does not validate is 'Adresse ou formulaire invalide.' (422)."""

    def error_page(self, request: Request, error: DomainError) -> Response:
        language = request_language(request)
        problems = [problem.render(language) for problem in error.problems]
        return error_page(request, " ".join([error.render(language), *problems]), error.status)

    def invalid_request(self, error: RequestValidationError) -> DomainError:
        return DomainError("invalid_request", "Adresse ou formulaire invalide.", status=422)
