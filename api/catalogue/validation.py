"""Business rules on an event's content: one function per rule, each returning its problems.

`validate_event` runs them all, so that a form shows every problem at once. Place codes are
normalised ('2a' -> '2A') and the région is deduced from the département when it is missing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from api.catalogue.geography import (
    departements,
    normalise_departement_code,
    normalise_region_code,
    regions,
)
from api.catalogue.schemas import EventFields, PlaceIn
from api.catalogue.tables import Edition, EventFormat, Track
from api.errors import FieldProblem
from api.timestamps import format_paris, paris_day, paris_to_storage

EMAIL_PATTERN = re.compile(
    r"^[^@\s<>\"',;\x00-\x1f\x7f]+@[^@\s<>\"',;\x00-\x1f\x7f]+\.[^@\s<>\"',;\x00-\x1f\x7f]+$"
)
POSTAL_CODE_PATTERN = re.compile(r"^\d{5}$")
PLACE_NEEDED = ("on_site", "mixed")
LINK_NEEDED = ("online", "mixed")
PLACE_REQUIRED = {
    "name": "Le nom du lieu est obligatoire pour un événement sur place ou mixte.",
    "address": "L'adresse est obligatoire pour un événement sur place ou mixte.",
    "postal_code": "Le code postal est obligatoire pour un événement sur place ou mixte.",
    "commune": "La commune est obligatoire pour un événement sur place ou mixte.",
    "departement": "Le département est obligatoire pour un événement sur place ou mixte.",
}


@dataclass(frozen=True)
class StoredTiming:
    start: dt.datetime
    end: dt.datetime


def stored_timings(fields: EventFields) -> list[StoredTiming]:
    """The timings in naive UTC, sorted by start."""
    timings = [
        StoredTiming(paris_to_storage(t.start), paris_to_storage(t.end)) for t in fields.timings
    ]
    return sorted(timings, key=lambda timing: (timing.start, timing.end))


def check_end_after_start(fields: EventFields) -> list[FieldProblem]:
    """Each timing ends after it starts."""
    problems = []
    for index, timing in enumerate(fields.timings):
        start, end = paris_to_storage(timing.start), paris_to_storage(timing.end)
        if end <= start:
            problems.append(
                FieldProblem(
                    f"timings[{index}].end",
                    "La fin ({end}) doit être après le début ({start}).",
                    {"end": format_paris(end), "start": format_paris(start)},
                )
            )
    return problems


def check_timings_within_edition(fields: EventFields, edition: Edition) -> list[FieldProblem]:
    """Each timing starts within the edition's dates (Paris days)."""
    problems = []
    for index, timing in enumerate(fields.timings):
        day = paris_day(paris_to_storage(timing.start))
        if not edition.starts_on <= day <= edition.ends_on:
            problems.append(
                FieldProblem(
                    f"timings[{index}].start",
                    "Le {day} est en dehors de l'édition « {edition} » (du {starts_on} au "
                    "{ends_on}).",
                    {
                        "day": day.isoformat(),
                        "edition": edition.title,
                        "starts_on": edition.starts_on.isoformat(),
                        "ends_on": edition.ends_on.isoformat(),
                    },
                )
            )
    return problems


def check_no_duplicate_timing(fields: EventFields) -> list[FieldProblem]:
    """The same occurrence is not given twice."""
    seen: set[tuple[dt.datetime, dt.datetime]] = set()
    problems = []
    for index, timing in enumerate(fields.timings):
        key = (paris_to_storage(timing.start), paris_to_storage(timing.end))
        if key in seen:
            problems.append(FieldProblem(f"timings[{index}]", "Cet horaire est donné deux fois."))
        seen.add(key)
    return problems


def check_online_link_for_online_events(fields: EventFields) -> list[FieldProblem]:
    """An online or mixed event has a link to join it."""
    if fields.attendance_mode in LINK_NEEDED and not fields.online_url:
        return [
            FieldProblem(
                "online_url",
                "Le lien de connexion est obligatoire pour un événement en ligne ou mixte.",
            )
        ]
    return []


def check_place_for_on_site_events(fields: EventFields) -> list[FieldProblem]:
    """An on-site or mixed event has a place: name, address, postal code, commune, département."""
    if fields.attendance_mode not in PLACE_NEEDED:
        return []
    if fields.place is None:
        return [
            FieldProblem("place", "Le lieu est obligatoire pour un événement sur place ou mixte.")
        ]
    return [
        FieldProblem(f"place.{name}", message)
        for name, message in PLACE_REQUIRED.items()
        if not getattr(fields.place, name)
    ]


def check_departement_known(place: PlaceIn | None) -> list[FieldProblem]:
    """The département is one of the 101 official codes."""
    if place is None or not place.departement:
        return []
    if normalise_departement_code(place.departement) not in departements():
        return [
            FieldProblem(
                "place.departement",
                "Département inconnu : « {value} ». Indiquez un code officiel "
                "(01 à 95, 2A, 2B, 971 à 976).",
                {"value": place.departement},
            )
        ]
    return []


