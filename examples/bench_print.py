"""Benchmark of the batch PDFs: 370 agendas of a generated AGIR-size salon in one PDF.

`bench_print_batch()` is a section of `make bench`; run alone with
`python -m examples.bench_print`. The schedule is placed greedily (this measures printing,
not solving), with long French names and organisations to stress the layout.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import time
from typing import Any

from scheduler.format import (
    Participant,
    Salon,
    Schedule,
    ScheduledMeeting,
    SessionSpec,
    TableSpec,
    Wish,
)
from scheduler.slots import build_slots

FIRST_NAMES = [
    "Anne",
    "Benoît",
    "Céline",
    "Damien",
    "Élodie",
    "François",
    "Géraldine",
    "Hervé",
    "Inès",
    "Jérôme",
    "Karine",
    "Laurent",
    "Maëlle",
    "Nicolas",
    "Océane",
    "Pierre-Yves",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Laurent-Delacroix",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
]
COMPANIES = [
    "Thalès Systèmes Aéroportés",
    "Naval Group",
    "Safran Electronics & Defense",
    "PME Mécanique de Précision du Berry",
    "Optique et Photonique Avancées SAS",
    "Cyber-Défense Solutions",
    "Start-up Drones Autonomes",
    "Matériaux Composites de l'Ouest",
]
PROGRAMMES = [
    "Directeur de programme Rafale",
    "Directrice de programme Frégates",
    "Directeur de programme Spatial militaire",
    "Directrice de programme Cyber",
    "Directeur de programme Drones",
    "Directeur de programme Munitions",
]


def generated_salon(directors: int = 70, industrials: int = 300, seed: int = 0) -> Salon:
    """An AGIR-size salon: directors at home tables, industrials with five wishes each."""
    rng = random.Random(seed)
    day = dt.date(2023, 11, 28)

    def name() -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    people = [
        Participant(
            id=f"d{i}",
            name=name(),
            organisation="Direction générale de l'armement",
            role=rng.choice(PROGRAMMES),
            table=f"T{i}",
        )
        for i in range(1, directors + 1)
    ] + [
        Participant(
            id=f"i{i}",
            name=name(),
            organisation=rng.choice(COMPANIES),
            role="Responsable des affaires",
        )
        for i in range(1, industrials + 1)
    ]
    wishes = [
        Wish.model_validate({"from": f"i{i}", "to": f"d{d}", "priority": rng.randint(1, 3)})
        for i in range(1, industrials + 1)
        for d in rng.sample(range(1, directors + 1), 5)
    ]
    return Salon(
        name="Salon de la demande 2023",
        meeting_minutes=15,
        sessions=[
            SessionSpec(date=day, start=dt.time(9, 0), end=dt.time(12, 30)),
            SessionSpec(date=day, start=dt.time(14, 0), end=dt.time(17, 30)),
        ],
        tables=[
            TableSpec(id=f"T{i}", room=f"Salle {1 + (i - 1) // 20}")
            for i in range(1, directors + 1)
        ],
        participants=people,
        wishes=wishes,
    )


def greedy_schedule(salon: Salon) -> Schedule:
    """Each wish at the first slot where both are free, at the director's table."""
    slots = build_slots(salon)
    tables = {p.id: p.table for p in salon.participants}
    busy: set[tuple[str, int]] = set()
    meetings = []
    for wish in salon.wishes:
        for slot in slots:
            if (wish.from_, slot.index) in busy or (wish.to, slot.index) in busy:
                continue
            busy.update({(wish.from_, slot.index), (wish.to, slot.index)})
            meetings.append(
                ScheduledMeeting.model_validate(
                    {
                        "from": wish.from_,
                        "to": wish.to,
                        "start": slot.start,
                        "end": slot.end,
                        "table": tables[wish.to] or tables[wish.from_],
                    }
                )
            )
            break
    return Schedule(salon=salon.name, meetings=meetings)


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def bench_print_batch() -> list[Any]:
    """Seconds and pages of one PDF with the 370 agendas of an AGIR-size salon; its targets."""
    from api.documents import DocumentOptions, SalonDocuments, agendas_pdf
    from examples.bench import Check

    salon = generated_salon()
    schedule = greedy_schedule(salon)
    options = DocumentOptions(
        published_at=dt.datetime(2023, 11, 21, 18, 0),
        links={
            p.id: f"https://salon.example.org/p/{p.id}-0123456789abcdef" for p in salon.participants
        },
    )
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    docs = SalonDocuments(salon, schedule, options)
    agendas = docs.agendas()
    result = agendas_pdf(docs, agendas)
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    print(
        f"  {len(agendas)} agendas ({len(schedule.meetings)} meetings), {result.pages} pages, "
        f"{len(result.pdf) / 1e6:.1f} MB in {elapsed:.1f} s "
        f"(CPU {cpu:.1f} s in this process and its workers; load average before: {_load()})"
    )
    return [
        Check("370 agendas in <= 30 s", elapsed <= 30, f"{elapsed:.1f} s"),
        Check("one page per agenda", result.pages == len(agendas), f"{result.pages} pages"),
    ]


if __name__ == "__main__":
    for check in bench_print_batch():
        print(check.line())
