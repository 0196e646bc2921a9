"""The participant's pages under its personal link: wishes, requests, agenda, languages."""

from __future__ import annotations

import io

from icalendar import Calendar
from pages_helpers import csrf_of, wishes_and_solve
from pypdf import PdfReader
from service_helpers import World, wait_for_job


def test_unknown_link_is_a_404_page(world: World) -> None:
    response = world.client.get("/p/not-a-real-token-at-all")
    assert response.status_code == 404
    assert "inconnu, révoqué ou expiré" in response.text and "<h1>Erreur</h1>" in response.text


def test_industrial_ranks_wishes_and_sees_the_confirmation(world: World) -> None:
    client, token = world.client, world.tokens["I1"]
    page = client.get(f"/p/{token}/wishes")
    assert page.status_code == 200
    assert 'name="rank:D1"' in page.text and 'name="rank:I2"' not in page.text
    assert '<label for="q">' in page.text
    form = {"csrf": csrf_of(page.text), "rank:D2": "1", "rank:D1": "2"}
    saved = client.post(f"/p/{token}/wishes", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("/wishes?done=saved")
    confirmation = client.get(saved.headers["location"]).text
    assert "Vos souhaits sont enregistrés." in confirmation
    assert confirmation.index("Nom D2, Org D2") < confirmation.index("Nom D1, Org D1")
    mine = client.get("/me/wishes", headers=world.me("I1")).json()["data"]
    assert [(w["to"], w["rank"]) for w in mine] == [("D2", 1), ("D1", 2)]


def test_wish_form_refuses_a_forged_post_and_over_the_limit(world: World) -> None:
    client, token = world.client, world.tokens["I1"]
    forged = client.post(f"/p/{token}/wishes", data={"csrf": "0" * 64, "rank:D1": "1"})
    assert forged.status_code == 403
    response = client.patch(world.url(), json={"max_wishes": 1}, headers=world.organiser)
    assert response.status_code == 200, response.text
    page = client.get(f"/p/{token}/wishes").text
    assert "Vous pouvez classer au plus 1 interlocuteur." in page
    refused = client.post(
        f"/p/{token}/wishes", data={"csrf": csrf_of(page), "rank:D1": "1", "rank:D2": "2"}
    )
    assert refused.status_code == 422 and "Trop de souhaits : 2 pour 1 au plus." in refused.text


def test_search_filters_the_directory_server_side(world: World) -> None:
    page = world.client.get(f"/p/{world.tokens['I1']}/wishes", params={"q": "d2"}).text
    assert 'name="rank:D2"' in page and 'name="rank:D1"' not in page


def test_director_accepts_and_declines_requests(world: World) -> None:
    client = world.client
    for code in ("I1", "I2"):
        client.put("/me/wishes", json={"wishes": [{"to": "D1"}]}, headers=world.me(code))
    token = world.tokens["D1"]
    page = client.get(f"/p/{token}/requests").text
    assert "Nom I1" in page and "Nom I2" in page and page.count("en attente") == 2
    requests = client.get("/me/requests", headers=world.me("D1")).json()["data"]
    by_name = {r["from_name"]: r["id"] for r in requests}
    token_value = csrf_of(page)
    client.post(
        f"/p/{token}/requests/{by_name['Nom I1']}",
        data={"csrf": token_value, "decision": "accepted"},
    )
    after = client.post(
        f"/p/{token}/requests/{by_name['Nom I2']}",
        data={"csrf": token_value, "decision": "declined"},
    ).text
    assert "ce rendez-vous ne sera pas programmé" in after
    decisions = {
        r["from_name"]: r["decision"]
        for r in client.get("/me/requests", headers=world.me("D1")).json()["data"]
    }
    assert decisions == {"Nom I1": "accepted", "Nom I2": "declined"}


def test_agenda_before_and_after_publication(world: World) -> None:
    client, token = world.client, world.tokens["D1"]
    assert "pas encore publié" in client.get(f"/p/{token}").text
    assert client.get(f"/p/{token}/agenda").status_code == 404
    version = wishes_and_solve(world)
    client.post(world.url(f"/schedules/{version}/publish"), headers=world.organiser)
    page = client.get(f"/p/{token}/agenda").text
    assert "<caption>Rendez-vous de Nom D1</caption>" in page
    assert "Nom I1" in page and "Nom I2" in page and "Version publiée le" in page
    assert f'href="/p/{token}/agenda/print"' in page
    printable = client.get(f"/p/{token}/agenda/print").text
    assert '<section class="agenda sheet"' in printable and f"/p/{token}/agenda" in printable
    pdf = client.get(f"/p/{token}/agenda.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Nom D1" in text and "Nom I1" in text and "page 1 / 1" in text
    feed = Calendar.from_ical(client.get(f"/p/{token}/agenda.ics").content)
    assert len(list(feed.walk("VEVENT"))) == 2


def test_pages_in_english_and_the_language_is_remembered(world: World) -> None:
    client, token = world.client, world.tokens["I1"]
    english = client.get(f"/p/{token}", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "My wishes" in english.text
    assert "Industrials" in english.text
    assert '<html lang="en">' in client.get(f"/p/{token}/wishes").text


def test_names_are_escaped_on_pages(world: World) -> None:
    client = world.client
    evil = "<script>alert(1)</script>"
    response = client.patch(
        world.url(f"/participants/{world.ids['D1']}"), json={"name": evil}, headers=world.organiser
    )
    assert response.status_code == 200, response.text
    page = client.get(f"/p/{world.tokens['I1']}/wishes").text
    assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_agenda_lists_the_requests_left_out_and_why(world: World) -> None:
    client = world.client
    for code in ("I1", "I2"):
        body = {"wishes": [{"to": "D1"}, {"to": "D2"}]}
        assert client.put("/me/wishes", json=body, headers=world.me(code)).status_code == 200
    requests = client.get("/me/requests", headers=world.me("D1")).json()["data"]
    from_i1 = next(r["id"] for r in requests if r["from"] == "I1")
    declined = client.put(
        f"/me/requests/{from_i1}", json={"decision": "declined"}, headers=world.me("D1")
    )
    assert declined.status_code == 200, declined.text
    started = client.post(world.url("/solves"), json={"time_limit": 5}, headers=world.organiser)
    job = wait_for_job(client, world.organiser, world.salon_id, started.json()["id"])
    client.post(world.url(f"/schedules/{job['schedule_version']}/publish"), headers=world.organiser)
    asker = client.get(f"/p/{world.tokens['I1']}/agenda").text
    unmet = asker[asker.index('id="unmet"') : asker.index("</table>", asker.index('id="unmet"'))]
    assert "Nom D1" in unmet and "Nom D2" not in unmet
    assert "La demande a été déclinée" in unmet
    asked = client.get(f"/p/{world.tokens['D1']}/agenda").text
    assert "Vous avez décliné cette demande" in asked and "Nom I1" in asked
    assert 'id="unmet"' not in client.get(f"/p/{world.tokens['I2']}/agenda").text
    english = client.get(f"/p/{world.tokens['I1']}/agenda", params={"lang": "en"}).text
    assert "Requests not scheduled" in english and "The request was declined" in english
