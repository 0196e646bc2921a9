"""Profiles through the pages, on SQLite and PostgreSQL: a participant edits its own through its
personal link (Markdown sanitised, keywords, themes from the salon's list, links, an image
re-encoded), until the wishes close; who may read whose page; the organiser's themes and the
profiles/v1 export and import (all or none, problems at their JSON paths)."""

from __future__ import annotations

import base64
import html
import io
import json
import random
from typing import Any

from PIL import Image
from profiles_fixtures import Salon


def text(response: Any) -> str:
    return html.unescape(response.text)


def png(width: int, height: int, alpha: bool = False) -> bytes:
    colour = (200, 30, 30, 128) if alpha else (200, 30, 30)
    image = Image.new("RGBA" if alpha else "RGB", (width, height), colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (900, 600), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


LASER = {
    "description": "## Lasers\n\nNous **fabriquons** des lasers. <script>alert(1)</script>",
    "offers": "Sources laser de puissance",
    "needs": "Essais en milieu naval",
    "keywords": "lasers, gendarmerie mobile; optique",
    "themes": ["Optronique"],
    "links": "https://laser.example\nhttp://docs.laser.example/fiche",
}


def test_a_participant_edits_its_profile_and_others_read_it(salon: Salon) -> None:
    form = text(salon.client.get(f"/p/{salon.tokens['D1']}/profile"))
    assert "Mon profil" in form and 'value="Drones"' in form
    response = salon.save("D1", **LASER)
    assert response.status_code == 303, text(response)
    page = salon.client.get(f"/p/{salon.tokens['I1']}/people/D1")
    assert page.status_code == 200
    body = text(page)
    assert "<strong>fabriquons</strong>" in page.text and "<h3>Lasers</h3>" in page.text
    assert "<script>" not in page.text and "alert(1)" in body  # shown as text, never run
    assert "lasers, gendarmerie mobile, optique" in body
    assert "Optronique" in body and "https://laser.example" in body
    assert "Essais en milieu naval" in body
    again = text(salon.client.get(f"/p/{salon.tokens['D1']}/profile"))
    assert 'value="lasers, gendarmerie mobile, optique"' in again
    assert "http://docs.laser.example/fiche" in again
    english = text(salon.client.get(f"/p/{salon.tokens['D1']}/profile?lang=en"))
    assert "My profile" in english and "Save my profile" in english


def test_bad_input_is_named_and_what_was_typed_is_kept(salon: Salon) -> None:
    response = salon.save("I1", **{**LASER, "themes": ["Pêche"], "links": "javascript:alert(1)"})
    assert response.status_code == 422
    body = text(response)
    assert "links[0]" in body or "Thème inconnu" in body
    assert "Sources laser de puissance" in body  # typed text kept
    unknown = salon.save("I1", **{**LASER, "themes": ["Pêche"]})
    assert unknown.status_code == 422 and "Thème inconnu du salon : Pêche." in text(unknown)
    assert "Pas encore de profil." in text(salon.client.get(f"/p/{salon.tokens['D1']}/people/I1"))


def test_an_image_is_checked_and_re_encoded(salon: Salon) -> None:
    logo = {"image": ("logo.png", png(1200, 800, alpha=True), "image/png")}
    response = salon.save("D1", files=logo, **LASER)
    assert response.status_code == 303, text(response)
    image = salon.client.get(f"/p/{salon.tokens['I1']}/people/D1/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    decoded = Image.open(io.BytesIO(image.content))
    assert decoded.size == (512, 341)
    photo = salon.save("D2", files={"image": ("p.jpg", jpeg_with_exif(), "image/jpeg")}, **LASER)
    assert photo.status_code == 303
    served = salon.client.get(f"/p/{salon.tokens['I1']}/people/D2/image")
    assert served.headers["content-type"] == "image/jpeg"
    assert b"SecretCamera" not in served.content
    assert max(Image.open(io.BytesIO(served.content)).size) == 512
    svg = {"image": ("x.png", b"<svg onload=alert(1)>", "image/png")}
    fake = salon.save("D2", files=svg, **LASER)
    assert fake.status_code == 422
    assert "Ce fichier n'est pas une image lisible (PNG, JPEG, GIF ou WebP)." in text(fake)
    big = {"image": ("x.png", b"\x89PNG" + bytes(900_000), "image/png")}
    heavy = salon.save("D2", files=big, **LASER)
    assert heavy.status_code == 422 and "Image trop lourde" in text(heavy)
    still = salon.client.get(f"/p/{salon.tokens['I1']}/people/D2/image")
    assert still.content == served.content  # the refused upload lost nothing
    removed = salon.save("D2", remove_image="yes", **LASER)
    assert removed.status_code == 303
    assert salon.client.get(f"/p/{salon.tokens['I1']}/people/D2/image").status_code == 404


def test_who_reads_whose_page(salon: Salon) -> None:
    get = salon.client.get
    assert get(f"/p/{salon.tokens['I1']}/people/D1").status_code == 200  # a director: public
    assert get(f"/p/{salon.tokens['D1']}/people/I1").status_code == 200  # directors read askers
    assert get(f"/p/{salon.tokens['I1']}/people/I1").status_code == 200  # oneself
    assert get(f"/p/{salon.tokens['I1']}/people/I2").status_code == 404  # not another industrial
    assert get(f"/p/{salon.tokens['I1']}/people/NOPE").status_code == 404
    assert get("/p/NoSuchLinkToken0123456789/people/D1").status_code == 404


def test_profiles_close_with_the_wishes(salon: Salon) -> None:
    salon.close_wishes()
    page = text(salon.client.get(f"/p/{salon.tokens['I1']}/profile"))
    assert "Les souhaits sont clos : les profils ne se modifient plus." in page
    assert 'name="description"' not in page
    response = salon.save("I1", **LASER)
    assert response.status_code == 409


def test_export_and_import_profiles_v1(salon: Salon) -> None:
    salon.save("D1", files={"image": ("logo.png", png(64, 64), "image/png")}, **LASER)
    exported = salon.client.get(f"/o/salons/{salon.salon_id}/profiles.json")
    assert exported.status_code == 200
    document = exported.json()
    assert document["format"] == "profiles/v1"
    assert document["themes"] == ["Optronique", "Drones", "Cyberdéfense"]
    [d1] = document["profiles"]
    assert d1["participant"] == "D1"
    assert d1["keywords"] == ["lasers", "gendarmerie mobile", "optique"]
    assert d1["image"]["type"] == "image/jpeg" and base64.b64decode(d1["image"]["data"])

    def post(doc: Any) -> Any:
        return salon.client.post(
            f"/o/salons/{salon.salon_id}/profiles/import",
            data={"csrf": salon.csrf},
            files={"file": ("p.json", json.dumps(doc).encode(), "application/json")},
            follow_redirects=False,
        )

    bad = dict(document, profiles=[dict(d1, participant="ZZ", themes=["Inconnu"], extra=1)])
    refused = post(bad)
    assert refused.status_code == 422
    assert "$.profiles[0].extra" in text(refused)
    bad = dict(document, profiles=[dict(d1, participant="ZZ", themes=["Inconnu"])])
    refused = text(post(bad))
    assert "$.profiles[0].participant" in refused and "$.profiles[0].themes[0]" in refused
    assert "lasers" in text(salon.client.get(f"/p/{salon.tokens['I1']}/people/D1"))  # all or none
    changed = dict(
        document,
        themes=["Radars"],
        profiles=[{"participant": "D2", "description": "Radars *côtiers*", "themes": ["Radars"]}],
    )
    done = post(changed)
    assert done.status_code == 303 and "count=1" in done.headers["location"]
    page = salon.client.get(f"/p/{salon.tokens['I1']}/people/D2")
    assert "<em>côtiers</em>" in page.text and "Radars" in page.text
    again = salon.client.get(f"/o/salons/{salon.salon_id}/profiles.json").json()
    assert again["themes"] == ["Radars"]
    assert [p["participant"] for p in again["profiles"]] == ["D1", "D2"]
    broken = salon.client.post(
        f"/o/salons/{salon.salon_id}/profiles/import",
        data={"csrf": salon.csrf},
        files={"file": ("p.json", b"{not json", "application/json")},
    )
    assert broken.status_code == 422 and "Fichier profiles/v1 illisible" in text(broken)


def test_another_organiser_gets_nothing(salon: Salon) -> None:
    from pages_helpers import sign_in
    from service_helpers import new_organiser

    other = new_organiser(salon.client)
    sign_in(salon.client, other)
    assert salon.client.get(f"/o/salons/{salon.salon_id}/profiles").status_code == 404
    assert salon.client.get(f"/o/salons/{salon.salon_id}/profiles.json").status_code == 404


def test_a_profiles_file_with_its_images_passes_the_edge_cap(salon: Salon) -> None:
    """Past the pages' 1 MiB body cap: profile files have their own (20 MB)."""
    noise = Image.frombytes("RGB", (470, 470), bytes(random.Random(1).randbytes(470 * 470 * 3)))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    image = {"type": "image/png", "data": base64.b64encode(out.getvalue()).decode("ascii")}
    document = {
        "format": "profiles/v1",
        "profiles": [{"participant": code, "image": image} for code in ("D1", "D2", "I1")],
    }
    body = json.dumps(document).encode()
    assert len(body) > 2 * 1024 * 1024
    response = salon.client.post(
        f"/o/salons/{salon.salon_id}/profiles/import",
        data={"csrf": salon.csrf},
        files={"file": ("p.json", body, "application/json")},
        follow_redirects=False,
    )
    assert response.status_code == 303, text(response)[:500]
    served = salon.client.get(f"/p/{salon.tokens['I1']}/people/D2/image")
    assert served.status_code == 200 and len(served.content) < len(out.getvalue())
