"""The role matrix of the salon pages: organiser pages (/o), the repair desk (/o/salons/{id}/
repair...), participant pages (/p/{token}) and their assets, every route x every role.

Roles and what each presents (a browser sends nothing else):
- anonymous: nothing; in a /p/ address, a well-formed token that is no link.
- the organiser of the salon, another organiser: signed in on /o/login (the cookie it sets),
  the form token of their pages; in a /p/ address, a token that is no link (an organiser's
  sign-in opens no participant page).
- the participant concerned (D1, to whom I1's request goes), another participant of the salon
  (D2): their link's token in the /p/ address (and as X-Participant-Token elsewhere), the form
  token of their pages.

Organiser pages send anyone not signed in to /o/login?next=<path> (303). What is not yours
answers 404, like what does not exist. Every form is posted twice: first without its token,
which must be refused whatever the role (403 once signed in, the sign-in redirect or the
unknown link's 404 before that), then with it; the sign-in forms take no token (they create no
state for a signed-in person; the key is the secret). SQLite only: the pages call the same
service layer as the API, whose matrix runs on both databases; here each case starts from a
copy of one world (a SQLite snapshot) built once, to afford the solve, repair and PDF it needs.
"""

from __future__ import annotations

import re
import time
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
    queued_solve_job,
    refusals_first,
    refused,
    save_snapshot,
    send,
    set_cookies,
)
from service_helpers import make_salon, new_organiser, settings_for, wait_for_job

from api.app import create_app
from api.auth import organiser_for_key
from api.dayof.codes import checkin_codes
from api.pages import prints
from api.repairs.forms import write_pending

ROLES = ("anonymous", "organiser", "other_organiser", "participant", "other_participant")
UNKNOWN_TOKEN = "NoSuchLinkToken0123456789abcdef"
EARLY = "2023-11-28T08:00:00"
CANCELLED_I1 = {"kind": "participant_cancelled", "participant": "I1"}


@dataclass(frozen=True)
class Case:
    """A route's expected answers per role (in the order of ROLES). A form's values are
    formatted with the world's and the role's values; `upload` posts it as multipart with a
    file (`salon`: a salon/v1 JSON, `participants`: a CSV)."""

    method: str
    path: str
    expected: tuple[Expect, ...]
    form: dict[str, str] | None = None
    no_token: tuple[Expect, ...] | None = None  # the same form without its token
    no_token_because: str = ""  # why a form takes no token
    upload: str = ""
    needs: str = ""  # "queued_job", "queued_print": a queued solve or print to cancel
    job: str = "solve"  # the {job_id}: the "solve" of version 1, or the finished "print"


SIGN_IN = Redirect("/o/login?{next}", sign_in=True)
PUBLIC = (200, 200, 200, 200, 200)
SIGNED = (SIGN_IN, 200, 200, SIGN_IN, SIGN_IN)
OWNER = (SIGN_IN, 200, 404, SIGN_IN, SIGN_IN)
FORBIDDEN = (SIGN_IN, 403, 403, SIGN_IN, SIGN_IN)  # any organiser form without its token
LINK = (404, 404, 404, 200, 200)
LINK_FORBIDDEN = (404, 404, 404, 403, 403)
LOGIN_FORM = "a sign-in form: the key is the secret, no session exists yet to protect"
NOBODY = (404, 404, 404, 404, 404)
PUBLIC_FORM = "the public registration form: nobody is signed in (cross-site posts, rate limit)"


def owner_posts(to: str, prefix: bool = False) -> tuple[Expect, ...]:
    """The organiser of the salon is redirected to `to`; another organiser gets 404."""
    return (SIGN_IN, Redirect(to, prefix=prefix), 404, SIGN_IN, SIGN_IN)


def organiser_form(path: str, expected: tuple[Expect, ...], **form: str) -> Case:
    return Case("POST", path, expected, {"csrf": "{csrf}", **form}, no_token=FORBIDDEN)


