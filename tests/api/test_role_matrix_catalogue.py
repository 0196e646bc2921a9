"""The role matrix of the catalogue: its JSON API (/catalogue/api) and its pages (/catalogue),
every route x every role.

Roles and what each presents:
- anonymous: nothing (a magic-link token that is none, an API key that is none);
- the contributor of the event (C1), another contributor (C2): signed in by magic link, their
  session token as `Authorization: Bearer` on the API, the `catalogue_session` cookie and its
  form token on the pages; the event of the paths is C1's draft (C1's published event for the
  public routes);
- a moderator (an organiser): its API key as `Authorization: Bearer` on the API, the
  `catalogue_moderator` cookie (signed in on /catalogue/moderation/login) and its form token on
  the pages.

The API answers 401 to a missing or wrong sign-in and 404 for another contributor's event;
the pages send who is not signed in to /catalogue/login?next=<path> (contributors) or
/catalogue/moderation/login?next=<path> (moderation), 303. Every form is posted first without
its token: refused (403) for whoever is signed in, and the sign-in forms say why they take none.
SQLite only, from a snapshot, like tests/api/test_role_matrix_pages.py (the catalogue's own
tests run its service on both databases).
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from role_matrix import (
    Expect,
    Redirect,
    Role,
    app_on_copy,
    check,
    fill,
    refusals_first,
    refused,
    save_snapshot,
    send,
    set_cookies,
)
from service_helpers import settings_for

from api.app import create_app
from api.catalogue import accounts

sys.path.insert(0, str(Path(__file__).resolve().parent / "catalogue"))
from catalogue_helpers import (  # noqa: E402  (tests/api/catalogue, not a package)
    contributor_headers,
    create_event,
    csrf_of,
    event_payload,
    moderator_headers,
    publish,
    setup_catalogue,
)

ROLES = ("anonymous", "contributor", "other_contributor", "moderator")
SECRET_TITLE = "Brouillon confidentiel"


@dataclass(frozen=True)
class Case:
    """A route's expected answers per role (in the order of ROLES). `json` (API) or `form`
    (pages): their string values formatted with the world's and the role's values."""

    method: str
    path: str
    expected: tuple[Expect, ...]
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    no_token: tuple[Expect, ...] | None = None  # the same form without its token
    no_token_because: str = ""  # why a form takes no token
    event: str = "draft"  # the {event_id}: C1's "draft" or its "published" event
    slug: str = "climat"  # the {slug}: a track's, or an edition's, or a format's
    magic: bool = False  # each role's {token}: a fresh sign-in link token of its own, if any


PUBLIC = (200, 200, 200, 200)
CONTRIBUTORS = (401, 200, 200, 401)
OWNER = (401, 200, 404, 401)
MODERATOR = (401, 401, 401, 200)
MODERATOR_CREATES = (401, 401, 401, 201)
SIGN_IN = Redirect("/catalogue/login?{next}", sign_in=True)
MODERATION_SIGN_IN = Redirect("/catalogue/moderation/login?{next}", sign_in=True)
SIGNED_PAGE = (SIGN_IN, 200, 200, SIGN_IN)
OWNER_PAGE = (SIGN_IN, 200, 404, SIGN_IN)
CONTRIBUTOR_FORM = (SIGN_IN, 403, 403, SIGN_IN)
MODERATION_PAGE = (MODERATION_SIGN_IN, MODERATION_SIGN_IN, MODERATION_SIGN_IN, 200)
MODERATION_FORM = (MODERATION_SIGN_IN, MODERATION_SIGN_IN, MODERATION_SIGN_IN, 403)
SIGNED_OUT = Redirect("/catalogue/?done=signed_out")
LOGIN_FORM = "a sign-in form: the address or key is what it checks, no session exists yet"
EVENT_FORM = {
    "csrf": "{csrf}",
    "title": "Atelier au formulaire",
    "short_description": "Saisi dans la page.",
    "long_description": "Texte **Markdown**.",
    "format": "atelier",
    "themes": "Design",
    "keywords": "usagers",
    "timings-0-start": "2030-11-14T09:30",
    "timings-0-end": "2030-11-14T12:00",
    "attendance_mode": "on_site",
    "place_name": "Mairie",
    "place_address": "1 place de la Mairie",
    "postal_code": "69001",
    "commune": "Lyon",
    "departement": "69",
    "registration_email": "inscription@ville.example",
    "organizer_structure": "Ville de Lyon",
    "status": "scheduled",
}


def owner_posts(to: str, prefix: bool = False) -> tuple[Expect, ...]:
    return (SIGN_IN, Redirect(to, prefix=prefix), 404, SIGN_IN)


def moderator_posts(to: str) -> tuple[Expect, ...]:
    return (MODERATION_SIGN_IN, MODERATION_SIGN_IN, MODERATION_SIGN_IN, Redirect(to))


API = "/catalogue/api"
MY_EVENT = "/catalogue/my/events/{event_id}"
EDITION = {
    "slug": "mois-2031",
    "title": "Mois de l'innovation publique 2031",
    "starts_on": "2031-11-02",
    "ends_on": "2031-11-30",
    "submission_deadline": "2031-10-20T23:59:00+02:00",
}
CASES = [
    # the public API
    Case("GET", API + "/events", PUBLIC),
    Case("GET", API + "/events/{event_id}", PUBLIC, event="published"),
    Case("GET", API + "/tracks", PUBLIC),
    Case("GET", API + "/tracks/{slug}", PUBLIC),
    Case("GET", API + "/formats", PUBLIC),
    Case("GET", API + "/editions", PUBLIC),
    Case("GET", API + "/geography", PUBLIC),
    Case("GET", API + "/export/events.ics", PUBLIC),
    Case("GET", API + "/export/events.csv", PUBLIC),
    Case("GET", API + "/export/events.json", PUBLIC),
    Case("GET", API + "/feed.atom", PUBLIC),
    # contributors' sign-in and events
    Case("POST", API + "/auth/magic-link", (202, 202, 202, 202), json={"email": "{email}"}),
    Case(
        "POST", API + "/auth/session", (401, 200, 200, 401), json={"token": "{token}"}, magic=True
    ),
    Case("DELETE", API + "/auth/session", (401, 204, 204, 401)),
    Case("GET", API + "/me", CONTRIBUTORS),
    Case("GET", API + "/me/events", CONTRIBUTORS),
    Case("POST", API + "/me/events", (401, 201, 201, 401), json=event_payload()),
    Case("GET", API + "/me/events/{event_id}", OWNER),
    Case("PATCH", API + "/me/events/{event_id}", OWNER, json={"title": "Titre changé"}),
    Case("POST", API + "/me/events/{event_id}/duplicate", (401, 201, 404, 401)),
    Case("POST", API + "/me/events/{event_id}/{action}", OWNER),
    Case("GET", API + "/me/events/{event_id}/history", OWNER),
    # moderators (API key)
    Case("GET", API + "/moderation/queue", MODERATOR),
    Case("POST", API + "/moderation/events", MODERATOR_CREATES, json=event_payload()),
    Case("GET", API + "/moderation/events/{event_id}", MODERATOR),
    Case("PATCH", API + "/moderation/events/{event_id}", MODERATOR, json={"title": "Titre"}),
    Case("POST", API + "/moderation/events/{event_id}/{action}", MODERATOR),
    Case("GET", API + "/moderation/events/{event_id}/history", MODERATOR),
    Case("GET", API + "/moderation/stats", MODERATOR),
    Case("POST", API + "/moderation/editions", MODERATOR_CREATES, json=EDITION),
    Case(
        "PATCH",
        API + "/moderation/editions/{slug}",
        MODERATOR,
        json={"title": "Mois"},
        slug="mois-2030",
    ),
    Case(
        "POST",
        API + "/moderation/formats",
        MODERATOR_CREATES,
        json={"slug": "table-ronde", "label_fr": "Table ronde", "label_en": "Round table"},
    ),
    Case(
        "PATCH", API + "/moderation/formats/{slug}", MODERATOR, json={"position": 9}, slug="atelier"
    ),
    Case(
        "POST",
        API + "/moderation/tracks",
        MODERATOR_CREATES,
        json={"slug": "sobriete", "title": "Sobriété", "edition": "{edition}"},
    ),
    Case("PATCH", API + "/moderation/tracks/{slug}", MODERATOR, json={"title": "Climat"}),
    # public pages
    Case("GET", "/catalogue", PUBLIC),
    Case("GET", "/catalogue/", PUBLIC),
    Case("GET", "/catalogue/events/{event_id}", PUBLIC, event="published"),
    Case("GET", "/catalogue/guide", PUBLIC),
    Case("GET", "/catalogue/tracks/{slug}", PUBLIC),
    # contributors' pages
    Case("GET", "/catalogue/login", PUBLIC),
    Case(
        "POST", "/catalogue/login", PUBLIC, form={"email": "{email}"}, no_token_because=LOGIN_FORM
    ),
    Case("GET", "/catalogue/login/{token}", PUBLIC, magic=True),
    Case(
        "POST",
        "/catalogue/login/{token}",
        (401, Redirect("/catalogue/my"), Redirect("/catalogue/my"), 401),
        magic=True,
        no_token_because="the one-time link's token in the address is the secret",
    ),
    Case(
        "POST",
        "/catalogue/logout",
        (SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT),
        form={"csrf": "{csrf}"},
        no_token=(SIGNED_OUT, 403, 403, SIGNED_OUT),  # no contributor session: nothing to end
    ),
    Case("GET", "/catalogue/my", SIGNED_PAGE),
    Case("GET", "/catalogue/my/events/new", SIGNED_PAGE),
    Case(
        "POST",
        "/catalogue/my/events/new",
        (SIGN_IN, Redirect("/catalogue/my/events/", prefix=True))
        + (Redirect("/catalogue/my/events/", prefix=True), SIGN_IN),
        form=EVENT_FORM,
        no_token=CONTRIBUTOR_FORM,
    ),
    Case("GET", MY_EVENT, OWNER_PAGE),
    Case(
        "POST",
        MY_EVENT,
        owner_posts(MY_EVENT + "?done=saved"),
        form=EVENT_FORM,
        no_token=CONTRIBUTOR_FORM,
    ),
    Case(
        "POST",
        MY_EVENT + "/duplicate",
        owner_posts("/catalogue/my/events/", prefix=True),
        form={"csrf": "{csrf}"},
        no_token=CONTRIBUTOR_FORM,
    ),
    Case(
        "POST",
        MY_EVENT + "/{action}",
        owner_posts(MY_EVENT + "?done=submitted"),
        form={"csrf": "{csrf}"},
        no_token=CONTRIBUTOR_FORM,
    ),
    # moderators' pages
    Case("GET", "/catalogue/moderation/login", PUBLIC),
    Case(
        "POST",
        "/catalogue/moderation/login",
        (401, 401, 401, Redirect("/catalogue/moderation")),
        form={"api_key": "{api_key}"},
        no_token_because=LOGIN_FORM,
    ),
    Case(
        "POST",
        "/catalogue/moderation/logout",
        moderator_posts("/catalogue/?done=signed_out"),
        form={"csrf": "{csrf}"},
        no_token=MODERATION_FORM,
    ),
    Case("GET", "/catalogue/moderation", MODERATION_PAGE),
    Case("GET", "/catalogue/moderation/events/{event_id}", MODERATION_PAGE),
    Case(
        "POST",
        "/catalogue/moderation/events/{event_id}",
        moderator_posts("/catalogue/moderation/events/{event_id}?done=saved"),
        form=EVENT_FORM,
        no_token=MODERATION_FORM,
    ),
    Case(
        "POST",
        "/catalogue/moderation/events/{event_id}/decision",
        moderator_posts("/catalogue/moderation?done=submitted"),
        form={"csrf": "{csrf}", "decision": "submit"},
        no_token=MODERATION_FORM,
    ),
]


# ------------------------------------------------------------------ the world


@dataclass
class World:
    snapshot: Path
    outbox: Path
    values: dict[str, Any]
    roles: dict[str, Role]


def _contributor(client: TestClient, outbox: Path, email: str) -> Role:
    headers = contributor_headers(client, outbox, email)
    token = headers["Authorization"].removeprefix("Bearer ")
    cookies = {"catalogue_session": token}
    page = send(client, "GET", "/catalogue/my", headers={}, cookies=cookies)
    assert page.status_code == 200, page.text[:300]
    values = {"email": email, "csrf": csrf_of(page.text), "api_key": token}
    return Role(headers, cookies, values)


def _moderator(client: TestClient) -> Role:
    headers = moderator_headers(client, "moderatrice@example.org")
    key = headers["Authorization"].removeprefix("Bearer ")
    answer = send(client, "POST", "/catalogue/moderation/login", headers={}, data={"api_key": key})
    assert answer.status_code == 303, answer.text[:300]
    cookies = set_cookies(answer)
    page = send(client, "GET", "/catalogue/moderation", headers={}, cookies=cookies)
    assert page.status_code == 200, page.text[:300]
    values = {"email": "moderatrice@example.org", "csrf": csrf_of(page.text), "api_key": key}
    return Role(headers, cookies, values)


@pytest.fixture(scope="module")
def world(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The tests' edition, formats and tracks; C1's published event and draft; C2; a moderator,
    each signed in."""
    folder = tmp_path_factory.mktemp("catalogue-matrix")
    path = folder / "build.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    outbox = folder / "outbox"
    with TestClient(create_app(settings_for(url, outbox_dir=outbox))) as client:
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            setup_catalogue(session)
        roles = {
            "anonymous": Role(values={"email": "inconnu@example.org", "csrf": "", "api_key": "x"}),
            "contributor": _contributor(client, outbox, "c1@administration.example"),
            "other_contributor": _contributor(client, outbox, "c2@administration.example"),
            "moderator": _moderator(client),
        }
        owner, moderator = roles["contributor"].headers, roles["moderator"].headers
        published = create_event(client, owner)
        publish(client, moderator, published["id"], owner)
        draft = create_event(client, owner, title=SECRET_TITLE)
    save_snapshot(url, folder / "snapshot.db")
    values = {
        "published": published["id"],
        "draft": draft["id"],
        "edition": "mois-2030",
        "action": "submit",
    }
    yield World(folder / "snapshot.db", outbox, values, roles)


