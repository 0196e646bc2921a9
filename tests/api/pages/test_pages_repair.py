"""The on-the-day repair pages (SQLite): the record page and its forms, the errors shown in the
forms (bad time, unknown participant, a change the schedule refuses), the repair's change
list, the people to tell, the waiting list, and the reprinted agendas of the people concerned.

The salon is the documents' tiny one (tests/api/repairs/repair_pages_helpers.py), published as
version 1; i1 is named `<script>alert('x')</script> Évelyne`.
"""

from __future__ import annotations

import ast
import io
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pages_helpers import sign_in
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "repairs"))
from repair_pages_helpers import EARLY, hidden, published_salon  # noqa: E402

from api.i18n import gettext  # noqa: E402
from api.repairs import forms, presenters  # noqa: E402

RAW_EVIL = "<script>alert('x')</script>"
ESCAPED_EVIL = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Évelyne"


class Desk:
    """A signed-in organiser on the repair page of a published salon."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.organiser, self.salon_id = published_salon(
            client, {"d1": "d1@example.org", "i1": "i1@example.org"}
        )
        self.csrf = sign_in(client, self.organiser)

    @property
    def record(self) -> str:
        return f"/o/salons/{self.salon_id}/repair"

    def add(self, kind: str, pending: str = "", now: str = EARLY, **fields: str) -> object:
        data = {"csrf": self.csrf, "kind": kind, "pending": pending, "now": now, **fields}
        return self.client.post(f"{self.record}/changes", data=data)

    def repair(self, pending: str, now: str = EARLY) -> object:
        data = {"csrf": self.csrf, "pending": pending, "now": now}
        return self.client.post(f"/o/salons/{self.salon_id}/repairs", data=data)


@pytest.fixture
def desk(client: TestClient) -> Desk:
    return Desk(client)


class Fields(HTMLParser):
    """Visible form fields (ids) and the ids labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []
        self.labelled: set[str] = set()
        self.unnamed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("input", "select", "textarea") and values.get("type") != "hidden":
            self.fields.append(values.get("id") or f"<{tag} name={values.get('name')}>")
        if tag == "label" and values.get("for"):
            self.labelled.add(str(values["for"]))


def unlabelled(html: str) -> list[str]:
    parser = Fields()
    parser.feed(html)
    return [f for f in parser.fields if f not in parser.labelled]


def test_record_page_has_a_labelled_form_per_kind_of_change(desk: Desk) -> None:
    response = desk.client.get(desk.record, params={"now": EARLY})
    assert response.status_code == 200
    page = response.text
    assert "Changements du jour" in page and "Le planning publié est la version 1." in page
    for kind in forms.FORMS:
        assert f'id="form-{kind}"' in page
    assert unlabelled(page) == []
    assert RAW_EVIL not in page and ESCAPED_EVIL in page  # in the participant lists
    assert f'href="/o/salons/{desk.salon_id}/repair" aria-current="page"' in page
    assert "Aucun changement noté pour l'instant." in page


def test_a_recorded_change_is_listed_in_words_escaped(desk: Desk) -> None:
    response = desk.add("absent", participant="i1")
    assert response.status_code == 200 and "done=added" in str(response.url)
    page = response.text
    assert "Changement noté." in page
    recorded = page[page.index('id="recorded"') :]
    assert f"<li>{ESCAPED_EVIL} ne vient pas" in recorded and RAW_EVIL not in page
    assert hidden(page, "pending") == '[{"kind":"participant_cancelled","participant":"i1"}]'
    # Late arrival: away from the day's first session to the arrival time.
    late = desk.add("late", pending=hidden(page, "pending"), participant="d2", time="09:30")
    assert late.status_code == 200, late.text[:300]
    assert "Bruno Directeur est absent de 9 h 00 à 9 h 30" in late.text
    removed = desk.client.post(
        f"{desk.record}/changes/remove",
        data={
            "csrf": desk.csrf,
            "pending": hidden(late.text, "pending"),
            "now": EARLY,
            "index": "0",
        },
    )
    assert removed.status_code == 200 and "Changement retiré de la liste." in removed.text
    assert (
        "Évelyne ne vient pas" not in removed.text and "Bruno Directeur est absent" in removed.text
    )


def field_error(page: str, field_id: str) -> str:
    start = page.index(f'id="{field_id}-error"')
    return page[page.index(">", start) + 1 : page.index("</p>", start)]


def test_a_bad_time_is_named_on_its_field(desk: Desk) -> None:
    response = desk.add("away", participant="d1", start="25:00", end="10:00")
    assert response.status_code == 422
    page = response.text
    assert field_error(page, "away-start") == (
        "Heure invalide : « 25:00 » (écrivez-la HH:MM, par exemple 11:20)."
    )
    assert 'aria-invalid="true" aria-describedby="away-start-error"' in page
    assert '<details class="change" id="form-away" open>' in page
    assert 'value="10:00"' in page  # what was typed stays
    backwards = desk.add("away", participant="d1", start="10:00", end="09:30")
    assert backwards.status_code == 422
    assert field_error(backwards.text, "away-end") == "La fin doit être après le début."
    english = desk.client.post(
        f"{desk.record}/changes?lang=en",
        data={
            "csrf": desk.csrf,
            "kind": "leaves",
            "pending": "",
            "now": EARLY,
            "participant": "d1",
            "time": "9h7",
        },
    )
    assert english.status_code == 422
    assert field_error(english.text, "leaves-time") == (
        "Invalid time: &#39;9h7&#39; (write it HH:MM, e.g. 11:20)."
    )


def test_an_unknown_participant_is_named_on_its_field(desk: Desk) -> None:
    response = desk.add("absent", participant="<b>ghost</b>")
    assert response.status_code == 422
    assert field_error(response.text, "absent-participant") == (
        "Participant inconnu : « &lt;b&gt;ghost&lt;/b&gt; »."
    )
    missing = desk.add("wish", **{"from": "i3", "to": ""})
    assert field_error(missing.text, "wish-to") == "Choisissez un participant."
    taken = desk.add("walk_in", code="i2", name="Doublon")
    assert field_error(taken.text, "walk_in-code") == (
        "Ce code est déjà celui d&#39;un participant : « i2 »."
    )


def test_changes_the_schedule_refuses_are_named_in_the_form(desk: Desk) -> None:
    # i3 and d1 never asked to meet: checked against the published schedule when added.
    never = desk.add("meeting", **{"from": "i3", "to": "d1"})
    assert never.status_code == 422
    assert "Ces deux participants n&#39;ont jamais demandé à se rencontrer." in never.text
    assert '<details class="change" id="form-meeting" open>' in never.text
    # A no-show is reported afterwards: at 8:00 the 9:00 meeting has not happened yet.
    future = desk.add("no_show", participant="i1", time="09:00")
    assert future.status_code == 422
    assert field_error(future.text, "no_show-time").startswith(
        "Cette heure est après l&#39;heure de la réparation"
    )
    # At 9:20 it has: i1 missed its 9:00 meeting, but had none at 9:45.
    held = desk.add("no_show", now="2023-11-28T09:20", participant="i1", time="09:00")
    assert held.status_code == 200, held.text[:500]
    assert "n'est pas venu à son rendez-vous de 9 h 00" in held.text
    none = desk.add("no_show", now="2023-11-28T10:00", participant="i3", time="09:00")
    text = none.text
    if none.status_code == 422:  # i3 has no meeting at 9:00 in this schedule
        assert field_error(text, "no_show-time") == (
            "Ce participant n&#39;a pas de rendez-vous à cette heure-là."
        )


def test_bad_posts_answer_pages_never_a_500(desk: Desk) -> None:
    tampered = desk.add("absent", pending="[{]", participant="d1")
    assert tampered.status_code == 422 and "illisible" in tampered.text
    unknown_kind = desk.add("teleport", participant="d1")
    assert unknown_kind.status_code == 422 and "Changement inconnu." in unknown_kind.text
    bad_now = desk.add("absent", now="hier", participant="d1")
    assert bad_now.status_code == 422 and "« hier »" in bad_now.text
    no_token = desk.client.post(
        f"{desk.record}/changes", data={"kind": "absent", "participant": "d1"}
    )
    assert no_token.status_code == 403
    get_tampered = desk.client.get(desk.record, params={"changes": '[{"kind":"x"}]'})
    assert get_tampered.status_code == 422 and "elle a été vidée" in get_tampered.text
    get_bad_now = desk.client.get(desk.record, params={"now": "28/11"})
    assert get_bad_now.status_code == 422
    assert field_error(get_bad_now.text, "now").startswith("Heure invalide")
    empty = desk.repair("")
    assert empty.status_code == 422 and "Notez d&#39;abord au moins un changement" in empty.text
    outsider = desk.client.get(f"/o/salons/{desk.salon_id + 1000}/repair")
    assert outsider.status_code == 404