SALON = "/o/salons/{salon_id}"
SCHEDULE = SALON + "/schedules/{version}"
CASES = [
    Case("GET", "/assets/{name}", PUBLIC),
    # sign-in
    Case("GET", "/o/login", PUBLIC),
    Case(
        "POST",
        "/o/login",
        (401, Redirect("/o/salons/{salon_id}"), Redirect("/o/salons/{salon_id}"), 401, 401),
        {"api_key": "{api_key}", "next": SALON},
        no_token_because=LOGIN_FORM,
    ),
    organiser_form(
        "/o/logout", (SIGN_IN, Redirect("/o/login"), Redirect("/o/login"), SIGN_IN, SIGN_IN)
    ),
    # salons
    Case("GET", "/o", SIGNED),
    Case("GET", "/o/", SIGNED),
    Case(
        "POST",
        "/o/import",
        (SIGN_IN, Redirect("/o/salons/", prefix=True), Redirect("/o/salons/", prefix=True))
        + (SIGN_IN, SIGN_IN),
        {"csrf": "{csrf}"},
        no_token=FORBIDDEN,
        upload="salon",
    ),
    Case("GET", SALON, OWNER),
    Case(
        "POST",
        SALON + "/participants",
        owner_posts(SALON + "?done=participants", prefix=True),
        {"csrf": "{csrf}"},
        no_token=FORBIDDEN,
        upload="participants",
    ),
    Case(
        "POST",
        SALON + "/wishes",
        owner_posts(SALON + "?done=wishes", prefix=True),
        {"csrf": "{csrf}"},
        no_token=FORBIDDEN,
        upload="wishes",
    ),
    organiser_form(
        SALON + "/caps", owner_posts(SALON + "?done=caps"), director="14", industrial="6"
    ),
    organiser_form(
        SALON + "/labels",
        owner_posts(SALON + "?done=labels"),
        director="Acheteurs",
        industrial="Fournisseurs",
    ),
    organiser_form(SALON + "/priority", owner_posts(SALON + "?done=priority"), priority="fairness"),
    organiser_form(
        SALON + "/mails", owner_posts(SALON + "?done=mailed", prefix=True), kind="invitation"
    ),
    Case("GET", SALON + "/links.csv", OWNER),
    organiser_form(SALON + "/wish-window", owner_posts(SALON + "?done=closed"), open="0"),
    # solves
    organiser_form(SALON + "/solve", owner_posts(SALON + "/solves/", prefix=True), time_limit="1"),
    Case("GET", SALON + "/solves/{job_id}", OWNER),
    Case("GET", SALON + "/solves/{job_id}/progress", OWNER),
    Case(
        "POST",
        SALON + "/solves/{job_id}/cancel",
        owner_posts(SALON + "/solves/{job_id}"),
        {"csrf": "{csrf}"},
        no_token=FORBIDDEN,
        needs="queued_job",
    ),
    # schedules and documents
    Case("GET", SCHEDULE, OWNER),
    organiser_form(SCHEDULE + "/publish", owner_posts(SCHEDULE + "?done=published")),
    Case("GET", SCHEDULE + "/meetings.{fmt}", OWNER),
    Case("GET", SCHEDULE + "/agendas/{code}", OWNER),
    organiser_form(SCHEDULE + "/prints", owner_posts("/o/prints/", prefix=True), kind="grid"),
    Case("GET", "/o/prints/{job_id}", OWNER, job="print"),
    Case("GET", "/o/prints/{job_id}/progress", OWNER, job="print"),
    Case(
        "POST",
        "/o/prints/{job_id}/cancel",
        owner_posts("/o/prints/{job_id}"),
        {"csrf": "{csrf}"},
        no_token=FORBIDDEN,
        needs="queued_print",
    ),
    Case("GET", "/o/prints/{job_id}/file", OWNER, job="print"),
    # the repair desk
    Case("GET", SALON + "/repair", OWNER),
    organiser_form(
        SALON + "/repair/changes",
        owner_posts(SALON + "/repair?", prefix=True),
        kind="absent",
        participant="I1",
        pending="",
        now=EARLY,
    ),
    organiser_form(
        SALON + "/repair/changes/remove",
        owner_posts(SALON + "/repair?", prefix=True),
        pending=write_pending([CANCELLED_I1]),
        index="0",
        now=EARLY,
    ),
    organiser_form(
        SALON + "/repairs",
        owner_posts(SALON + "/repairs/", prefix=True),
        pending=write_pending([CANCELLED_I1]),
        now=EARLY,
    ),
    Case("GET", SALON + "/repairs/{repair_id}", OWNER),
    organiser_form(
        SALON + "/repairs/{repair_id}/publish",
        owner_posts(SALON + "/repairs/{repair_id}?done=published"),
    ),
    Case("GET", SALON + "/repairs/{repair_id}/agendas.pdf", OWNER),
    # the post-event report (tests/api/report/)
    Case("GET", SALON + "/report", OWNER),
    Case("GET", SALON + "/report.pdf", OWNER),
    Case("GET", SALON + "/report.xlsx", OWNER),
    # the room display (tests/api/display/): no role opens it without its secret link
    Case("GET", SALON + "/display", OWNER),
    Case("GET", "/display/{salon_id}/{token}", (404, 404, 404, 404, 404)),
    Case("GET", "/display/{salon_id}/{token}/state.json", (404, 404, 404, 404, 404)),
    Case("GET", "/assets/display/room.css", PUBLIC),
    Case("GET", "/assets/display/room.js", PUBLIC),
    # the day itself (tests/api/dayof/): the check-in desk, the tables' attendance (no role has a
    # table's secret key: 404 to all), a participant's confirmation (D1 of its meeting with I1)
    Case("GET", SALON + "/checkin", OWNER),
    organiser_form(
        SALON + "/checkin", owner_posts(SALON + "/checkin?who=D1", prefix=True), code="{checkin}"
    ),
    organiser_form(
        SALON + "/checkin/undo", owner_posts(SALON + "/checkin?done=undone"), participant="D1"
    ),
    Case("GET", SALON + "/checkin/{checkin}", OWNER),
    Case("GET", SALON + "/attendance/{table}", OWNER),
    organiser_form(
        SALON + "/attendance/{table}",
        owner_posts(SALON + "/attendance/{table}?done=marked"),
        **{"from": "I1", "to": "D1", "start": "{d1_i1_start}", "status": "held"},
    ),
    Case("GET", "/t/{salon_id}/{table}", NOBODY),
    Case(
        "POST",
        "/t/{salon_id}/{table}",
        NOBODY,
        {"csrf": "{csrf}", "from": "I1", "to": "D1", "start": "{d1_i1_start}", "status": "held"},
        no_token=NOBODY,
    ),
    Case("GET", "/p/{token}/attendance", LINK),
    Case(
        "POST",
        "/p/{token}/attendance",
        (404, 404, 404, Redirect("/p/{token}/attendance?done=marked"), 404),
        {"csrf": "{csrf}", "other": "I1", "start": "{d1_i1_start}", "status": "held"},
        no_token=LINK_FORBIDDEN,
    ),
    # participant pages
    Case("GET", "/p/{token}", LINK),
    Case("GET", "/p/{token}/wishes", LINK),
    Case(
        "POST",
        "/p/{token}/wishes",
        (404, 404, 404, Redirect("/p/{token}/wishes?done=saved"))
        + (Redirect("/p/{token}/wishes?done=saved"),),
        {"csrf": "{csrf}", "rank:I2": "1"},
        no_token=LINK_FORBIDDEN,
    ),
    Case("GET", "/p/{token}/requests", LINK),
    # feedback after a meeting (tests/api/feedback/): D1 on its meeting with I1, not D2's
    Case("GET", "/p/{token}/feedback", LINK),
    Case(
        "POST",
        "/p/{token}/feedback",
        (404, 404, 404, Redirect("/p/{token}/feedback?done=feedback#m-", prefix=True), 404),
        {"csrf": "{csrf}", "other": "I1", "start": "{d1_i1_start}", "rating": "4"},
        no_token=LINK_FORBIDDEN,
    ),
    Case(
        "POST",
        "/p/{token}/requests/{wish_id}",
        (404, 404, 404, Redirect("/p/{token}/requests?done=accepted"), 404),
        {"csrf": "{csrf}", "decision": "accepted"},
        no_token=LINK_FORBIDDEN,
    ),
    Case("GET", "/p/{token}/agenda", LINK),
    Case("GET", "/p/{token}/agenda/print", LINK),
    Case("GET", "/p/{token}/agenda.pdf", LINK),
    Case("GET", "/p/{token}/agenda.ics", LINK),
    # self-registration (tests/api/registration/): the world's salon takes none (404 to all)
    Case("GET", "/register/{salon_id}", NOBODY),
    Case(
        "POST",
        "/register/{salon_id}",
        NOBODY,
        {"name": "Camille", "email": "camille@example.org", "consent": "yes"},
        no_token_because=PUBLIC_FORM,
    ),
    Case("GET", SALON + "/registrations", OWNER),
    organiser_form(
        SALON + "/registrations/settings",
        owner_posts(SALON + "/registrations?done=settings"),
        enabled="yes",
        sides="industrial",
        consent="J'accepte.",
    ),
    organiser_form(
        SALON + "/registrations/decide",
        owner_posts(SALON + "/registrations?done=decided", prefix=True),
        decision="refuse",
        request="1",
    ),
    # profiles and suggestions (tests/api/profiles/, tests/api/suggestions/)
    Case("GET", "/p/{token}/profile", LINK),
    Case(
        "POST",
        "/p/{token}/profile",
        (404, 404, 404, Redirect("/p/{token}/profile?done=saved"))
        + (Redirect("/p/{token}/profile?done=saved"),),
        {"csrf": "{csrf}", "description": "Lasers"},
        no_token=LINK_FORBIDDEN,
    ),
    Case("GET", "/p/{token}/people/{code}", LINK),
    Case("GET", "/p/{token}/people/{code}/image", NOBODY),  # D1 has no image
    Case("GET", "/p/{token}/suggestions", LINK),
    Case("GET", SALON + "/profiles", OWNER),
    organiser_form(
        SALON + "/profiles/themes", owner_posts(SALON + "/profiles?done=themes"), themes="Radars"
    ),
    Case("GET", SALON + "/profiles.json", OWNER),
    Case(
        "POST",
        SALON + "/profiles/import",
        owner_posts(SALON + "/profiles?done=imported", prefix=True),
        {"csrf": "{csrf}"},
        no_token=FORBIDDEN,
        upload="profiles",
    ),
]


