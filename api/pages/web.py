"""Shared machinery of the salon pages: language, rendering, errors as pages, forms, CSRF.

Pages are French first; `?lang=en` switches and is remembered in the `lang` cookie (shared with
the catalogue). A refused action shows an error page in the page's language, never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from api.errors import DomainError
from api.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    gettext,
    normalise_language,
    request_language,
)
from api.rendering import render

YEAR = 365 * 24 * 3600


class PageError(Exception):
    """A page cannot be shown or an action is refused: a French message and an HTTP status."""

    def __init__(self, message: str, status: int = 400, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.params = params

    def render(self, language: str) -> str:
        return (
            gettext(language, self.message) % self.params
            if self.params
            else gettext(language, self.message)
        )


class SignInRequiredError(Exception):
    """The organiser pages need the organiser's sign-in (redirect to the sign-in page)."""


def url_with(path: str, params: Mapping[str, str] | Sequence[tuple[str, str]]) -> str:
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    query = urlencode(items)
    return f"{path}?{query}" if query else path


def language_links(request: Request) -> dict[str, str]:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "done")]
    return {code: url_with(request.url.path, [*params, ("lang", code)]) for code in LANGUAGES}


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render templates/pages/<template> in the request's language."""
    language = request_language(request)
    html = render(
        f"pages/{template}",
        language,
        path=request.url.path,
        language_links=language_links(request),
        done=request.query_params.get("done", ""),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    chosen = normalise_language(request.query_params.get("lang"))
    if chosen:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=YEAR, samesite="lax", path="/")
    return response


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    language = request_language(request)
    return page(
        request, "error.html", status=status, title=gettext(language, "Erreur"), message=message
    )


def redirect(path: str, **params: str) -> RedirectResponse:
    return RedirectResponse(url_with(path, params), status_code=303)


class PageRoute(APIRoute):
    """Errors become an HTML page in the page's language; a missing sign-in redirects."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            language = request_language(request)
            try:
                return await original(request)
            except SignInRequiredError:
                return redirect("/o/login", next=request.url.path)
            except PageError as error:
                return error_page(request, error.render(language), error.status)
            except DomainError as error:
                problems = [p.render(language) for p in error.problems]
                message = " ".join([error.render(language), *problems])
                return error_page(request, message, error.status)
            except RequestValidationError:
                message = gettext(language, "Adresse ou formulaire invalide.")
                return error_page(request, message, 422)

        return handler


async def read_form(request: Request) -> dict[str, list[str]]:
    """The posted form as {name: [values]} (files are read by the routes that take them)."""
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


FormDep = Annotated[dict[str, list[str]], Depends(read_form)]


def first(form: Mapping[str, Sequence[str]], name: str, default: str = "") -> str:
    values = form.get(name) or [default]
    return values[0]


def csrf_token(secret: str) -> str:
    """The form token of a signed-in organiser or of a personal link (bound to its secret)."""
    return hmac.new(secret.encode("utf-8"), b"salon-pages-form", hashlib.sha256).hexdigest()


def check_csrf(form: Mapping[str, Sequence[str]], secret: str) -> None:
    if not hmac.compare_digest(first(form, "csrf"), csrf_token(secret)):
        raise PageError(
            "Le formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.",
            status=403,
        )
