"""Every text of the templates has its English translation (French is the source language).

A text has one when an English catalogue lists it, even unchanged ("Date", "Table"): an entry
says that someone decided; words the same in both languages may also sit in SAME_IN_ENGLISH.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from api.i18n import get_translations
from api.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
LOCALE = PROJECT_ROOT / "api" / "locale" / "en" / "LC_MESSAGES"
SAME_IN_ENGLISH = frozenset(
    {
        "Commune",
        "Date",
        "Dates",
        "Description",
        "Documents",
        "Département",
        "Format",
        "Message",
        "Navigation",
        "Organisation",
        "Page",
        "page",
        "Participants",
        "Table",
        "Table %(table)s",
        "Version",
        "Version %(num)s",
        "score ≤ %(value)s",
        "—",
        "%(num)d page",
    }
)


def template_messages(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, singular, plural or None) of each translatable text of a template."""
    found = []
    with path.open("rb") as file:
        for line, _function, message, _comments in babel_extract(
            file, ("_", "gettext", "ngettext"), [], {}
        ):
            parts = message if isinstance(message, tuple) else (message,)
            plural = parts[1] if len(parts) > 1 and isinstance(parts[1], str) else None
            if isinstance(parts[0], str):
                found.append((line, parts[0], plural))
    return found


def catalogue_ids() -> set[str]:
    """Every msgid of the English catalogues (an entry may keep the French text as it is)."""
    ids: set[str] = set()
    for po_file in sorted(LOCALE.glob("*.po")):
        with po_file.open("rb") as file:
            for message in read_po(file):
                ids.add(message.id[0] if isinstance(message.id, tuple) else message.id)
    return ids


def untranslated(path: Path, root: Path = PROJECT_ROOT) -> list[str]:
    """`file:line: text` of each text of the template without an English translation."""
    english = get_translations("en")
    known = catalogue_ids()
    missing = []
    for line, singular, plural in template_messages(path):
        if singular in SAME_IN_ENGLISH or singular in known:
            continue
        if plural is None:
            translated = english.gettext(singular) != singular
        else:
            translated = english.ngettext(singular, plural, 2) != plural
        if not translated:
            missing.append(f"{path.relative_to(root)}:{line}: {singular!r}")
    return missing


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_template_texts_have_english(path: Path) -> None:
    assert untranslated(path) == []


def test_an_untranslated_text_is_found(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<p>{{ _("Une phrase que personne n\'a traduite") }} {{ _("Objectifs") }}</p>'
        '<p>{{ ngettext("%(num)d souhait", "%(num)d souhaits", 2) }}</p>',
        "utf-8",
    )
    assert [m[1] for m in template_messages(page)] == [
        "Une phrase que personne n'a traduite",
        "Objectifs",
        "%(num)d souhait",
    ]
    assert untranslated(page, root=tmp_path) == [
        'page.html:1: "Une phrase que personne n\'a traduite"',
        "page.html:1: '%(num)d souhait'",
    ]