# ------------------------------------------------------------------ the world


def _day_values(client: TestClient, organiser: dict[str, str], salon_id: int) -> dict[str, str]:
    """D1's check-in code and the table of its meeting with I1 (api.dayof)."""
    people = client.get(
        f"/salons/{salon_id}/participants", params={"limit": 500}, headers=organiser
    ).json()["data"]
    meetings = client.get(f"/salons/{salon_id}/schedules/1", headers=organiser).json()["meetings"]
    table = next(m["table"] for m in meetings if {m["from"], m["to"]} == {"I1", "D1"})
    return {"checkin": checkin_codes(p["code"] for p in people)["D1"], "table": table}


@dataclass
class World:
    snapshot: Path
    outbox: Path
    values: dict[str, Any]
    roles: dict[str, Role]
    files: dict[str, tuple[str, bytes]]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, f"no form token in the page: {html[:300]}"
    return found.group(1)


def _signed_in(client: TestClient, headers: dict[str, str]) -> Role:
    """An organiser signed in on the pages: its cookie and form token."""
    key = headers["Authorization"].removeprefix("Bearer ")
    answer = send(client, "POST", "/o/login", headers={}, data={"api_key": key, "next": "/o"})
    assert answer.status_code == 303, answer.text[:300]
    cookies = set_cookies(answer)
    page = send(client, "GET", "/o", headers={}, cookies=cookies)
    assert page.status_code == 200, page.text[:300]
    return Role(cookies=cookies, values={"csrf": csrf_of(page.text), "api_key": key})


