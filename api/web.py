"""What every HTML page of the service shares: the salon's pages (`/o`, `/p`, the repair desk)
and the catalogue's (`/catalogue`).

- Rendering: `page` renders a template in the request's language with its language links;
  `?lang=en` switches and is remembered in the `lang` cookie (one for the whole site).
  `redirect` (303) and `url_with` make the links.
- Refusals: `HtmlRoute` is the route class of pages: a refusal (`DomainError`, api.errors)
  becomes the side's error page, never a traceback nor JSON; a page that needs a sign-in
  raises `SignInRequiredError(login_path)` and redirects there, `next` naming the page.
- Forms: `read_form` / `FormDep` read a posted form within limits (`MAX_FORM_FIELDS` fields of
  `MAX_FORM_FIELD_BYTES` at most; the body itself is capped before, by api.edge), `first` its
  first value of a name.
- Form tokens (CSRF): `csrf_token(secret)` is bound to the secret of whoever is signed in (an
  organiser's or a moderator's session id, a personal link, a contributor's session token);
  `check_csrf(form, secret)` refuses a form without it (403 `invalid_form_token`).
- Sign-in cookies: `set_sign_in_cookie` / `clear_sign_in_cookie`: HttpOnly, SameSite, Secure
  when served over HTTPS (`served_over_https`), on the part of the site that reads them.

Each side keeps what is its own: its templates and error page, which account a sign-in cookie
maps to (api.organisers.sessions, api.catalogue.accounts) and who may sign in.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Collection, Coroutine, Mapping, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from api.deps import request_settings
from api.errors import DomainError
from api.i18n import LANGUAGE_COOKIE, LANGUAGES, normalise_language, request_language
from api.rendering import render

YEAR = 365 * 24 * 3600
MAX_FORM_FIELDS = 1000
"""Fields of a posted form, at most (a participant's wishes form lists the other side)."""
MAX_FORM_FIELD_BYTES = 1024 * 1024
"""Bytes of one field of a posted form, at most."""
FORM_TOKEN_PURPOSE = b"salon-pages-form"


# ---------------------------------------------------------------- rendering


def url_with(path: str, params: Mapping[str, str] | Sequence[tuple[str, str]]) -> str:
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    query = urlencode(items)
    return f"{path}?{query}" if query else path


def language_links(request: Request, *, forget: Collection[str] = ()) -> dict[str, str]:
    """This page in each language: its query kept, but `lang` and the `forget` parameters."""
    params = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key != "lang" and key not in forget
    ]
    return {code: url_with(request.url.path, [*params, ("lang", code)]) for code in LANGUAGES}


def page(
    request: Request,
    template: str,
    *,
    status: int = 200,
    forget: Collection[str] = (),
    **context: Any,
) -> HTMLResponse:
    """templates/<template> in the request's language, given the page's `path` and its
    `language_links` (`forget`: query parameters the other language's link leaves out); a
    language chosen with `?lang=` is remembered in the `lang` cookie."""
    language = request_language(request)
    html = render(
        template,
        language,
        path=request.url.path,
        language_links=language_links(request, forget=forget),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    chosen = normalise_language(request.query_params.get("lang"))
    if chosen:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=YEAR, samesite="lax", path="/")
    return response


def redirect(path: str, **params: str) -> RedirectResponse:
    """See other (303): after a form, or to the sign-in page."""
    return RedirectResponse(url_with(path, params), status_code=303)


# ---------------------------------------------------------------- refusals


class SignInRequiredError(Exception):
    """The page needs someone signed in: redirect to `login_path` (`next` = this page)."""

    def __init__(self, login_path: str) -> None:
        super().__init__(login_path)
        self.login_path = login_path


