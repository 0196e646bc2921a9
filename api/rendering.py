"""Jinja2 environments for pages and printable documents, one per language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.i18n import format_clock, format_day, format_moment, get_translations
from api.settings import PROJECT_ROOT
from api.sides import role_text

TEMPLATES_DIR = PROJECT_ROOT / "templates"


@lru_cache
def get_environment(language: str, templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """An autoescaping environment with gettext and French-first date filters installed."""
    environment = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(get_translations(language), newstyle=True)  # type: ignore[attr-defined]
    environment.globals["language"] = language
    environment.filters["day"] = lambda value: format_day(value, language)
    environment.filters["clock"] = lambda value: format_clock(value, language)
    environment.filters["moment"] = lambda value: format_moment(value, language)
    environment.filters["role"] = lambda value, labels: role_text(value, labels, language)
    return environment


def render(template: str, language: str, **context: object) -> str:
    """Render a template of templates/ in a language."""
    return get_environment(language).get_template(template).render(**context)
