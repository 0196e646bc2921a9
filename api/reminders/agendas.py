"""A participant's agenda as the reminders and the agenda page compare it: its meetings' keys
(start, table, the other participant) and their digest, and the mail that carries it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from api.documents.views import Entry


@dataclass(frozen=True, order=True)
class MeetingKey:
    """What makes a meeting the same for its participant: when, where, with whom."""

    start: str
    table: str
    other: str

    def text(self) -> str:
        return f"{self.start}|{self.table}|{self.other}"


def meeting_keys(entries: Iterable[Entry]) -> list[MeetingKey]:
    return sorted(
        MeetingKey(e.start.isoformat(timespec="minutes"), e.table.id, e.other.id) for e in entries
    )


def agenda_digest(keys: Sequence[MeetingKey]) -> str:
    """The digest of an agenda's meetings (a republication that changes none keeps it)."""
    return hashlib.sha256("\n".join(k.text() for k in keys).encode("utf-8")).hexdigest()


def _line(entry: Entry, english: bool) -> str:
    table = f"table {entry.table.label}" + (f" ({entry.table.room})" if entry.table.room else "")
    other = entry.other.name + (f", {entry.other.organisation}" if entry.other.organisation else "")
    clock = f"{entry.start:%H:%M}-{entry.end:%H:%M}"
    return f"- {clock} {table} : {other}" if not english else f"- {clock} {table}: {other}"


def evening_mail(
    *, salon_name: str, name: str, day: dt.date, entries: Sequence[Entry], url: str
) -> tuple[str, str]:
    """The evening reminder (subject, body): the day's meetings, in French then English, the
    personal link; the calendar is attached."""
    french_day, english_day = f"{day:%d/%m/%Y}", f"{day:%Y-%m-%d}"
    subject = f"Vos rendez-vous de demain / Your meetings tomorrow – {salon_name}"
    link_fr = f"Votre agenda à jour : {url}" if url else ""
    link_en = f"Your up-to-date agenda: {url}" if url else ""
    body = "\n".join(
        [
            f"Bonjour {name},",
            "",
            f"Voici vos {len(entries)} rendez-vous du {french_day} au salon « {salon_name} » :",
            *(_line(e, False) for e in entries),
            "",
            link_fr,
            "Le calendrier joint (agenda.ics) les ajoute à votre agenda, avec un rappel avant "
            "chacun.",
            "",
            "-- English --",
            "",
            f"Hello {name},",
            "",
            f"Here are your {len(entries)} meetings of {english_day} at '{salon_name}':",
            *(_line(e, True) for e in entries),
            "",
            link_en,
            "The attached calendar (agenda.ics) adds them to yours, with an alarm before each.",
        ]
    )
    return subject, body
