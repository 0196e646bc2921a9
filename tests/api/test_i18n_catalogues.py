"""Every text of the templates and of the `salon` command (api/cli/) has its English
translation (French is the source language).

A text has one when an English catalogue lists it, even unchanged ("Date", "Table"): an entry
says that someone decided; words the same in both languages may also sit in SAME_IN_ENGLISH.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from api.cli._texts import EXTRACTION_KEYWORDS
from api.i18n import get_translations
from api.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
CLI = PROJECT_ROOT / "api" / "cli"
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


def cli_messages(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, singular, plural or None) of each text of a CLI module: `say(language, text)`,
    `t(text)` and `N_(text)` (api/cli/_texts.py)."""
    found = []
    with path.open("rb") as file:
        for line, message, _comments, _context in extract(
            "python", file, keywords=EXTRACTION_KEYWORDS
        ):
            parts = message if isinstance(message, tuple) else (message,)
            plural = parts[1] if len(parts) > 1 and isinstance(parts[1], str) else None
            if isinstance(parts[0], str):
                found.append((line, parts[0], plural))
    return found


def unmarked_help(path: Path) -> list[str]:
    """`file:line` of each help or description of argparse written as a bare string: it must be
    marked with N_() to be found here and translated."""
    unmarked = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("help", "description", "epilog") and isinstance(
                    keyword.value, ast.Constant | ast.JoinedStr
                ):
                    unmarked.append(f"{path.name}:{keyword.value.lineno}")
    return unmarked


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
    return untranslated_messages(path, template_messages(path), root)


def untranslated_messages(
    path: Path, messages: list[tuple[int, str, str | None]], root: Path = PROJECT_ROOT
) -> list[str]:
    """`file:line: text` of each of the file's texts without an English translation."""
    english = get_translations("en")
    known = catalogue_ids()
    missing = []
    for line, singular, plural in messages:
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


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_cli_texts_have_english(path: Path) -> None:
    assert untranslated_messages(path, cli_messages(path)) == []
    assert unmarked_help(path) == []


def test_the_cli_has_texts_to_check() -> None:
    """The extraction sees the CLI's texts (a keyword renamed would make the test above pass
    on nothing)."""
    texts = {text for path in CLI.glob("*.py") for _, text, _ in cli_messages(path)}
    assert {
        "Interrompu.",  # say(language, ...)
        "Planning écrit dans %(path)s (%(status)s).",  # t(...)
        "demande déclinée",  # N_(...) in a table
        "le salon (salon/v1)",  # N_(...) as a help text
    } <= texts
    assert len(texts) > 200


def test_an_untranslated_cli_text_is_found(tmp_path: Path) -> None:
    module = tmp_path / "command.py"
    module.write_text(
        "def register(commands):\n"
        "    parser = commands.add_parser('x', help=N_('une aide que personne ne traduit'))\n"
        "    parser.add_argument('--y', help='aide oubliée')\n"
        "    print(say(language, 'Interrompu.'), t('Un message %(n)s non traduit', n=1))\n",
        "utf-8",
    )
    assert [m[1] for m in cli_messages(module)] == [
        "une aide que personne ne traduit",
        "Interrompu.",
        "Un message %(n)s non traduit",
    ]
    assert untranslated_messages(module, cli_messages(module), root=tmp_path) == [
        "command.py:2: 'une aide que personne ne traduit'",
        "command.py:4: 'Un message %(n)s non traduit'",
    ]
    assert unmarked_help(module) == ["command.py:3"]


def conflicting_translations(folder: Path) -> list[str]:
    """Texts that two catalogues translate differently: all are merged at load time, so one of
    the two English texts would silently win everywhere."""
    seen: dict[tuple[str, str | None], tuple[str, str]] = {}
    conflicts = []
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale="en")
        for message in catalog:
            if not message.id or not message.string:
                continue
            text = message.id if isinstance(message.id, str) else message.id[0]
            english = message.string if isinstance(message.string, str) else message.string[0]
            first = seen.setdefault((text, message.context), (po_file.name, english))
            if first[1] != english:
                conflicts.append(f"{text!r}: {first} vs {(po_file.name, english)}")
    return conflicts


def test_no_text_is_translated_two_ways() -> None:
    assert conflicting_translations(LOCALE) == []


def test_a_text_translated_two_ways_is_found(tmp_path: Path) -> None:
    for name, english in (("a.po", "cancelled"), ("b.po", "dropped")):
        (tmp_path / name).write_text(f'msgid "annulé"\nmsgstr "{english}"\n', "utf-8")
    assert conflicting_translations(tmp_path) == [
        "'annulé': ('a.po', 'cancelled') vs ('b.po', 'dropped')"
    ]
