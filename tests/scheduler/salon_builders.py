"""Small builders of salon/v1 and schedule/v1 documents for the scheduler tests.

The default salon has one session on 2024-03-14 from 09:00 to 10:00 with 15-minute meetings:
four slots at 09:00, 09:15, 09:30 and 09:45.
"""

from __future__ import annotations

from typing import Any

from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon, load_schedule

DAY = "2024-03-14"


def at(hhmm: str, day: str = DAY) -> str:
    """The local datetime `day`T`hhmm`:00 as written in the files."""
    return f"{day}T{hhmm}:00"


def session(start: str = "09:00", end: str = "10:00", day: str = DAY) -> dict[str, str]:
    return {"date": day, "start": start, "end": end}


def person(pid: str, table: str | None = None, **fields: Any) -> dict[str, Any]:
    """A participant named after its id; `table` is its home table."""
    data: dict[str, Any] = {"id": pid, "name": f"Participant {pid}", **fields}
    if table is not None:
        data["table"] = table
    return data


def wish(asker: str, asked: str, **fields: Any) -> dict[str, Any]:
    return {"from": asker, "to": asked, **fields}


def interval(start: str, end: str, day: str = DAY) -> dict[str, str]:
    return {"start": at(start, day), "end": at(end, day)}


def salon_data(
    participants: list[dict[str, Any]],
    wishes: list[dict[str, Any]],
    tables: int | list[str] | None = None,
    sessions: list[dict[str, str]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A salon/v1 dict; tables default to every home table plus one pool table P1."""
    if tables is None:
        homes = sorted({p["table"] for p in participants if "table" in p})
        tables = [*homes, "P1"]
    return {
        "format": "salon/v1",
        "name": "Salon de test",
        "meeting_minutes": 15,
        "sessions": sessions or [session()],
        "tables": tables,
        "participants": participants,
        "wishes": wishes,
        **fields,
    }


def make_salon(
    participants: list[dict[str, Any]],
    wishes: list[dict[str, Any]],
    tables: int | list[str] | None = None,
    sessions: list[dict[str, str]] | None = None,
    **fields: Any,
) -> Salon:
    """A checked Salon (through load_salon, as the CLI reads it)."""
    return load_salon(salon_data(participants, wishes, tables, sessions, **fields))


def meeting(
    asker: str, asked: str, start: str, table: str, minutes: int = 15, day: str = DAY
) -> dict[str, str]:
    """A schedule/v1 meeting starting at `start` (HH:MM) and lasting `minutes`."""
    hours, mins = divmod(int(start[:2]) * 60 + int(start[3:]) + minutes, 60)
    return {
        "from": asker,
        "to": asked,
        "start": at(start, day),
        "end": at(f"{hours:02d}:{mins:02d}", day),
        "table": table,
    }


def make_schedule(meetings: list[dict[str, str]], salon: str = "Salon de test") -> Schedule:
    return load_schedule({"format": "schedule/v1", "salon": salon, "meetings": meetings})
