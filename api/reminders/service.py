"""The reminders of the day before, and what changed since a participant last looked.

- `send_due_reminders(session, settings, now)`: the evening before each day of meetings (from
  `settings.reminder_hour` in the salon's timezone until the day's first meeting), each
  participant with an address and meetings that day gets them by mail, with its calendar
  (.ics, an alarm before each meeting) and its personal link. Each reminder is recorded
  (`reminders_sent`, unique per participant and day) before it is sent, so it is never sent
  twice, even by two senders at once; one that could not be sent is forgotten and tried again
  at the next run. Never called inside a request: the job queue's periodic task (api.queue)
  or `salon reminders send` (cron) runs it.
- `agenda_changes(...)`: the meetings added and removed since the participant last saw its
  agenda page (the page's banner), which is then recorded as seen.

After a published repair, only the participants whose agenda changed are mailed: that is the
repair's own mail (api.repairs.service.notify, once per repair, through api.mail: queued when
the job queue runs), which carries the new calendar (`calendar_attachments`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.documents import SalonDocuments
from api.documents.ical import participant_calendar
from api.documents.views import Entry
from api.mail import Attachment, MailNotSentError, send_mail
from api.pages import service as pages_service
from api.reminders import storage
from api.reminders.agendas import MeetingKey, agenda_digest, evening_mail, meeting_keys
from api.reminders.tables import ReminderSent
from api.salons import storage as salon_storage
from api.salons.printed_links import printed_links
from api.salons.tables import Participant, Salon, Schedule
from api.settings import Settings, get_settings
from api.timestamps import PARIS, from_storage, to_storage, utc_now

log = logging.getLogger(__name__)


def salon_zone(salon: Salon) -> ZoneInfo:
    try:
        return ZoneInfo(salon.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return PARIS


def evening_key(day: dt.date) -> str:
    return f"evening:{day.isoformat()}"


def due_days(
    first_meetings: dict[dt.date, dt.datetime], local_now: dt.datetime, hour: int
) -> list[dt.date]:
    """The days whose evening reminder is due at `local_now`: from `hour` the day before until
    the day's first meeting starts."""
    return sorted(
        day
        for day, first in first_meetings.items()
        if dt.datetime.combine(day - dt.timedelta(days=1), dt.time(hour)) <= local_now < first
    )


def send_due_reminders(
    session: Session, settings: Settings | None = None, now: dt.datetime | None = None
) -> int:
    """Send the reminders due at `now` (aware, or naive UTC; default: the clock's now) in every
    salon with a published schedule; how many were sent."""
    settings = settings or get_settings()
    moment = to_storage(now) if now is not None else utc_now()
    sent = 0
    for salon in storage.salons_with_published_schedules(session):
        sent += salon_reminders(session, settings=settings, salon=salon, now=moment)
    return sent


def salon_reminders(session: Session, *, settings: Settings, salon: Salon, now: dt.datetime) -> int:
    """The salon's due evening reminders (`now` naive UTC); how many were sent."""
    schedule = salon_storage.current_published(session, salon_id=salon.id)
    if schedule is None:
        return 0
    local = from_storage(now).astimezone(salon_zone(salon)).replace(tzinfo=None)
    meetings = salon_storage.schedule_meetings(session, schedule_id=schedule.id)
    first: dict[dt.date, dt.datetime] = {}
    people_of: dict[dt.date, set[int]] = defaultdict(set)
    for m in meetings:
        day = m.start.date()
        first[day] = min(first.get(day, m.start), m.start)
        people_of[day].update((m.from_id, m.to_id))
    sent = 0
    for day in due_days(first, local, settings.reminder_hour):
        done = storage.sent_keys(session, salon_id=salon.id, key=evening_key(day))
        wanted = people_of[day] - done
        people = salon_storage.participants_by_id(session, ids=wanted)
        to_mail = sorted((p for p in people.values() if p.email), key=lambda p: p.position)
        if not to_mail:
            continue
        links = printed_links(
            session, salon=salon, settings=settings, codes=[p.code for p in to_mail]
        )
        for person in to_mail:
            url = links.get(person.code, "")
            sent += send_evening(
                session, settings=settings, salon=salon, schedule=schedule, person=person,
                day=day, url=url,
            )
    return sent