def _participant(client: TestClient, token: str) -> Role:
    page = send(client, "GET", f"/p/{token}/wishes", headers={})
    assert page.status_code == 200, page.text[:300]
    return Role(
        headers={"X-Participant-Token": token},
        values={"token": token, "csrf": csrf_of(page.text), "api_key": token},
    )


def _printed(client: TestClient, role: Role, salon_id: int) -> str:
    """A finished print job (the grid of version 1) of the organiser: its id."""
    answer = send(
        client,
        "POST",
        f"/o/salons/{salon_id}/schedules/1/prints",
        headers={},
        cookies=role.cookies,
        data={"csrf": role.values["csrf"], "kind": "grid"},
    )
    assert answer.status_code == 303, answer.text[:300]
    print_id = answer.headers["location"].removeprefix("/o/prints/")
    deadline = time.monotonic() + 60
    while True:
        progress = send(
            client, "GET", f"/o/prints/{print_id}/progress", headers={}, cookies=role.cookies
        ).json()
        if progress["state"] not in ("queued", "running") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert progress["state"] == "done", progress
    return print_id


@pytest.fixture(scope="module")
def world(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Salon A (D1, D2, I1..I3; I1 asks D1, I2 asks D2) solved, version 1 published, a draft
    repair (I1 cancelled), a finished print; salon B of another organiser; both signed in."""
    folder = tmp_path_factory.mktemp("pages-matrix")
    path = folder / "build.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    outbox = folder / "outbox"
    with TestClient(create_app(settings_for(url, outbox_dir=outbox))) as client:
        organiser = new_organiser(client)
        salon_id, _ids, tokens = make_salon(client, organiser)
        other = new_organiser(client)
        make_salon(client, other, name="Autre salon")
        links = {code: {"X-Participant-Token": token} for code, token in tokens.items()}
        for asker, asked in (("I1", "D1"), ("I2", "D2")):
            body = {"wishes": [{"to": asked}]}
            wished = client.put("/me/wishes", json=body, headers=links[asker])
            assert wished.status_code == 200, wished.text
        requests = client.get("/me/requests", headers=links["D1"])
        job = client.post(
            f"/salons/{salon_id}/solves", json={"time_limit": 2, "workers": 1}, headers=organiser
        ).json()
        assert wait_for_job(client, organiser, salon_id, job["id"])["state"] == "done"
        published = client.post(f"/salons/{salon_id}/schedules/1/publish", headers=organiser)
        assert published.status_code == 200, published.text
        repair = client.post(
            f"/salons/{salon_id}/repairs",
            json={"now": EARLY, "changes": [CANCELLED_I1]},
            headers=organiser,
        )
        assert repair.status_code == 201, repair.text
        exported = client.get(f"/salons/{salon_id}/export", headers=organiser)
        roles = {
            "anonymous": Role(values={"token": UNKNOWN_TOKEN, "csrf": "", "api_key": "salon_no"}),
            "organiser": _signed_in(client, organiser),
            "other_organiser": _signed_in(client, other),
            "participant": _participant(client, tokens["D1"]),
            "other_participant": _participant(client, tokens["D2"]),
        }
        for name in ("anonymous", "organiser", "other_organiser"):
            roles[name].values["token"] = UNKNOWN_TOKEN
        values = {
            "name": "pages.css",
            "salon_id": salon_id,
            "solve": job["id"],
            "version": 1,
            "fmt": "csv",
            "code": "D1",
            "repair_id": repair.json()["id"],
            "wish_id": requests.json()["data"][0]["id"],
            "d1_i1_start": next(
                m["start"]
                for m in client.get(
                    f"/salons/{salon_id}/schedules/1", headers=organiser
                ).json()["meetings"]
                if {m["from"], m["to"]} == {"I1", "D1"}
            ),
            "print": _printed(client, roles["organiser"], salon_id),
            **_day_values(client, organiser, salon_id),
        }
    snapshot = folder / "snapshot.db"
    save_snapshot(url, snapshot)
    files = {
        "salon": ("salon.json", exported.content),
        "participants": ("participants.csv", b"id,name\nN9,Nouvelle Venue\n"),
        "wishes": ("wishes.csv", b"from,to,message\nI3,D1,Bonjour\n"),
        "profiles": (
            "profiles.json",
            b'{"format": "profiles/v1", "profiles": [{"participant": "D1", "description": "x"}]}',
        ),
    }
    yield World(snapshot, outbox, values, roles, files)


# ------------------------------------------------------------------ the matrix


def _queued_print(client: TestClient, world: World) -> int:
    """A queued print (the grid of version 1) of the organiser, never handed to the runner."""
    key = world.roles["organiser"].values["api_key"]
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        organiser = organiser_for_key(session, key)
        assert organiser is not None
        job = prints.start_print(
            session,
            organiser=organiser,
            salon_id=world.values["salon_id"],
            version=1,
            document="grid",
            language="fr",
            settings=client.app.state.settings,  # type: ignore[attr-defined]
            submit=lambda job_id: None,
        )
        return job.id


def _ask(
    client: TestClient, world: World, case: Case, values: dict[str, Any], role: Role, token: bool
) -> Any:
    url = fill(case.path, values)
    kwargs: dict[str, Any] = {}
    if case.form is not None:
        form = {name: fill(value, values) for name, value in case.form.items()}
        if not token:
            form.pop("csrf")
        kwargs["data"] = form
    if case.upload:
        kwargs["files"] = {"file": world.files[case.upload]}
    return send(client, case.method, url, headers=role.headers, cookies=role.cookies, **kwargs)


def _run(
    client: TestClient,
    world: World,
    case: Case,
    values: dict[str, Any],
    expected: tuple[Expect, ...],
    token: bool,
) -> None:
    for index in refusals_first(expected):
        name = ROLES[index]
        role = world.roles[name]
        role_values = {**values, **role.values}
        response = _ask(client, world, case, role_values, role, token)
        label = f"{case.method} {case.path} as {name}" + ("" if token else " without form token")
        check(response, expected[index], label, role_values)
        if refused(expected[index]):
            assert "Nom D1" not in response.text, f"{label}: the refusal shows D1's name"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_route_for_every_role(world: World, case: Case, tmp_path: Path) -> None:
    with app_on_copy(world.snapshot, tmp_path, outbox_dir=world.outbox) as client:
        values = {**world.values, "job_id": world.values[case.job]}
        if case.needs == "queued_job":
            values["job_id"] = queued_solve_job(client, values["salon_id"])
        if case.needs == "queued_print":
            values["job_id"] = _queued_print(client, world)
        if case.no_token is not None:
            _run(client, world, case, values, case.no_token, token=False)
        _run(client, world, case, values, case.expected, token=True)


def test_every_form_says_what_it_answers_without_its_token() -> None:
    """Each posted page either is refused without its form token (for every role) or says why
    it takes none."""
    for case in CASES:
        if case.method != "POST":
            continue
        assert (case.no_token is None) != (not case.no_token_because), (
            f"{case.path}: give no_token (the answers without the form token) or the reason why "
            "it takes none"
        )
        assert case.no_token is None or all(refused(e) for e in case.no_token), case.path
