"""What the room display shows: the salon's rounds (its time grid), the published meetings of
each round by table (of one hall, or all), and the server's time.

The display computes every countdown from the server's time (`now`, epoch milliseconds of
api.timestamps.utc_now, so the simulated clock of rehearsals too) plus the time elapsed since
it asked, never from timers adding up, so it stays right all day; the rounds carry epoch
milliseconds and labels already in the salon's timezone. `digest` names what was shown: a
display asking with the digest it knows gets only the time back while nothing changed (a
repair published changes it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.errors import not_found
from api.i18n import format_clock, format_day
from api.salons import storage
from api.salons.convert import salon_settings
from api.salons.tables import Salon, SalonTable
from api.timestamps import PARIS, clock_speed, from_storage, utc_now
from scheduler import format as v1
from scheduler.slots import build_slots


@dataclass(frozen=True)
class Round:
    """One rotation: every meeting of it starts and ends together (salon-local, naive)."""

    start: dt.datetime
    end: dt.datetime


def salon_zone(salon: Salon) -> ZoneInfo:
    """The salon's timezone (Paris for a name this machine does not know)."""
    try:
        return ZoneInfo(salon.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return PARIS


def epoch_ms(moment: dt.datetime, zone: ZoneInfo) -> int:
    """A salon-local naive time as epoch milliseconds."""
    return int(moment.replace(tzinfo=zone).timestamp() * 1000)


def server_now_ms() -> int:
    """The service's clock (api.timestamps) as epoch milliseconds."""
    return int(from_storage(utc_now()).timestamp() * 1000)


def salon_rounds(
    session: Session, salon: Salon, meeting_times: set[tuple[dt.datetime, dt.datetime]]
) -> list[Round]:
    """The salon's slots, as rounds; the meetings' own times if the grid cannot be built."""
    try:
        document = v1.Salon(**salon_settings(session, salon=salon), participants=[], wishes=[])
        rounds = {(slot.start, slot.end) for slot in build_slots(document)}
    except (ValidationError, ValueError):
        rounds = set()
    rounds |= meeting_times  # a repair may place a meeting off the grid: it is shown too
    return [Round(start, end) for start, end in sorted(rounds)]


def display_salon(session: Session, *, salon_id: int) -> Salon:
    salon = session.get(Salon, salon_id)
    if salon is None:
        raise not_found("Salon introuvable.")
    return salon


def _hall_of(table: SalonTable) -> str:
    return (table.room or "").strip()


def salon_halls(session: Session, *, salon: Salon) -> list[str]:
    """The salon's halls: the rooms its tables name, sorted."""
    return sorted({_hall_of(t) for t in storage.list_tables(session, salon_id=salon.id)} - {""})


def _person(name: str, organisation: str | None) -> str:
    return f"{name} ({organisation})" if organisation else name


def display_state(
    session: Session, *, salon: Salon, hall: str | None, known: str | None, language: str
) -> dict[str, Any]:
    """The display's JSON: the time only when `known` is still the digest, else everything."""
    schedule = storage.current_published(session, salon_id=salon.id)
    published = schedule.published_at.isoformat() if schedule and schedule.published_at else ""
    shown = f"{salon.id}:{schedule.id if schedule else 0}:{published}:{hall or ''}:{language}"
    digest = hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]
    clock = {"digest": digest, "now": server_now_ms(), "speed": clock_speed()}
    if known == digest:
        return {**clock, "unchanged": True}
    zone = salon_zone(salon)
    tables = {t.id: t for t in storage.list_tables(session, salon_id=salon.id)}
    halls = sorted({_hall_of(t) for t in tables.values()} - {""})
    meetings = (
        storage.schedule_meetings(session, schedule_id=schedule.id) if schedule is not None else []
    )
    if hall:
        meetings = [m for m in meetings if _hall_of(tables[m.table_id]) == hall]
    people = storage.participants_by_id(
        session, ids={i for m in meetings for i in (m.from_id, m.to_id)}
    )
    rounds = salon_rounds(session, salon, {(m.start, m.end) for m in meetings})
    index = {(r.start, r.end): i for i, r in enumerate(rounds)}
    by_round: dict[int, list[dict[str, Any]]] = defaultdict(list)
    table_order = {t.id: t.position for t in tables.values()}
    for m in sorted(meetings, key=lambda m: (m.start, table_order.get(m.table_id, 0))):
        table = tables[m.table_id]
        pair = [people[m.from_id], people[m.to_id]]
        pair.sort(key=lambda p: p.table_id is None)  # the table's owner (a director) first
        by_round[index[m.start, m.end]].append(
            {
                "table": table.name or table.code,
                "hall": _hall_of(table),
                "names": [_person(p.name, p.organisation) for p in pair],
            }
        )
    return {
        **clock,
        "unchanged": False,
        "salon": salon.name,
        "timezone": zone.key,
        "hall": hall or None,
        "halls": halls,
        "version": schedule.version if schedule else None,
        "rounds": [
            {
                "start": epoch_ms(r.start, zone),
                "end": epoch_ms(r.end, zone),
                "label": f"{format_clock(r.start, language)} – {format_clock(r.end, language)}",
                "day": format_day(r.start.date(), language),
                "meetings": by_round.get(i, []),
            }
            for i, r in enumerate(rounds)
        ],
    }
