"""A tiny salon and its schedule for the document tests, built as salon/v1 and schedule/v1 files.

Two directors at home tables (T1 in "Salle A", T2), three industrials (one named with a
<script> tag, one with two representatives), a morning and an afternoon session (a lunch break
between them), an unavailable slot, a mutual wish and an unscheduled one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.documents import DocumentOptions, SalonDocuments
from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon, load_schedule

DAY = "2023-11-28"
EVIL = "<script>alert('x')</script> Évelyne"


def salon_data() -> dict[str, Any]:
    return {
        "format": "salon/v1",
        "name": "Salon test & démo",
        "meeting_minutes": 15,
        "sessions": [
            {"date": DAY, "start": "09:00", "end": "10:00"},
            {"date": DAY, "start": "14:00", "end": "14:30"},
        ],
        "tables": [{"id": "T1", "room": "Salle A"}, {"id": "T2"}, {"id": "P1"}],
        "participants": [
            {
                "id": "d1",
                "name": "Anne Directrice",
                "organisation": "DGA",
                "role": "Directrice de programme Frégates",
                "table": "T1",
            },
            {
                "id": "d2",
                "name": "Bruno Directeur",
                "organisation": "DGA",
                "role": "Directeur de programme Drones",
                "table": "T2",
                "unavailable": [{"start": f"{DAY}T09:45", "end": f"{DAY}T10:00"}],
            },
            {"id": "i1", "name": EVIL, "organisation": "=cmd|' /C calc'!A0", "role": "Présidente"},
            {
                "id": "i2",
                "name": "Claire Industrielle",
                "organisation": "Optique SAS",
                "role": "Ingénieure",
                "representatives": 2,
            },
            {"id": "i3", "name": "Denis Sanrendezvous", "organisation": "PME"},
        ],
        "wishes": [
            {"from": "i1", "to": "d1", "priority": 1},
            {"from": "d1", "to": "i1"},
            {"from": "i2", "to": "d1"},
            {"from": "i2", "to": "d2"},
            {"from": "d2", "to": "i1"},
            {"from": "i3", "to": "d2"},
        ],
    }


def meeting(a: str, b: str, start: str, table: str, minutes: int = 15) -> dict[str, Any]:
    begin = dt.datetime.fromisoformat(f"{DAY}T{start}")
    end = begin + dt.timedelta(minutes=minutes)
    return {"from": a, "to": b, "start": begin.isoformat(), "end": end.isoformat(), "table": table}


def schedule_data() -> dict[str, Any]:
    return {
        "format": "schedule/v1",
        "salon": "Salon test & démo",
        "status": "optimal",
        "meetings": [
            meeting("i1", "d1", "09:00", "T1"),
            meeting("i2", "d1", "09:15", "T1"),
            meeting("i2", "d2", "09:15", "T2"),
            meeting("d2", "i1", "14:15", "T2"),
        ],
        "unscheduled": [
            {
                "from": "i3",
                "to": "d2",
                "reason": "no_common_slot",
                "detail": "aucun créneau",
                "detail_en": "no common slot",
            },
        ],
    }


def tiny_salon() -> Salon:
    return load_salon(salon_data())


def tiny_schedule() -> Schedule:
    return load_schedule(schedule_data())


PUBLISHED = dt.datetime(2023, 11, 21, 18, 0)


def tiny_documents(**options: Any) -> SalonDocuments:
    values: dict[str, Any] = {"published_at": PUBLISHED}
    values.update(options)
    return SalonDocuments(tiny_salon(), tiny_schedule(), DocumentOptions(**values))