# ------------------------------------------------------------------ the matrix


def _magic(client: TestClient, name: str, role: Role) -> str:
    """A fresh sign-in link token of the role's own (a contributor's), else what it holds."""
    if name not in ("contributor", "other_contributor"):
        return role.values["api_key"] if name == "moderator" else secrets.token_urlsafe(32)
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return accounts.issue_magic_link(session, email=role.values["email"])


def _run(
    client: TestClient,
    world: World,
    case: Case,
    expected: tuple[Expect, ...],
    token: bool,
) -> None:
    api = case.path.startswith(API)
    for index in refusals_first(expected):
        name = ROLES[index]
        role = world.roles[name]
        values = {
            **world.values,
            **role.values,
            "event_id": world.values[case.event],
            "slug": case.slug,
        }
        if case.magic:
            values["token"] = _magic(client, name, role)
        kwargs: dict[str, Any] = {}
        if case.json is not None:
            kwargs["json"] = {
                key: fill(value, values) if isinstance(value, str) else value
                for key, value in case.json.items()
            }
        if case.form is not None:
            form = {key: fill(value, values) for key, value in case.form.items()}
            kwargs["data"] = form if token else {k: v for k, v in form.items() if k != "csrf"}
        response = send(
            client,
            case.method,
            fill(case.path, values),
            headers=role.headers if api else {},
            cookies=None if api else role.cookies,
            **kwargs,
        )
        label = f"{case.method} {case.path} as {name}" + ("" if token else " without form token")
        check(response, expected[index], label, values)
        if refused(expected[index]):
            assert SECRET_TITLE not in response.text, f"{label}: the refusal shows the draft"
        if api and response.status_code >= 400:
            detail = response.json()["detail"]
            assert detail["code"] and detail["message"], f"{label}: {detail}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_route_for_every_role(world: World, case: Case, tmp_path: Path) -> None:
    with app_on_copy(world.snapshot, tmp_path, outbox_dir=world.outbox) as client:
        if case.no_token is not None:
            _run(client, world, case, case.no_token, token=False)
        _run(client, world, case, case.expected, token=True)


def test_every_form_says_what_it_answers_without_its_token() -> None:
    """Each posted page either answers without its form token (a refusal, or the same answer
    for a role with no session to protect) or says why it takes none."""
    for case in CASES:
        if case.method != "POST" or case.path.startswith(API):
            continue
        assert (case.no_token is None) != (not case.no_token_because), case.path
        if case.no_token is not None:
            for without, given in zip(case.no_token, case.expected, strict=True):
                assert refused(without) or without == given, case.path
