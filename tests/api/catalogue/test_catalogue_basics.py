"""Official lists, the mail outbox, Markdown sanitising and the English translations."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_file

from api.catalogue import errors, validation, vocabulary
from api.catalogue.geography import departements, regions
from api.catalogue.markdown import plain_text, render_markdown
from api.catalogue.pages import contributors, rendering
from api.i18n import get_translations
from api.mail import read_outbox, send_mail
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def test_official_lists() -> None:
    assert len(regions()) == 18
    assert len(departements()) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(departements())
    assert "20" not in departements() and "975" not in departements()
    assert all(d.region_code in regions() for d in departements().values())
    assert departements()["2A"].region_code == "94" and departements()["976"].name == "Mayotte"
    per_region = {
        code: sum(d.region_code == code for d in departements().values()) for code in regions()
    }
    assert per_region["11"] == 8 and per_region["76"] == 13 and per_region["84"] == 12


def test_outbox(tmp_path: Path) -> None:
    settings = Settings(outbox_dir=tmp_path / "outbox", smtp_host=None, mail_from="cat@x.example")
    path = send_mail(settings, to="agent@x.example", subject="Lien é", body="Bonjour « ici »")
    assert path is not None and path.suffix == ".eml"
    send_mail(settings, to="other@x.example", subject="Deux", body="2")
    messages = read_outbox(settings.outbox_dir)
    assert [m["To"] for m in messages] == ["agent@x.example", "other@x.example"]
    assert messages[0]["Subject"] == "Lien é" and messages[0]["From"] == "cat@x.example"
    assert messages[0].get_content().strip() == "Bonjour « ici »"


def test_markdown_is_rendered_then_sanitised() -> None:
    html = render_markdown(
        "# Titre\n\n**gras** [ok](https://a.example) [ko](javascript:alert(1))\n\n"
        "<script>alert(2)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h3>Titre</h3>" in html and "<strong>gras</strong>" in html
    assert '<a href="https://a.example" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<script" not in html and 'href="javascript' not in html and "<table>" in html
    assert plain_text("**gras** & [lien](https://a.example)") == "gras & lien"
    assert render_markdown("  ") == ""


def french_texts() -> tuple[set[str], set[tuple[str, str]]]:
    """Every French text of the catalogue (calls in the code and templates, label tables), and
    the plural pairs."""
    keywords = {
        "CatalogueError": (2,),
        "FieldProblem": (2,),
        "N_": None,
        "gettext": (2,),
        "not_found": (1,),
        "invalid_field": (2,),
        "_": None,
        "ngettext": (1, 2),
    }
    texts: set[str] = set()
    plurals: set[tuple[str, str]] = set()

    def add(message: str | tuple[str, ...]) -> None:
        if isinstance(message, tuple):
            plurals.add((message[0], message[1]))
        elif message:
            texts.add(message)

    for path in sorted((ROOT / "api" / "catalogue").rglob("*.py")):
        for _line, message, _c, _ctx in extract_from_file("python", str(path), keywords=keywords):
            add(message)
    for path in sorted((ROOT / "templates" / "catalogue").glob("*.html")):
        for _line, message, _c, _ctx in extract_from_file(
            "jinja2",
            str(path),
            keywords={"_": None, "ngettext": (1, 2)},
            options={"extensions": "jinja2.ext.i18n"},
        ):
            add(message)
    for table in (
        errors.PYDANTIC_MESSAGES,
        validation.PLACE_REQUIRED,
        rendering.NOTICES,
        rendering.FACET_TITLES,
        rendering.AUDIT_ACTIONS,
        contributors.REFUSALS,
        vocabulary.ATTENDANCE_MODES,
        vocabulary.LIVE_STATUSES,
        vocabulary.STATES,
        vocabulary.AUDIENCES,
        vocabulary.ACCESSIBILITY,
        vocabulary.ACTIONS,
        vocabulary.WHEN,
    ):
        texts.update(table.values())
    return texts, plurals


def test_every_french_text_has_an_english_translation() -> None:
    english = get_translations("en")
    texts, plurals = french_texts()
    assert len(texts) > 250 and len(plurals) == 2
    for singular, plural in plurals:
        assert english.ngettext(singular, plural, 1) != singular
        assert english.ngettext(singular, plural, 2) != plural
    missing = sorted(
        text
        for text in texts
        if english.gettext(text) == text
        and text
        not in {
            "Date",
            "Format",
            "Formats",
            "Description",
            "Message",
            "Page",
            "Associations",
            "Département",
            "Dates",
            "Commune",
        }
    )
    assert missing == []
    for text in texts:  # the same placeholders on both sides
        assert sorted(re.findall(r"\{\w+\}|%\(\w+\)\w", text)) == sorted(
            re.findall(r"\{\w+\}|%\(\w+\)\w", english.gettext(text))
        ), text
