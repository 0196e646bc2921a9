"""api/web.py, what the salon's pages and the catalogue's pages share, seen from both sides: one
form reading (within its limits), one form token (CSRF), one sign-in redirect, one way to keep
someone signed in (HttpOnly cookies, Secure over HTTPS); refusals as each side's error page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from service_helpers import new_organiser, settings_for

from api.app import create_app
from api.catalogue import accounts
from api.web import MAX_FORM_FIELDS, csrf_token

SIGNED_OUT_FORMS = ("/o/login", "/catalogue/login", "/catalogue/moderation/login")


def _key(client: TestClient) -> str:
    return new_organiser(client)["Authorization"].removeprefix("Bearer ")


def _magic_link(client: TestClient, email: str = "agent@administration.example") -> str:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return accounts.issue_magic_link(session, email=email)


def _organiser_signed_in(client: TestClient) -> str:
    """Sign an organiser in on /o; the session cookie's value."""
    response = client.post("/o/login", data={"api_key": _key(client)}, follow_redirects=False)
    assert response.status_code == 303
    return str(response.cookies["salon_organiser"])


def _contributor_signed_in(client: TestClient) -> str:
    """Sign a contributor in on the catalogue's pages; the session cookie's value."""
    response = client.post(f"/catalogue/login/{_magic_link(client)}", follow_redirects=False)
    assert response.status_code == 303
    return str(response.cookies["catalogue_session"])


@pytest.mark.parametrize("path", SIGNED_OUT_FORMS)
def test_a_form_past_its_field_limit_is_an_error_page(client: TestClient, path: str) -> None:
    fields = {f"field{n}": "x" for n in range(MAX_FORM_FIELDS + 1)}
    response = client.post(path, data=fields)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Corps de la requête illisible" in response.text and "Traceback" not in response.text
    english = client.post(path, data=fields, headers={"Accept-Language": "en"})
    assert english.status_code == 422 and "Unreadable request body" in english.text
    assert client.post(path, data=dict(list(fields.items())[:MAX_FORM_FIELDS])).status_code < 500


def test_one_form_token_bound_to_each_sign_in(client: TestClient) -> None:
    organiser = _organiser_signed_in(client)
    assert f'value="{csrf_token(organiser)}"' in client.get("/o").text
    client.cookies.clear()
    contributor = _contributor_signed_in(client)
    assert f'value="{csrf_token(contributor)}"' in client.get("/catalogue/my").text
    key = _key(client)
    signed = client.post(
        "/catalogue/moderation/login", data={"api_key": key}, follow_redirects=False
    )
    moderator = str(signed.cookies["catalogue_moderator"])
    queue = client.get("/catalogue/moderation").text
    assert f'value="{csrf_token(moderator)}"' in queue and csrf_token(key) not in queue


@pytest.mark.parametrize("token", ["", "0" * 64, "é" * 64, "\u202e"])
def test_a_form_without_its_token_is_refused_on_both_sides(client: TestClient, token: str) -> None:
    """A missing, wrong or non-ASCII token: 403 and the side's error page (never a 500)."""
    _organiser_signed_in(client)
    salon = client.post("/o/logout", data={"csrf": token})
    _contributor_signed_in(client)
    catalogue = client.post("/catalogue/logout", data={"csrf": token})
    for refused in (salon, catalogue):
        assert refused.status_code == 403, refused.text[:300]
        assert "Le formulaire a expiré" in refused.text
    assert client.get("/o").status_code == 200  # still signed in on both sides
    assert client.get("/catalogue/my").status_code == 200