class HtmlRoute(APIRoute):
    """The route class of pages: a refusal is answered by the side's `error_page` in the page's
    language (a request that does not validate is first refused in the side's words,
    `invalid_request`); a missing sign-in redirects to the sign-in page."""

    def error_page(self, request: Request, error: DomainError) -> Response:
        raise NotImplementedError

    def invalid_request(self, error: RequestValidationError) -> DomainError:
        raise NotImplementedError

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except SignInRequiredError as required:
                return redirect(required.login_path, next=request.url.path)
            except RequestValidationError as error:
                return self.error_page(request, self.invalid_request(error))
            except DomainError as error:
                return self.error_page(request, error)

        return handler


# -------------------------------------------------------------------- forms


async def read_form(request: Request) -> dict[str, list[str]]:
    """The posted form as {name: [values]} (files are read by the routes that take them); past
    `MAX_FORM_FIELDS` fields or `MAX_FORM_FIELD_BYTES` in one field, a 422 `invalid_request`
    (the side's error page)."""
    try:
        form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_FIELD_BYTES)
    except HTTPException as unreadable:
        if unreadable.status_code != 400:
            raise
        message = "Corps de la requête illisible : {detail}."
        raise DomainError(
            "invalid_request", message, status=422, detail=unreadable.detail
        ) from unreadable
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


FormDep = Annotated[dict[str, list[str]], Depends(read_form)]


def first(form: Mapping[str, Sequence[str]], name: str, default: str = "") -> str:
    """The form's first value of `name`, else `default`."""
    values = form.get(name) or [default]
    return values[0]


def csrf_token(secret: str) -> str:
    """The form token of whoever signed in with `secret` (pages put it in every form)."""
    return hmac.new(secret.encode("utf-8"), FORM_TOKEN_PURPOSE, hashlib.sha256).hexdigest()


def check_csrf(form: Mapping[str, Sequence[str]], secret: str) -> None:
    """Refuse (403 `invalid_form_token`) a form without the token bound to `secret`."""
    sent = first(form, "csrf").encode("utf-8")
    if not hmac.compare_digest(sent, csrf_token(secret).encode("ascii")):
        raise DomainError(
            "invalid_form_token",
            "Le formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.",
            status=403,
        )


def check_same_origin(request: Request) -> None:
    """Refuse (403 `cross_site_form`) a form that a browser posts from another site.

    For the sign-in forms, which carry no token (nobody is signed in yet): without this, another
    site could sign a visitor in under its own key or link (login CSRF). Browsers say where a
    form comes from (`Sec-Fetch-Site`, `Origin`); a client that sends neither is not a browser
    and gains nothing from it.
    """
    fetch_site = request.headers.get("sec-fetch-site", "")
    origin = request.headers.get("origin", "")
    if fetch_site in ("same-origin", "none") or (not fetch_site and not origin):
        return
    host = request.headers.get("host", "")
    if not fetch_site and origin != "null" and urlsplit(origin).netloc == host:
        return
    raise DomainError(
        "cross_site_form",
        "Ce formulaire a été envoyé depuis un autre site : ouvrez la page de connexion ici et "
        "recommencez.",
        status=403,
    )


# ----------------------------------------------------------- sign-in cookies


def served_over_https(request: Request) -> bool:
    """Over HTTPS: the request's scheme (proxy headers trusted by the server) or the public
    base URL's."""
    base_url = request_settings(request).base_url
    return request.url.scheme == "https" or base_url.startswith("https://")


def set_sign_in_cookie(
    response: Response,
    request: Request,
    name: str,
    value: str,
    *,
    path: str,
    max_age: float,
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    """Keep someone signed in on `path`: an HttpOnly cookie, Secure over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=int(max_age),
        httponly=True,
        samesite=samesite,
        secure=served_over_https(request),
        path=path,
    )


def clear_sign_in_cookie(
    response: Response,
    request: Request,
    name: str,
    *,
    path: str,
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    """Forget the sign-in cookie `name` of `path` (at sign-out)."""
    response.delete_cookie(
        name, path=path, httponly=True, samesite=samesite, secure=served_over_https(request)
    )
