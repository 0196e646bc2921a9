"""Languages: French first (the source language of every text), English available.

Texts are written in French in the code and templates and marked with `_()` / `{% trans %}`;
`api/locale/en/LC_MESSAGES/*.po` translates them to English. Each module keeps its own .po file
(domain), all merged at load time; no compile step is needed (the .po files are read directly).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LANGUAGE_COOKIE = "lang"
"""Set by the language switch of the pages and of the catalogue."""
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""The environment's language, in POSIX order: the first one set wins."""


def normalise_language(value: str | None) -> str | None:
    """'en-GB' -> 'en'; None when the language is not one of ours."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def pick_language(*candidates: str | None, accept_language: str | None = None) -> str:
    """The first supported candidate (query, cookie...), else the Accept-Language header."""
    for candidate in candidates:
        language = normalise_language(candidate)
        if language:
            return language
    for part in (accept_language or "").split(","):
        language = normalise_language(part.split(";")[0])
        if language:
            return language
    return DEFAULT_LANGUAGE


def environment_language(environ: Mapping[str, str]) -> str | None:
    """The language of the locale (`LC_ALL`, else `LC_MESSAGES`, else `LANG`: 'en_GB.UTF-8' ->
    'en'); None when the one set is not one of ours ('C.UTF-8', 'de_DE') or none is set."""
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            return normalise_language(value.split(".")[0].split("@")[0])
    return None


@lru_cache
def get_translations(language: str) -> NullTranslations:
    """The merged translations of every domain for a language (French needs none)."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    merged: NullTranslations = NullTranslations()
    if language == DEFAULT_LANGUAGE or not folder.is_dir():
        return merged
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        translations = Translations(buffer, domain=po_file.stem)
        if isinstance(merged, Translations):
            merged.merge(translations)
        else:
            merged = translations
    return merged


def gettext(language: str, message: str) -> str:
    """Translate a French source text into `language`."""
    return get_translations(language).gettext(message)


def format_day(value: dt.date, language: str) -> str:
    """'mardi 28 novembre 2023' / 'Tuesday 28 November 2023'."""
    if language == "fr":
        return format_date(value, "EEEE d MMMM y", locale=Locale("fr", "FR"))
    return format_date(value, "EEEE d MMMM y", locale=Locale("en", "GB"))


def format_clock(value: dt.datetime | dt.time, language: str) -> str:
    """'9 h 20' in French, '09:20' in English."""
    if language == "fr":
        return f"{value.hour} h {value.minute:02d}"
    return format_time(value, "HH:mm", locale=Locale("en", "GB"))


def format_moment(value: dt.datetime, language: str) -> str:
    """'mardi 28 novembre 2023, 9 h 20' / 'Tuesday 28 November 2023, 09:20'."""
    return f"{format_day(value.date(), language)}, {format_clock(value, language)}"


def request_language(request: Request) -> str:
    """The language of a request's answers, everywhere (API, pages, catalogue): `?lang=`, then
    the `lang` cookie of the language switch, then Accept-Language; French by default."""
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )
