"""HTML forms of an event: form fields <-> the EventFields shape, and problems -> field ids.

Timings are rows `timings-N-start` / `timings-N-end` (datetime-local inputs, Paris time);
empty rows are ignored; the "add a timing" button re-shows the form with one more row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from api.errors import FieldProblem
from api.timestamps import PARIS
from api.web import first

FormData = Mapping[str, Sequence[str]]
MIN_TIMING_ROWS = 2
# {field of EventFields (or of its place / organizer): name of the form input}
TEXT_INPUTS = (
    "title",
    "short_description",
    "format",
    "attendance_mode",
    "online_url",
    "registration_url",
    "registration_email",
)
PLACE_INPUTS = {
    "name": "place_name",
    "address": "place_address",
    "postal_code": "postal_code",
    "commune": "commune",
    "departement": "departement",
    "region": "region",
}
ORGANIZER_INPUTS = {
    "structure": "organizer_structure",
    "contact_name": "organizer_contact_name",
    "contact_email": "organizer_contact_email",
}


def trimmed(form: FormData, name: str) -> str:
    """The form's first value of `name` without surrounding spaces ("" when absent)."""
    return first(form, name).strip()


def timing_rows(form: FormData) -> list[dict[str, str]]:
    """The timing rows of the form, in order, including empty ones."""
    indexes = sorted(
        {
            int(m.group(1))
            for key in form
            if (m := re.fullmatch(r"timings-(\d{1,2})-(?:start|end)", key))
        }
    )
    return [
        {"start": trimmed(form, f"timings-{i}-start"), "end": trimmed(form, f"timings-{i}-end")}
        for i in indexes
    ]


def form_to_fields(form: FormData) -> dict[str, Any]:
    """The form as the raw EventFields shape (validated afterwards by the schemas)."""
    place = {key: trimmed(form, name) for key, name in PLACE_INPUTS.items()}
    step = trimmed(form, "track_step")
    return {
        **{name: trimmed(form, name) for name in TEXT_INPUTS},
        "long_description": (form.get("long_description") or [""])[0],
        "themes": trimmed(form, "themes"),
        "keywords": trimmed(form, "keywords"),
        "timings": [
            {key: value for key, value in row.items() if value}
            for row in timing_rows(form)
            if row["start"] or row["end"]
        ],
        "place": place if any(place.values()) else None,
        "audiences": list(form.get("audiences") or ()),
        "accessibility": list(form.get("accessibility") or ()),
        "organizer": {key: trimmed(form, name) for key, name in ORGANIZER_INPUTS.items()},
        "track": trimmed(form, "track") or None,
        "track_step": step or None,
        "status": trimmed(form, "status") or "scheduled",
    }


def _local_input(value: str) -> str:
    """An ISO datetime (any offset) as a datetime-local value in Paris time."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(PARIS)
    return parsed.strftime("%Y-%m-%dT%H:%M")


def fields_to_form(fields: Mapping[str, Any], *, rows: int = 0) -> dict[str, Any]:
    """Values to show in the form (from stored fields or from a re-shown submission), with at
    least `rows` timing rows and always one empty row to add a timing."""
    place = fields.get("place") or {}
    organizer = fields.get("organizer") or {}

    def joined(value: Any) -> str:
        return ", ".join(value) if isinstance(value, list) else str(value or "")

    timings = [
        {
            "start": _local_input(str(t.get("start") or "")),
            "end": _local_input(str(t.get("end") or "")),
        }
        for t in fields.get("timings") or []
    ]
    rows = max(MIN_TIMING_ROWS, len(timings) + 1, rows)
    timings += [{"start": "", "end": ""}] * (rows - len(timings))
    return {
        **{name: fields.get(name) or "" for name in TEXT_INPUTS},
        **{name: place.get(key) or "" for key, name in PLACE_INPUTS.items()},
        **{name: organizer.get(key) or "" for key, name in ORGANIZER_INPUTS.items()},
        "long_description": fields.get("long_description") or "",
        "themes": joined(fields.get("themes")),
        "keywords": joined(fields.get("keywords")),
        "timings": timings,
        "audiences": list(fields.get("audiences") or []),
        "accessibility": list(fields.get("accessibility") or []),
        "track": fields.get("track") or "",
        "track_step": fields.get("track_step") or "",
        "status": fields.get("status") or "scheduled",
    }


FIELD_IDS = {
    "place": "f-place_name",
    **{f"place.{key}": f"f-{name}" for key, name in PLACE_INPUTS.items()},
    "organizer": "f-organizer_structure",
    **{f"organizer.{key}": f"f-{name}" for key, name in ORGANIZER_INPUTS.items()},
    "timings": "f-timings-0-start",
}


def field_id(path: str) -> str:
    """The id of the input a problem is about: 'timings[1].end' -> 'f-timings-1-end'."""
    if path in FIELD_IDS:
        return FIELD_IDS[path]
    match = re.fullmatch(r"timings\[(\d+)\](?:\.(start|end))?", path)
    if match:
        return f"f-timings-{match.group(1)}-{match.group(2) or 'start'}"
    return "f-" + re.sub(r"[\[\].]+", "-", path.split(".")[0].split("[")[0]).strip("-")


def problems_by_id(problems: Sequence[FieldProblem], language: str) -> dict[str, list[str]]:
    """{input id: [messages]} for the form."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(field_id(problem.field), []).append(problem.render(language))
    return found
