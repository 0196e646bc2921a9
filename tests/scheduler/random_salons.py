"""A seeded generator of varied salon/v1 documents, for robustness tests.

`random_salon(rng)` draws every shape the format allows, in small sizes: 1 to 3 days, 1 to 4
sessions, meetings of 5 to 60 minutes with or without changeover, no tables, numbered tables,
named tables in rooms, a table pool smaller than needed, shared home tables, representatives,
caps (0 included), unavailability, required, pinned, `during`, declined and mutual wishes,
participants without any wish, salons without wishes or with one participant, max_in_a_row,
every objective order (breaks and fairness included), max_break_spread, and sessions
listed out of time order. The drawing only uses `rng.random`, `rng.randint`, `rng.choice`
and `rng.shuffle`, so a hypothesis `randoms()` instance works too.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

OBJECTIVE_ORDERS = [
    ["coverage", "score", "idle"],
    ["score", "coverage", "idle"],
    ["coverage", "score", "breaks"],
    ["coverage", "score", "idle", "breaks"],
    ["coverage", "score", "breaks", "idle"],
    ["coverage", "fairness", "score", "idle"],
    ["fairness", "breaks"],
    ["score", "fairness"],
    ["score", "breaks"],
    ["coverage"],
    ["idle"],
    ["breaks"],
]

Span = tuple[dt.datetime, dt.datetime]
"""A session as (start, end)."""


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def _sessions(rng: random.Random, meeting: int, changeover: int, most_slots: int) -> list[Span]:
    """1 to 4 sessions of 1 to `most_slots` slots over 1 to 3 days, some with a loose end."""
    days = rng.randint(1, 3)
    first = dt.datetime(2024, 3, 14, rng.choice([8, 9, 13]), rng.choice([0, 30]))
    spans: list[Span] = []
    for index in range(rng.randint(1, 4)):
        day = (first + dt.timedelta(days=min(index, days - 1))).date()
        if spans and spans[-1][0].date() == day:
            start = spans[-1][1] + dt.timedelta(minutes=rng.choice([0, 10, 60]))
        else:
            start = dt.datetime.combine(day, first.time())
        slots = rng.randint(1, most_slots)
        minutes = slots * meeting + (slots - 1) * changeover + rng.choice([0, 0, 3, changeover])
        end = start + dt.timedelta(minutes=minutes)
        if spans and (start.date() != day or end.date() != day):
            break  # the day is full
        if end.date() != day:
            end = start + dt.timedelta(minutes=meeting)  # the first session: one slot
        spans.append((start, end))
    return spans


def _slot_starts(spans: list[Span], meeting: int, changeover: int) -> list[dt.datetime]:
    starts = []
    for start, end in spans:
        current = start
        while current + dt.timedelta(minutes=meeting) <= end:
            starts.append(current)
            current += dt.timedelta(minutes=meeting + changeover)
    return starts


def _interval(rng: random.Random, spans: list[Span], meeting: int) -> dict[str, str]:
    start, end = rng.choice(spans)
    length = max(1, int((end - start).total_seconds() // 60))
    first = start + dt.timedelta(minutes=rng.randint(-10, length))
    last = first + dt.timedelta(minutes=rng.randint(1, 2 * meeting + 10))
    return {"start": first.isoformat(), "end": last.isoformat()}


def _tables(rng: random.Random, homes: list[str]) -> int | list[Any]:
    """No table, numbered tables, ids, or named tables in rooms; the pool often small."""
    pool = rng.choice([0, 1, 1, 2, 3])
    kind = rng.choice(["numbered", "ids", "named"]) if homes else rng.choice(
        ["none", "numbered", "ids", "named"]
    )
    if kind == "none":
        return 0
    if kind == "numbered":
        return len(homes) + pool  # homes are T1..Tk, the pool the next ones
    ids = homes + [f"P{i}" for i in range(1, pool + 1)]
    if kind == "ids":
        return ids
    rooms = ["Salle A", "Salle B"]
    return [{"id": t, "name": f"Table {t}", "room": rng.choice(rooms)} for t in ids]


def _participants(
    rng: random.Random, size: int, spans: list[Span], meeting: int
) -> tuple[list[dict[str, Any]], list[str]]:
    directors = rng.randint(0, min(3, size))
    homes: list[str] = []
    people = []
    for index in range(size):
        data: dict[str, Any] = {"id": f"U{index}", "name": f"Participant {index}"}
        if index < directors:
            if homes and _chance(rng, 0.25):
                data["table"] = homes[-1]  # a shared home table
            else:
                homes.append(f"T{len(homes) + 1}")
                data["table"] = homes[-1]
        elif _chance(rng, 0.3):
            data["representatives"] = rng.randint(2, 3)
        if _chance(rng, 0.25):
            data["max_meetings"] = rng.randint(0, 4)
        if _chance(rng, 0.25):
            data["unavailable"] = [
                _interval(rng, spans, meeting) for _ in range(rng.randint(1, 2))
            ]
        people.append(data)
    return people, homes


def _wishes(
    rng: random.Random, ids: list[str], starts: list[dt.datetime], spans: list[Span], meeting: int
) -> list[dict[str, Any]]:
    everyone = [(a, b) for a in ids for b in ids if a != b]
    rng.shuffle(everyone)
    many = rng.randint(len(ids), 3 * len(ids))
    count = rng.choice([0, rng.randint(1, 4), many, many])
    pinned: set[frozenset[str]] = set()
    wishes = []
    for asker, asked in everyone[:count]:
        wish: dict[str, Any] = {"from": asker, "to": asked, "priority": rng.randint(1, 3)}
        wish["required"] = _chance(rng, 0.15)
        wish["declined"] = _chance(rng, 0.1)
        if _chance(rng, 0.15):
            wish["during"] = [_interval(rng, spans, meeting) for _ in range(rng.randint(1, 2))]
        pair = frozenset((asker, asked))
        if pair not in pinned and _chance(rng, 0.12):
            wish["pinned"] = rng.choice(starts).isoformat()
            pinned.add(pair)
        wishes.append(wish)
        if _chance(rng, 0.2) and (asked, asker) in everyone[count:]:
            wishes.append({"from": asked, "to": asker, "priority": rng.randint(1, 3)})  # mutual
    return wishes


def _file_order(rng: random.Random, spans: list[Span]) -> list[Span]:
    """The sessions as a file may list them: usually in time order, sometimes not."""
    ordered = list(spans)
    if _chance(rng, 0.3):
        rng.shuffle(ordered)
    return ordered


def random_salon(rng: random.Random, most: int = 9, most_slots: int = 5) -> dict[str, Any]:
    """A valid salon/v1 document drawn from `rng` (see the module doc), of at most `most`
    participants and sessions of at most `most_slots` slots."""
    meeting = rng.choice([5, 10, 15, 20, 30, 45, 60])
    changeover = rng.choice([0, 0, 5, 10])
    spans = _sessions(rng, meeting, changeover, most_slots)
    starts = _slot_starts(spans, meeting, changeover)
    size = rng.choice([1, 2, rng.randint(2, 5), rng.randint(3, most), rng.randint(3, most)])
    people, homes = _participants(rng, size, spans, meeting)
    data: dict[str, Any] = {
        "format": "salon/v1",
        "name": "Salon aléatoire",
        "meeting_minutes": meeting,
        "changeover_minutes": changeover,
        "sessions": [
            {"date": s.date().isoformat(), "start": f"{s:%H:%M}", "end": f"{e:%H:%M}"}
            for s, e in _file_order(rng, spans)
        ],
        "tables": _tables(rng, homes),
        "objectives": rng.choice(OBJECTIVE_ORDERS),
        "participants": people,
        "wishes": _wishes(rng, [p["id"] for p in people], starts, spans, meeting),
    }
    if _chance(rng, 0.4):
        data["max_in_a_row"] = rng.randint(1, 3)
    if _chance(rng, 0.3):
        data["max_break_spread"] = rng.randint(0, 2)
    return data