def test_an_unpublished_salon_says_to_publish_first(client: TestClient, desk: Desk) -> None:
    import json

    from documents_helpers import salon_data

    response = client.post(
        "/salons/import",
        content=json.dumps(salon_data()),
        headers={**desk.organiser, "Content-Type": "application/json"},
    )
    salon_id = response.json()["id"]
    page = client.get(f"/o/salons/{salon_id}/repair").text
    assert "Aucun planning n'est publié" in page
    refused = client.post(
        f"/o/salons/{salon_id}/repair/changes",
        data={"csrf": desk.csrf, "kind": "absent", "participant": "d1", "pending": "", "now": ""},
    )
    assert refused.status_code == 409
    assert "Aucun planning publié à réparer : publiez d&#39;abord un planning." in refused.text


def test_the_repair_page_shows_changes_people_and_waiting_list(desk: Desk) -> None:
    added = desk.add("absent", participant="i1")
    repaired = desk.repair(hidden(added.text, "pending"))
    assert repaired.status_code == 200, repaired.text[:500]
    assert "/repairs/" in str(repaired.url)
    page = repaired.text
    assert RAW_EVIL not in page
    assert "Réparation faite : vérifiez les changements ci-dessous, puis publiez." in page
    rows = page[
        page.index('id="change-list"') : page.index("</table>", page.index('id="change-list"'))
    ]
    assert rows.count('<tr class="dropped">') == 2
    assert (
        f"{ESCAPED_EVIL} — Anne Directrice" in rows or f"Anne Directrice — {ESCAPED_EVIL}" in rows
    )
    assert "participant absent ou parti <code>participant_cancelled</code>" in rows
    people = page[page.index('id="people"') : page.index("</table>", page.index('id="people"'))]
    assert people.count('<tr><th scope="row">') == 3  # d1, d2, i1
    assert "d1@example.org" in people and "pas d'adresse : à prévenir sur place" in people
    assert "Liste d'attente" in page and 'id="waiting"' in page
    assert "Publier le planning réparé et prévenir les participants" in page
    english = desk.client.get(str(repaired.url.path), params={"lang": "en"}).text
    assert "Meetings that change" in english and "participant absent or gone" in english
    assert f"{ESCAPED_EVIL} does not come" in english


def test_the_changed_agendas_print_for_the_people_concerned_only(desk: Desk) -> None:
    added = desk.add("absent", participant="i1")
    repaired = desk.repair(hidden(added.text, "pending"))
    response = desk.client.get(f"{repaired.url.path}/agendas.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Anne Directrice" in text and "Bruno Directeur" in text and "Évelyne" in text
    outline = [item.title for item in PdfReader(io.BytesIO(response.content)).outline]
    assert sorted(outline) == sorted(["Anne Directrice", "Bruno Directeur", f"{RAW_EVIL} Évelyne"])


def _french_texts(path: Path) -> list[str]:
    """French texts given to gettext, FormProblem, PageError and the readers' fail()."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        strings = [
            a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if name in ("gettext", "PageError") and strings:
            found.append(strings[-1] if name == "gettext" else strings[0])
        elif name in ("fail", "FormProblem") and len(strings) >= 1:
            found.extend(s for s in strings if " " in s)
    return found


def test_every_text_of_the_repair_pages_has_its_english() -> None:
    root = Path(__file__).resolve().parents[3] / "api" / "repairs"
    texts = [t for name in ("pages.py", "forms.py") for t in _french_texts(root / name)]
    texts += list(forms.RULE_TEXTS.values())
    for labels in (presenters.KIND_LABELS, presenters.REASON_LABELS, presenters.FORM_TITLES):
        texts += list(labels.values())
    assert len(texts) > 60
    missing = [t for t in texts if gettext("en", t) == t and t != "%(text)s [%(rule)s]"]
    assert missing == []
