"""Exports of a search: iCalendar, CSV, JSON; an Atom feed of newly published events.

Hostile text stays inert: the iCalendar library escapes property values, CSV cells that a
spreadsheet would read as a formula are prefixed with an apostrophe, JSON is JSON, and the
Atom feed is built by an XML library (its HTML content is the sanitised Markdown).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape
from urllib.parse import urlsplit

from icalendar import Calendar, vCalAddress
from icalendar import Event as CalendarEvent

from api.catalogue.geography import departement_name, region_name
from api.catalogue.markdown import plain_text, render_markdown
from api.catalogue.presenters import event_read, event_url
from api.catalogue.tables import Event
from api.catalogue.vocabulary import ACCESSIBILITY, ATTENDANCE_MODES, AUDIENCES, LIVE_STATUSES
from api.i18n import gettext
from api.timestamps import to_paris, utc_now

ATOM = "http://www.w3.org/2005/Atom"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ICAL_STATUSES = {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}


def place_line(event: Event) -> str:
    """'Mairie, 1 place X, 69001 Lyon' or the online link."""
    parts = [event.place_name, event.place_address]
    town = " ".join(p for p in (event.postal_code, event.commune) if p)
    text = ", ".join(p for p in (*parts, town) if p)
    if event.attendance_mode == "online":
        return event.online_url or ""
    if event.attendance_mode == "mixed" and event.online_url:
        return f"{text} / {event.online_url}"
    return text


def _clean(text: str) -> str:
    """Text without control characters (invalid in XML, dangerous in calendar parameters)."""
    return CONTROL_CHARACTERS.sub("", text)


# iCalendar -----------------------------------------------------------------------------------


def calendar_export(events: Sequence[Event], base_url: str, *, title: str) -> bytes:
    """An iCalendar file with one VEVENT per occurrence (Europe/Paris times, VTIMEZONE added)."""
    calendar = Calendar()
    calendar.add("prodid", "-//salon//catalogue//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _clean(title))
    calendar.add("x-wr-timezone", "Europe/Paris")
    host = urlsplit(base_url).hostname or "salon"
    for event in events:
        for index, timing in enumerate(event.timings):
            calendar.add_component(
                calendar_event(event, index, timing.start_at, timing.end_at, base_url, host)
            )
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_event(
    event: Event, index: int, start: dt.datetime, end: dt.datetime, base_url: str, host: str
) -> CalendarEvent:
    url = event_url(base_url, event.id)
    item = CalendarEvent()
    item.add("uid", f"catalogue-{event.id}-{index}@{host}")
    item.add("dtstamp", to_paris(event.updated_at))
    item.add("dtstart", to_paris(start))
    item.add("dtend", to_paris(end))
    item.add("summary", _clean(event.title))
    description = [event.short_description]
    if event.long_description.strip():
        description.append(plain_text(event.long_description))
    description.append(url)
    item.add("description", _clean("\n\n".join(description)))
    location = place_line(event)
    if location:
        item.add("location", _clean(location))
    item.add("url", url)
    item.add("status", ICAL_STATUSES.get(event.status, "CONFIRMED"))
    themes = [_clean(theme) for theme in event.tag_values("theme")]
    if themes:
        item.add("categories", themes)
    if event.organizer_contact_email:
        organizer = vCalAddress(f"mailto:{_clean(event.organizer_contact_email)}")
        organizer.params["cn"] = _clean(event.organizer_name).replace('"', "'")
        item.add("organizer", organizer)
    return item


# CSV -------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id", "url", "title", "short_description", "format", "themes", "keywords", "start", "end",
    "timings", "attendance_mode", "online_url", "place_name", "address", "postal_code",
    "commune", "departement", "departement_name", "region", "region_name", "audiences",
    "accessibility", "registration_url", "registration_email", "organizer",
    "organizer_contact_name", "organizer_contact_email", "track", "track_step", "status",
    "published_at",
)  # fmt: skip


def spreadsheet_safe(value: object) -> str:
    """A cell that a spreadsheet shows as text (a leading =, +, -, @... gets an apostrophe)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_row(event: Event, base_url: str, language: str) -> list[str]:
    timings = ";".join(
        f"{to_paris(t.start_at).isoformat()}/{to_paris(t.end_at).isoformat()}"
        for t in event.timings
    )
    values: list[object] = [
        event.id,
        event_url(base_url, event.id),
        event.title,
        event.short_description,
        event.format.label_fr if language == "fr" else event.format.label_en,
        ", ".join(event.tag_values("theme")),
        ", ".join(event.keywords or []),
        to_paris(event.first_start).isoformat(),
        to_paris(event.last_end).isoformat(),
        timings,
        gettext(language, ATTENDANCE_MODES[event.attendance_mode]),
        event.online_url,
        event.place_name,
        event.place_address,
        event.postal_code,
        event.commune,
        event.departement_code,
        departement_name(event.departement_code),
        event.region_code,
        region_name(event.region_code),
        ", ".join(gettext(language, AUDIENCES.get(a, a)) for a in event.tag_values("audience")),
        ", ".join(
            gettext(language, ACCESSIBILITY.get(a, a)) for a in event.tag_values("accessibility")
        ),
        event.registration_url,
        event.registration_email,
        event.organizer_name,
        event.organizer_contact_name,
        event.organizer_contact_email,
        event.track.title if event.track else None,
        event.track_step,
        gettext(language, LIVE_STATUSES[event.status]),
        to_paris(event.published_at).isoformat() if event.published_at else None,
    ]
    return [spreadsheet_safe(value) for value in values]


def csv_export(events: Sequence[Event], base_url: str, *, language: str = "fr") -> str:
    """A UTF-8 CSV (with BOM, for spreadsheets), one row per event."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow(csv_row(event, base_url, language))
    return buffer.getvalue()


# JSON ------------------------------------------------------------------------------------------


def json_export(events: Sequence[Event], base_url: str) -> str:
    """`{"data": [EventRead...], "count": n}`."""
    data = [event_read(event, base_url).model_dump(mode="json") for event in events]
    return json.dumps({"data": data, "count": len(data)}, ensure_ascii=False, indent=1)


# Atom ------------------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = _clean(text)
    return element


def atom_feed(
    events: Sequence[Event], base_url: str, *, title: str, self_url: str, language: str = "fr"
) -> bytes:
    """An Atom feed of events, newest publication first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": language})
    _sub(feed, "title", title)
    _sub(feed, "id", self_url)
    _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=f"{base_url.rstrip('/')}/catalogue/", type="text/html")
    newest = max((e.published_at for e in events if e.published_at), default=None)
    _sub(feed, "updated", to_paris(newest or utc_now()).isoformat())
    _sub(_sub(feed, "author"), "name", "salon")
    for event in events:
        url = event_url(base_url, event.id)
        entry = _sub(feed, "entry")
        _sub(entry, "title", event.title, type="text")
        _sub(entry, "id", url)
        _sub(entry, "link", rel="alternate", href=url, type="text/html")
        published = to_paris(event.published_at or event.created_at).isoformat()
        _sub(entry, "published", published)
        _sub(entry, "updated", to_paris(event.updated_at).isoformat())
        _sub(_sub(entry, "author"), "name", event.organizer_name)
        _sub(entry, "summary", event.short_description, type="text")
        when = to_paris(event.first_start).strftime("%Y-%m-%d %H:%M")
        content = f"<p>{escape(when)} – {escape(place_line(event))}</p>"
        content += render_markdown(event.long_description)
        _sub(entry, "content", content, type="html")
        for theme in event.tag_values("theme"):
            _sub(entry, "category", term=_clean(theme))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
