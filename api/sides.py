"""The two sides of a salon (directors: a home table; industrials: none) as people read them.

Side names come from the salon's labels (api.pages.service.side_labels), else the translated
defaults; the raw codes `director` and `industrial` are for files and the API, never shown. A
participant's `role` that is only the code of a side (as in files made for the solver, e.g. the
AGIR example's `"role": "director"`) reads as that side's label.
"""

from __future__ import annotations

from collections.abc import Mapping

from api.i18n import gettext

DEFAULT_SIDE_LABELS: dict[str, str] = {
    "director": "Directeurs de programme",
    "industrial": "Industriels",
}


def side_label(labels: Mapping[str, str], side: str, language: str) -> str:
    """The salon's label for a side (`director` or `industrial`), else the translated default."""
    return labels.get(side) or gettext(language, DEFAULT_SIDE_LABELS[side])


def role_text(role: str, labels: Mapping[str, str], language: str) -> str:
    """A role as shown: a side's raw code reads as the salon's label of that side."""
    code = role.strip().lower()
    return side_label(labels, code, language) if code in DEFAULT_SIDE_LABELS else role
