"""The guided wish page: the window in the participant's words, the maximum, how ranks are used;
a rank given twice refused with a message (nothing saved, nothing moved, what was typed shown
again); a message the asked participant reads; the directory's count announced (aria-live)."""

from __future__ import annotations

import datetime as dt
import re

from pages_helpers import csrf_of
from service_helpers import World

from api.timestamps import utc_now


def selected_rank(html: str, code: str) -> str | None:
    select = re.search(rf'<select name="rank:{code}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no rank select for {code}"
    chosen = re.search(r'<option value="(\d*)" selected>', select.group(1))
    return chosen.group(1) if chosen else None


def test_the_page_states_the_window_its_deadline_the_maximum_and_how_ranks_count(
    world: World,
) -> None:
    client, token = world.client, world.tokens["I1"]
    deadline = (utc_now() + dt.timedelta(days=3, hours=1)).replace(microsecond=0)
    body = {"max_wishes": 10, "wish_deadline": deadline.isoformat() + "Z"}
    assert client.patch(world.url(), json=body, headers=world.organiser).status_code == 200
    page = client.get(f"/p/{token}/wishes").text
    assert "Les souhaits sont ouverts." in page
    assert "(heure : France), dans 3 jours." in page
    local = deadline.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert f"{local.hour} h {local.minute:02d}" in page  # Paris in winter: UTC + 1
    assert "Vous pouvez classer au plus 10 interlocuteurs." in page
    assert re.search(r"0 choisis? pour l'instant\.", page)
    assert "Chaque rang ne sert qu'une fois" in page and "premier tiers" in page
    assert page.count('<option value="10"') == 2 and '<option value="11"' not in page
    english = client.get(f"/p/{token}/wishes", params={"lang": "en"}).text
    assert "Wishes are open." in english and "(France Time), in 3 days." in english
    assert "You can rank at most 10 people." in english


def test_without_a_limit_the_page_states_the_ranks_it_offers(world: World) -> None:
    page = world.client.get(f"/p/{world.tokens['I1']}/wishes").text
    # Two directors to choose from: ten ranks offered (the least), and said.
    assert "Vous pouvez classer au plus 10 interlocuteurs." in page
    assert '<option value="10"' in page and '<option value="11"' not in page


def test_a_closed_window_and_a_passed_deadline_are_said_and_nothing_can_be_chosen(
    world: World,
) -> None:
    client, token = world.client, world.tokens["I1"]
    client.post(world.url("/wish-window/close"), headers=world.organiser)
    closed = client.get(f"/p/{token}/wishes").text
    assert "Les souhaits sont fermés" in closed
    assert '<select name="rank:D1" data-name="Nom D1" disabled>' in closed
    assert "Enregistrer mes souhaits" not in closed
    client.post(world.url("/wish-window/open"), headers=world.organiser)
    past = (utc_now() - dt.timedelta(hours=2)).replace(microsecond=0).isoformat() + "Z"
    client.patch(world.url(), json={"wish_deadline": past}, headers=world.organiser)
    passed = client.get(f"/p/{token}/wishes").text
    assert "La date limite des souhaits est passée" in passed
    assert '<select name="rank:D1" data-name="Nom D1" disabled>' in passed


def test_a_second_choice_at_rank_1_is_refused_with_both_names_and_nothing_moves(
    world: World,
) -> None:
    client, token = world.client, world.tokens["I1"]
    page = client.get(f"/p/{token}/wishes").text
    saved = client.post(
        f"/p/{token}/wishes", data={"csrf": csrf_of(page), "rank:D1": "1"}, follow_redirects=False
    )
    assert saved.status_code == 303
    page = client.get(f"/p/{token}/wishes").text
    refused = client.post(
        f"/p/{token}/wishes", data={"csrf": csrf_of(page), "rank:D1": "1", "rank:D2": "1"}
    )
    assert refused.status_code == 422
    assert "Vos souhaits n'ont pas été enregistrés." in refused.text
    assert "Le rang 1 est donné à plusieurs choix (Nom D1, Nom D2)" in refused.text
    assert 'role="alert"' in refused.text
    # What was typed is shown again, to be corrected; what was stored has not moved.
    assert selected_rank(refused.text, "D1") == "1" and selected_rank(refused.text, "D2") == "1"
    mine = client.get("/me/wishes", headers=world.me("I1")).json()["data"]
    assert [(w["to"], w["rank"]) for w in mine] == [("D1", 1)]


def test_a_message_goes_with_a_chosen_wish_and_the_director_reads_it(world: World) -> None:
    client, token = world.client, world.tokens["I1"]
    page = client.get(f"/p/{token}/wishes").text
    client.post(f"/p/{token}/wishes", data={"csrf": csrf_of(page), "rank:D2": "1"})
    page = client.get(f"/p/{token}/wishes").text
    assert 'name="message:D2"' in page and 'maxlength="300"' in page
    text = "Nos capteurs <durcis> pour la gendarmerie mobile"
    form = {"csrf": csrf_of(page), "rank:D2": "1", "message:D2": text}
    assert client.post(f"/p/{token}/wishes", data=form, follow_redirects=False).status_code == 303
    requests = client.get(f"/p/{world.tokens['D2']}/requests").text
    assert "Nos capteurs &lt;durcis&gt; pour la gendarmerie mobile" in requests
    assert "Message de Nom I1 :" in requests
    too_long = {"csrf": csrf_of(page), "rank:D2": "1", "message:D2": "x" * 301}
    refused = client.post(f"/p/{token}/wishes", data=too_long)
    assert refused.status_code == 422
    assert "Message trop long : 300 caractères au plus." in refused.text
    assert client.get("/me/wishes", headers=world.me("I1")).json()["data"][0]["message"] == text


def test_the_directory_count_is_right_after_filtering_and_announced(world: World) -> None:
    client, token = world.client, world.tokens["I1"]
    page = client.get(f"/p/{token}/wishes").text
    count = re.search(r'<p class="muted" id="directory-count"[^>]*>(.*?)</p>', page, re.S)
    assert count and count.group(1) == "2 personnes affichées sur 2"
    assert 'aria-live="polite"' in count.group(0)
    assert 'data-one="{n} personne affichée sur 2"' in count.group(0)
    assert 'data-count="#directory-count"' in page
    filtered = client.get(f"/p/{token}/wishes", params={"q": "d2"}).text
    assert "1 personne affichée sur 2" in filtered