def test_pages_that_need_a_sign_in_redirect_with_next(client: TestClient) -> None:
    for path, login in (
        ("/o/salons/1", "/o/login"),
        ("/catalogue/my", "/catalogue/login"),
        ("/catalogue/moderation", "/catalogue/moderation/login"),
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"{login}?next={path.replace('/', '%2F')}"


def test_the_catalogue_api_answers_its_refusals_like_the_salon_api(client: TestClient) -> None:
    """One answer for every refusal: the app's handlers; the catalogue's 401 asks for Bearer."""
    anonymous = client.get("/catalogue/api/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["detail"]["code"] == "not_authenticated"
    used = client.post("/catalogue/api/auth/session", json={"token": "x" * 43})
    assert used.status_code == 401 and used.headers["www-authenticate"] == "Bearer"
    assert used.json()["detail"]["code"] == "invalid_link"
    invalid = client.post("/catalogue/api/auth/session", json={"token": 3})
    assert invalid.status_code == 422
    detail = invalid.json()["detail"]
    assert detail["code"] == "invalid_request" and detail["errors"][0]["field"] == "token"
    salon = client.post("/salons", json={}, headers=new_organiser(client))
    assert salon.status_code == 422 and set(salon.json()["detail"]) == set(detail)


def _cookie(response_headers: list[str], name: str) -> str:
    found = [header for header in response_headers if header.startswith(f"{name}=")]
    assert found, response_headers
    return found[0].lower()


@pytest.fixture
def https_client(database_url: str) -> Iterator[TestClient]:
    settings = settings_for(database_url, base_url="https://salon.example.org")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


@pytest.mark.parametrize("https", [False, True])
def test_sign_in_cookies(client: TestClient, https_client: TestClient, https: bool) -> None:
    """Every sign-in cookie: HttpOnly, on its part of the site, Secure over HTTPS only (the
    catalogue's API session too); deleted at sign-out with the same attributes."""
    web = https_client if https else client
    salon = web.post("/o/login", data={"api_key": _key(web)}, follow_redirects=False)
    page = web.post(f"/catalogue/login/{_magic_link(web)}", follow_redirects=False)
    api = web.post("/catalogue/api/auth/session", json={"token": _magic_link(web, "b@x.example")})
    moderator = web.post(
        "/catalogue/moderation/login", data={"api_key": _key(web)}, follow_redirects=False
    )
    cookies = [
        (_cookie(salon.headers.get_list("set-cookie"), "salon_organiser"), "/o", "lax"),
        (_cookie(page.headers.get_list("set-cookie"), "catalogue_session"), "/catalogue", "lax"),
        (_cookie(api.headers.get_list("set-cookie"), "catalogue_session"), "/catalogue", "lax"),
        (
            _cookie(moderator.headers.get_list("set-cookie"), "catalogue_moderator"),
            "/catalogue",
            "strict",
        ),
    ]
    for cookie, path, samesite in cookies:
        assert "httponly" in cookie and f"path={path}" in cookie, cookie
        assert f"samesite={samesite}" in cookie and ("secure" in cookie) == https, cookie
        assert re.search(r"max-age=\d{5,}", cookie), cookie
    token = csrf_token(str(moderator.cookies["catalogue_moderator"]))
    out = web.post("/catalogue/moderation/logout", data={"csrf": token}, follow_redirects=False)
    gone = _cookie(out.headers.get_list("set-cookie"), "catalogue_moderator")
    assert "max-age=0" in gone and ("secure" in gone) == https and "path=/catalogue" in gone


SIGN_IN_POSTS = (*SIGNED_OUT_FORMS, "/catalogue/login/x")
"""The forms posted before anyone is signed in: no form token, their origin checked instead."""


@pytest.mark.parametrize("path", SIGN_IN_POSTS)
@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://other.testserver"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
    ids=["cross-site", "same-site", "other-origin", "opaque-origin"],
)
def test_a_sign_in_posted_from_another_site_is_refused(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    """Login CSRF: another site cannot sign a visitor in under its own key or link."""
    key = _key(client)
    response = client.post(path, data={"api_key": key, "email": "a@b.example"}, headers=headers)
    assert response.status_code == 403
    assert "depuis un autre site" in response.text and "Traceback" not in response.text
    assert "set-cookie" not in {name.lower() for name in response.headers}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},
        {"Sec-Fetch-Site": "none"},
    ],
    ids=["no-browser", "same-origin", "same-origin-old-browser", "typed-by-hand"],
)
def test_a_sign_in_from_this_site_goes_through(client: TestClient, headers: dict[str, str]) -> None:
    organiser = client.post(
        "/o/login", data={"api_key": _key(client)}, headers=headers, follow_redirects=False
    )
    assert organiser.status_code == 303 and "salon_organiser" in organiser.cookies
    contributor = client.post(
        f"/catalogue/login/{_magic_link(client)}", headers=headers, follow_redirects=False
    )
    assert contributor.status_code == 303 and "catalogue_session" in contributor.cookies


def test_the_cross_site_refusal_in_english(client: TestClient) -> None:
    response = client.post(
        "/o/login",
        data={"api_key": "x"},
        headers={"Origin": "https://evil.example", "Accept-Language": "en"},
    )
    assert response.status_code == 403 and "sent from another site" in response.text