def check_region_known(place: PlaceIn | None) -> list[FieldProblem]:
    """The région is one of the 18 official codes."""
    if place is None or not place.region:
        return []
    if normalise_region_code(place.region) not in regions():
        return [
            FieldProblem(
                "place.region",
                "Région inconnue : « {value} ». Indiquez un code officiel de région.",
                {"value": place.region},
            )
        ]
    return []


def check_departement_in_region(place: PlaceIn | None) -> list[FieldProblem]:
    """The département belongs to the région given."""
    if place is None or not place.departement or not place.region:
        return []
    departement = departements().get(normalise_departement_code(place.departement))
    region = regions().get(normalise_region_code(place.region))
    if departement is None or region is None or departement.region_code == region.code:
        return []
    return [
        FieldProblem(
            "place.region",
            "Le département {departement} ({departement_name}) n'est pas dans la région "
            "{region} ({region_name}).",
            {
                "departement": departement.code,
                "departement_name": departement.name,
                "region": region.code,
                "region_name": region.name,
            },
        )
    ]


def check_postal_code(place: PlaceIn | None) -> list[FieldProblem]:
    """A postal code has five digits."""
    if place is None or not place.postal_code or POSTAL_CODE_PATTERN.match(place.postal_code):
        return []
    return [
        FieldProblem(
            "place.postal_code",
            "Code postal invalide : « {value} » (cinq chiffres attendus).",
            {"value": place.postal_code},
        )
    ]


def is_web_link(value: str) -> bool:
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(character.isspace() for character in value)
    )


def check_links(fields: EventFields) -> list[FieldProblem]:
    """Links are http(s) addresses."""
    problems = []
    for name in ("online_url", "registration_url"):
        value = getattr(fields, name)
        if value and not is_web_link(value):
            problems.append(
                FieldProblem(
                    name,
                    "Lien invalide : « {value} » (une adresse en http:// ou https:// est "
                    "attendue).",
                    {"value": value},
                )
            )
    return problems


def check_emails(fields: EventFields) -> list[FieldProblem]:
    """E-mail addresses look like e-mail addresses."""
    candidates = {
        "registration_email": fields.registration_email,
        "organizer.contact_email": fields.organizer.contact_email,
    }
    return [
        FieldProblem(name, "Adresse électronique invalide : « {value} ».", {"value": value})
        for name, value in candidates.items()
        if value and not EMAIL_PATTERN.match(value)
    ]


def check_format_offered(slug: str, event_format: EventFormat | None) -> list[FieldProblem]:
    """The format is one of the list (and still offered)."""
    if event_format is None:
        return [FieldProblem("format", "Format inconnu : « {value} ».", {"value": slug})]
    if not event_format.active:
        return [
            FieldProblem("format", "Ce format n'est plus proposé : « {value} ».", {"value": slug})
        ]
    return []


def check_track_step(
    fields: EventFields,
    *,
    track: Track | None,
    edition: Edition,
    step_holder_title: str | None,
) -> list[FieldProblem]:
    """A track exists in the same edition, its step number is given and not already taken."""
    if not fields.track:
        if fields.track_step is not None:
            return [
                FieldProblem("track_step", "Un numéro d'étape n'a de sens que dans un parcours.")
            ]
        return []
    if track is None:
        return [FieldProblem("track", "Parcours inconnu : « {value} ».", {"value": fields.track})]
    if track.edition_id != edition.id:
        return [
            FieldProblem(
                "track",
                "Le parcours « {value} » appartient à une autre édition.",
                {"value": fields.track},
            )
        ]
    if fields.track_step is None:
        return [
            FieldProblem(
                "track_step", "Le numéro d'étape est obligatoire pour un événement d'un parcours."
            )
        ]
    if step_holder_title is not None:
        return [
            FieldProblem(
                "track_step",
                "L'étape {step} du parcours est déjà occupée par « {title} ».",
                {"step": fields.track_step, "title": step_holder_title},
            )
        ]
    return []


def normalised_place(place: PlaceIn | None) -> PlaceIn | None:
    """Codes in their official spelling, the région deduced from the département if missing."""
    if place is None:
        return None
    departement = normalise_departement_code(place.departement) if place.departement else None
    region = normalise_region_code(place.region) if place.region else None
    if departement in departements() and region is None:
        region = departements()[departement].region_code
    values = place.model_dump()
    values.update(departement=departement, region=region)
    if not any(values.values()):
        return None
    return PlaceIn(**values)


def validate_event(
    fields: EventFields,
    *,
    edition: Edition,
    event_format: EventFormat | None,
    track: Track | None,
    step_holder_title: str | None,
) -> list[FieldProblem]:
    """Every problem of an event's content (empty when it is valid)."""
    return [
        *check_end_after_start(fields),
        *check_no_duplicate_timing(fields),
        *check_timings_within_edition(fields, edition),
        *check_format_offered(fields.format, event_format),
        *check_online_link_for_online_events(fields),
        *check_place_for_on_site_events(fields),
        *check_departement_known(fields.place),
        *check_region_known(fields.place),
        *check_departement_in_region(fields.place),
        *check_postal_code(fields.place),
        *check_links(fields),
        *check_emails(fields),
        *check_track_step(
            fields, track=track, edition=edition, step_holder_title=step_holder_title
        ),
    ]