def participant_documents(
    session: Session, *, salon: Salon, schedule: Schedule, person: Participant, url: str,
    language: str,
) -> SalonDocuments:
    """The participant's documents of the schedule for a mail: its link absolute (for the
    calendar), no QR code."""
    return pages_service.participant_documents(
        session, salon=salon, schedule=schedule, participant_id=person.id, code=person.code,
        link=url, language=language, qr_codes=False,
    )


def entries_of(docs: SalonDocuments, code: str, day: dt.date | None = None) -> list[Entry]:
    """The participant's meetings (of `day`, or all), in time order."""
    agenda = docs.agenda(code)
    return [
        entry
        for agenda_day in agenda.days
        if day is None or agenda_day.date == day
        for row in agenda_day.rows
        for entry in row.entries
    ]


def send_evening(
    session: Session,
    *,
    settings: Settings,
    salon: Salon,
    schedule: Schedule,
    person: Participant,
    day: dt.date,
    url: str,
) -> int:
    """One evening reminder: recorded, then sent (1), or forgotten when the mail fails (0)."""
    assert person.email
    docs = participant_documents(
        session, salon=salon, schedule=schedule, person=person, url=url,
        language=settings.default_language,
    )
    entries = entries_of(docs, person.code, day)
    if not entries:
        return 0
    subject, body = evening_mail(
        salon_name=salon.name, name=person.name, day=day, entries=entries, url=url
    )
    calendar = participant_calendar(
        docs,
        person.code,
        alarm_minutes=settings.ical_alarm_minutes,
        cancelled=pages_service.cancelled_meetings(
            session, schedule=schedule, participant_id=person.id
        ),
    )
    reminder = ReminderSent(
        salon_id=salon.id,
        participant_id=person.id,
        key=evening_key(day),
        schedule_version=schedule.version,
        digest=agenda_digest(meeting_keys(entries_of(docs, person.code))),
        sent_at=utc_now(),
    )
    if not storage.claim_reminder(session, reminder=reminder):
        session.rollback()
        return 0
    session.commit()  # claimed: no other sender sends it
    try:
        send_mail(
            settings, to=person.email, subject=subject, body=body,
            attachments=[("agenda.ics", "text/calendar", calendar)],
        )
    except MailNotSentError as error:
        log.warning("reminder %s to %s not sent: %s", reminder.key, person.code, error)
        storage.release_reminder(session, reminder_id=reminder.id)
        session.commit()
        return 0
    return 1


def calendar_attachments(
    session: Session, *, settings: Settings, salon: Salon, code: str, url: str
) -> list[Attachment]:
    """The participant's calendar of the published schedule, to attach to a mail (none when
    nothing is published or the participant is unknown)."""
    schedule = salon_storage.current_published(session, salon_id=salon.id)
    found = salon_storage.find_participants_by_code(session, salon_id=salon.id, codes=[code])
    if schedule is None or code not in found:
        return []
    docs = participant_documents(
        session, salon=salon, schedule=schedule, person=found[code], url=url,
        language=settings.default_language,
    )
    cancelled = pages_service.cancelled_meetings(
        session, schedule=schedule, participant_id=found[code].id
    )
    calendar = participant_calendar(
        docs, code, alarm_minutes=settings.ical_alarm_minutes, cancelled=cancelled
    )
    return [("agenda.ics", "text/calendar", calendar)]


# ------------------------------------------------------------------ the agenda page


@dataclass
class AgendaChanges:
    """What changed in an agenda since its participant last saw it (nothing the first time)."""

    added: list[MeetingKey] = field(default_factory=list)
    removed: list[MeetingKey] = field(default_factory=list)
    since_version: int | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def agenda_changes(
    session: Session, *, participant_id: int, version: int, keys: list[MeetingKey]
) -> AgendaChanges:
    """Compare the agenda shown now with the one last seen, then record it as seen."""
    digest = agenda_digest(keys)
    seen = storage.agenda_seen(session, participant_id=participant_id)
    changes = AgendaChanges()
    if seen is not None and seen.digest != digest:
        before = {MeetingKey(*item) for item in seen.meetings}
        now = set(keys)
        changes = AgendaChanges(
            sorted(now - before), sorted(before - now), since_version=seen.schedule_version
        )
    if seen is None or seen.digest != digest or seen.schedule_version != version:
        try:
            storage.set_agenda_seen(
                session,
                participant_id=participant_id,
                version=version,
                digest=digest,
                meetings=[[k.start, k.table, k.other] for k in keys],
                when=utc_now(),
            )
            session.commit()
        except IntegrityError:  # the same page opened twice at once: the other one recorded it
            session.rollback()
    return changes
