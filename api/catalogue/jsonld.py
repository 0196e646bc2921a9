"""schema.org JSON-LD: an event as `Event` (with `superEvent` for a track step), a track as
`EventSeries` listing its steps in order. `script_json` makes it safe inside a <script> tag."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from api.catalogue.geography import departements, regions
from api.catalogue.presenters import event_url, track_url
from api.catalogue.tables import Event, Track
from api.catalogue.vocabulary import (
    AUDIENCES,
    SCHEMA_ATTENDANCE_MODES,
    SCHEMA_EVENT_STATUSES,
)
from api.i18n import gettext
from api.timestamps import to_paris

CONTEXT = "https://schema.org"


def place_jsonld(event: Event) -> dict[str, Any]:
    region = regions().get(event.region_code or "")
    departement = departements().get(event.departement_code or "")
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "FR"}
    for key, value in (
        ("streetAddress", event.place_address),
        ("postalCode", event.postal_code),
        ("addressLocality", event.commune),
        ("addressRegion", region.name if region else None),
    ):
        if value:
            address[key] = value
    place: dict[str, Any] = {"@type": "Place", "name": event.place_name or event.commune or ""}
    place["address"] = address
    if departement:
        place["containedInPlace"] = {
            "@type": "AdministrativeArea",
            "name": departement.name,
            "identifier": departement.code,
        }
    return place


def location_jsonld(event: Event) -> dict[str, Any] | list[dict[str, Any]]:
    """Place (on site), VirtualLocation (online) or both (mixed)."""
    virtual = {"@type": "VirtualLocation", "url": event.online_url or event_url("", event.id)}
    if event.attendance_mode == "online":
        return virtual
    if event.attendance_mode == "mixed":
        return [place_jsonld(event), virtual]
    return place_jsonld(event)


def organizer_jsonld(event: Event) -> dict[str, Any]:
    organizer: dict[str, Any] = {"@type": "Organization", "name": event.organizer_name}
    if event.organizer_contact_email or event.organizer_contact_name:
        contact: dict[str, Any] = {"@type": "ContactPoint", "contactType": "organizer"}
        if event.organizer_contact_name:
            contact["name"] = event.organizer_contact_name
        if event.organizer_contact_email:
            contact["email"] = event.organizer_contact_email
        organizer["contactPoint"] = contact
    return organizer


def event_jsonld(
    event: Event, base_url: str, *, language: str = "fr", with_context: bool = True
) -> dict[str, Any]:
    """A schema.org Event: name, dates, location, attendance mode, status, organizer..."""
    url = event_url(base_url, event.id)
    data: dict[str, Any] = {}
    if with_context:
        data["@context"] = CONTEXT
    data.update(
        {
            "@type": "Event",
            "@id": url,
            "url": url,
            "name": event.title,
            "description": event.short_description,
            "startDate": to_paris(event.first_start).isoformat(),
            "endDate": to_paris(event.last_end).isoformat(),
            "eventAttendanceMode": SCHEMA_ATTENDANCE_MODES[event.attendance_mode],
            "eventStatus": SCHEMA_EVENT_STATUSES[event.status],
            "location": location_jsonld(event),
            "organizer": organizer_jsonld(event),
            "inLanguage": "fr",
        }
    )
    keywords = [*event.tag_values("theme"), *(event.keywords or [])]
    if keywords:
        data["keywords"] = ", ".join(keywords)
    audiences = event.tag_values("audience")
    if audiences:
        data["audience"] = [
            {"@type": "Audience", "audienceType": gettext(language, AUDIENCES.get(code, code))}
            for code in audiences
        ]
    if event.registration_url:
        data["offers"] = {
            "@type": "Offer",
            "url": event.registration_url,
            "availability": "https://schema.org/SoldOut"
            if event.status == "full"
            else "https://schema.org/InStock",
        }
    if len(event.timings) > 1:
        data["subEvent"] = [
            {
                "@type": "Event",
                "name": event.title,
                "startDate": to_paris(timing.start_at).isoformat(),
                "endDate": to_paris(timing.end_at).isoformat(),
                "eventAttendanceMode": data["eventAttendanceMode"],
                "eventStatus": data["eventStatus"],
                "location": data["location"],
            }
            for timing in event.timings
        ]
    if event.track is not None:
        data["superEvent"] = {
            "@type": "EventSeries",
            "@id": track_url(base_url, event.track.slug),
            "name": event.track.title,
            "url": track_url(base_url, event.track.slug),
        }
    return data


def track_jsonld(
    track: Track, steps: Sequence[Event], base_url: str, *, language: str = "fr"
) -> dict[str, Any]:
    """A schema.org EventSeries whose subEvent lists the published steps in step order."""
    url = track_url(base_url, track.slug)
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "EventSeries",
        "@id": url,
        "url": url,
        "name": track.title,
        "subEvent": [
            event_jsonld(step, base_url, language=language, with_context=False) for step in steps
        ],
    }
    if track.description:
        data["description"] = track.description
    if steps:
        data["startDate"] = to_paris(min(s.first_start for s in steps)).isoformat()
        data["endDate"] = to_paris(max(s.last_end for s in steps)).isoformat()
    return data


def script_json(data: object) -> str:
    """JSON that cannot close its <script> element nor open a comment (<, >, & escaped)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
