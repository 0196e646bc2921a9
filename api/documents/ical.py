"""iCalendar feeds (RFC 5545): one per participant, one VEVENT per meeting.

UIDs derive from the salon's name and the pair of participants, so a republished schedule
updates each meeting in place (same UID, higher SEQUENCE) instead of adding a copy. Times carry
the salon's timezone (TZID) with its VTIMEZONE; the table (and room) is the LOCATION. Each
event carries a display alarm (VALARM) `alarm_minutes` before it (none for 0), and the URL of
the participant's online agenda when that link is absolute (RFC 5545's URL is a URI: a relative
path is left out rather than written wrong).

A meeting that an earlier publication held and the current one no longer does (a cancelled
wish, a participant withdrawn on the day) is written as a cancelled event (STATUS:CANCELLED,
same UID, the current SEQUENCE): a calendar that imported the earlier agenda drops it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from api.documents.views import Entry, SalonDocuments
from api.i18n import gettext
from api.timestamps import from_storage, utc_now

PRODID = "-//salon//agendas//FR"
DEFAULT_ALARM_MINUTES = 10
ASKED_TEXT = {
    "you": "Demandé par vous",
    "them": "Demandé par votre interlocuteur",
    "both": "Demandé par vous deux",
    "organiser": "Proposé par l'organisateur",
}


@dataclass(frozen=True)
class CancelledMeeting:
    """A meeting of an earlier publication that the current one does not hold: the partner
    (salon/v1 id, display name) and its last published times (salon-local)."""

    partner_id: str
    partner_name: str
    start: dt.datetime
    end: dt.datetime


def meeting_uid(salon_name: str, first: str, second: str) -> str:
    """A UID stable across republications: the salon and the (unordered) pair of ids."""
    a, b = sorted((first, second))
    digest = hashlib.sha256("\x1f".join((salon_name, a, b)).encode("utf-8")).hexdigest()
    return f"{digest[:32]}@salon"


def _utc(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """An aware UTC moment; naive moments are in the salon's timezone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(dt.UTC)


def sequence_of(published_at: dt.datetime | None, tz: ZoneInfo) -> int:
    """SEQUENCE of every event of a publication: minutes since 2020, growing with each one."""
    if published_at is None:
        return 0
    since = _utc(published_at, tz) - dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    return max(0, int(since.total_seconds() // 60))


def absolute_url(link: str | None) -> str | None:
    """`link` when it is an absolute http(s) URL, else None."""
    return link if link and link.startswith(("http://", "https://")) else None


def _alarm(summary: str, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", dt.timedelta(minutes=-minutes))
    return alarm


def _separator(language: str) -> str:
    return " : " if language == "fr" else ": "


def _timed_event(
    docs: SalonDocuments,
    pair: tuple[str, str],
    times: tuple[dt.datetime, dt.datetime],
    tz: ZoneInfo,
    stamp: dt.datetime,
) -> Event:
    """An event of the pair's meeting at `times` (salon-local): its UID, stamps and SEQUENCE."""
    event = Event()
    event.add("uid", meeting_uid(docs.salon.name, *pair))
    event.add("dtstamp", stamp)
    event.add("dtstart", times[0].replace(tzinfo=tz))
    event.add("dtend", times[1].replace(tzinfo=tz))
    event.add("sequence", sequence_of(docs.options.published_at, tz))
    return event


def _event(
    docs: SalonDocuments,
    entry: Entry,
    me: str,
    tz: ZoneInfo,
    stamp: dt.datetime,
    alarm_minutes: int,
) -> Event:
    language = docs.language
    other = entry.other
    summary = other.name + (f" ({other.organisation})" if other.organisation else "")
    event = _timed_event(docs, (me, other.id), (entry.start, entry.end), tz, stamp)
    event.add("summary", _separator(language).join((docs.salon.name, summary)))
    place = gettext(language, "Table %(table)s") % {"table": entry.table.label}
    event.add("location", f"{place}, {entry.table.room}" if entry.table.room else place)
    lines = [docs.salon.name, summary]
    if other.role:
        lines.append(other.role)
    lines.append(gettext(language, ASKED_TEXT[entry.asked]))
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    link = absolute_url(docs.options.links.get(me))
    if link:
        event.add("url", link)
    if alarm_minutes > 0:
        event.add_component(_alarm(str(event["summary"]), alarm_minutes))
    return event


def _cancelled_event(
    docs: SalonDocuments, meeting: CancelledMeeting, me: str, tz: ZoneInfo, stamp: dt.datetime
) -> Event:
    pair, times = (me, meeting.partner_id), (meeting.start, meeting.end)
    event = _timed_event(docs, pair, times, tz, stamp)
    parts = (gettext(docs.language, "Annulé"), docs.salon.name, meeting.partner_name)
    event.add("summary", _separator(docs.language).join(parts))
    event.add("status", "CANCELLED")
    event.add("transp", "TRANSPARENT")
    return event


def participant_calendar(
    docs: SalonDocuments,
    participant_id: str,
    *,
    alarm_minutes: int = DEFAULT_ALARM_MINUTES,
    cancelled: Sequence[CancelledMeeting] = (),
) -> bytes:
    """The iCalendar feed of one participant's meetings (RFC 5545 bytes, CRLF lines), each with
    an alarm `alarm_minutes` before it (none for 0), and a cancelled event for each meeting of
    `cancelled` whose partner it no longer meets."""
    tz = ZoneInfo(docs.salon.timezone)
    participant = docs.participants[participant_id]
    moment = docs.options.published_at or docs.options.generated_at or from_storage(utc_now())
    stamp = _utc(moment, tz)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{docs.salon.name} — {participant.name}")
    calendar.add("x-wr-timezone", docs.salon.timezone)
    partners = set()
    for meeting in docs.meetings_of.get(participant_id, []):
        entry = docs.entry(participant_id, meeting)
        partners.add(entry.other.id)
        calendar.add_component(_event(docs, entry, participant_id, tz, stamp, alarm_minutes))
    for gone in cancelled:
        if gone.partner_id not in partners:
            calendar.add_component(_cancelled_event(docs, gone, participant_id, tz, stamp))
    days = sorted({*docs.days, *(gone.start.date() for gone in cancelled)})
    if days:
        calendar.add_missing_timezones(
            first_date=days[0] - dt.timedelta(days=366),
            last_date=days[-1] + dt.timedelta(days=366),
        )
    return bytes(calendar.to_ical())
