"""The example salons, made by seeded, reproducible generators.

`python -m examples.generate` rewrites examples/small.json, examples/brokerage.json and
examples/agir-2023.json; the same seeds always give the same bytes. The "10x" salon of the
benchmark is not a file: `generate_scaled(10, seed)` makes it on the fly.

- small.json: 5 programme directors, 12 companies, 26 wishes, one two-hour session (README).
- brokerage.json: an any-to-any brokerage event (EEN style), 60 participants, 20 pooled tables,
  every wish required; feasible by construction (a planted schedule is checked on generation).
- agir-2023.json: `generate_scaled(1, AGIR_SEED)`: 70 directors at home tables, 300 companies,
  about 1,800 ranked wishes with a Zipf-like popularity of the programmes, one day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from examples.names import (
    COMPANY_CORES,
    COMPANY_PREFIXES,
    COMPANY_TRADES,
    DIRECTOR_ORGANISATIONS,
    FIRST_NAMES,
    INVESTORS,
    LAST_NAMES,
    LEGAL_FORMS,
    PROGRAMME_CONTEXTS,
    PROGRAMME_SUBJECTS,
    RESEARCH_PLACES,
    RESEARCH_PREFIXES,
    RESEARCH_SUBJECTS,
    SUPPORT_BODIES,
)
from scheduler.format import Salon, Schedule, ScheduledMeeting
from scheduler.loading import load_salon
from scheduler.slots import Slot, build_slots
from scheduler.validator import validate

EXAMPLES_DIR = Path(__file__).resolve().parent
AGIR_SEED = 2023
BROKERAGE_SEED = 2024
SCALED_BENCH_SEED = 10

# AGIR-style salons: per factor 1, one day of two sessions of 15-minute meetings.
DIRECTORS_PER_FACTOR = 70
INDUSTRIALS_PER_FACTOR = 300
AGIR_DAYS = [dt.date(2023, 11, 28), dt.date(2023, 11, 29)]
AGIR_DAY_SESSIONS = [(dt.time(9, 0), dt.time(12, 20)), (dt.time(14, 0), dt.time(17, 40))]
WISHES_PER_INDUSTRIAL = {4: 15, 5: 25, 6: 25, 7: 15, 8: 20}  # count: relative frequency
ZIPF_EXPONENT = 1.0
TABLES_PER_HALL = 35
SHARE_TWO_REPRESENTATIVES = 0.10
SHARE_CAPPED = 0.04  # companies that want at most CAPPED_MEETINGS meetings
CAPPED_MEETINGS = 3
SHARE_AFTERNOON_ONLY = 0.08  # companies arriving after lunch on the first day
SHARE_DIRECTORS_AWAY = 0.06  # directors away for one hour
SHARE_DIRECTORS_ASKING = 0.35  # directors who also ask to meet 1 to 3 companies
REQUIRED_PER_FACTOR = 8

# Brokerage event.
BROKERAGE_DATE = dt.date(2024, 6, 13)
BROKERAGE_ROLES = {"company": 34, "research": 12, "investor": 6, "support": 8}
BROKERAGE_TABLES = 20
BROKERAGE_MEETINGS_PER_SLOT = 15  # planted meetings per slot, below the 20 tables
BROKERAGE_MUTUAL_SHARE = 0.15


# ---------------------------------------------------------------- shared helpers


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits of a text, for e-mail addresses."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in flat.lower() if c.isalnum())


def _email(first: str, last: str, organisation: str) -> str:
    return f"{_ascii(first)}.{_ascii(last)}@{_ascii(organisation)[:24]}.example"


def _people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` distinct (first name, last name) couples."""
    picks = rng.sample(range(len(FIRST_NAMES) * len(LAST_NAMES)), count)
    return [(FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[i // len(FIRST_NAMES)]) for i in picks]


def _companies(rng: random.Random, count: int) -> list[str]:
    """`count` distinct company names such as 'Aérotech Systèmes SAS'."""
    cores, trades = len(COMPANY_CORES), len(COMPANY_TRADES)
    picks = rng.sample(range(len(COMPANY_PREFIXES) * cores * trades), count)
    names = []
    for i in picks:
        prefix, rest = divmod(i, cores * trades)
        core, trade = divmod(rest, trades)
        brand = COMPANY_PREFIXES[prefix] + COMPANY_CORES[core]
        names.append(f"{brand} {COMPANY_TRADES[trade]} {rng.choice(LEGAL_FORMS)}")
    return names


def _programmes(rng: random.Random, count: int) -> list[str]:
    """`count` distinct programme titles such as 'Radars en milieu naval'."""
    contexts = len(PROGRAMME_CONTEXTS)
    picks = rng.sample(range(len(PROGRAMME_SUBJECTS) * contexts), count)
    return [
        f"{PROGRAMME_SUBJECTS[i // contexts]} {PROGRAMME_CONTEXTS[i % contexts]}" for i in picks
    ]


def _at(day: dt.date, time: dt.time) -> str:
    return dt.datetime.combine(day, time).isoformat()


def _interval(start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


def _frame_salon(frame: dict[str, Any]) -> Salon:
    """The salon of a dict's frame: its time grid and tables (participants and wishes left out)."""
    return Salon.model_validate({**frame, "participants": [], "wishes": []})


def dumps(salon: dict[str, Any]) -> str:
    """A salon/v1 dict as JSON text: one line per session, table, participant and wish."""
    lines = ["{"]
    items = list(salon.items())
    for n, (key, value) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows = [json.dumps(v, ensure_ascii=False) for v in value]
            lines.append(f'  "{key}": [')
            lines.extend(f"    {row}," for row in rows[:-1])
            lines.append(f"    {rows[-1]}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- AGIR-style salons


def _zipf_popularity(rng: random.Random, count: int) -> list[float]:
    """Popularity of each director: Zipf-like ranks, shuffled within every block of 70.

    Each block of DIRECTORS_PER_FACTOR directors has the popularity profile of AGIR 2023, so
    a scaled salon asks as much of each of its directors as the one-day salon does.
    """
    weights = [0.0] * count
    for block in range(0, count, DIRECTORS_PER_FACTOR):
        members = list(range(block, min(count, block + DIRECTORS_PER_FACTOR)))
        ranks = list(range(len(members)))
        rng.shuffle(ranks)
        for member, rank in zip(members, ranks, strict=True):
            weights[member] = 1.0 / (rank + 1) ** ZIPF_EXPONENT
    return weights


def _pick_distinct(
    rng: random.Random, population: Sequence[str], cum_weights: list[float], k: int
) -> list[str]:
    """k distinct members drawn by weight, in draw order (most wanted first)."""
    chosen: list[str] = []
    while len(chosen) < k:
        pick = rng.choices(population, cum_weights=cum_weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def _priorities(count: int) -> list[int]:
    """Priorities of a ranked list: the first third 1, the next third 2, the rest 3."""
    return [1 + (3 * i) // count for i in range(count)]


def _agir_frame(factor: int) -> dict[str, Any]:
    days = AGIR_DAYS[: 1 if factor == 1 else 2]
    name = "Rencontres AGIR 2023" if factor == 1 else f"Rencontres AGIR ×{factor} (synthétique)"
    digits = max(2, len(str(DIRECTORS_PER_FACTOR * factor)))
    return {
        "format": "salon/v1",
        "name": name,
        "timezone": "Europe/Paris",
        "meeting_minutes": 15,
        "changeover_minutes": 5,
        "sessions": [
            {"date": day.isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
            for day in days
            for start, end in AGIR_DAY_SESSIONS
        ],
        "tables": [
            {"id": f"T{i:0{digits}d}", "room": f"Hall {chr(ord('A') + (i - 1) // TABLES_PER_HALL)}"}
            for i in range(1, DIRECTORS_PER_FACTOR * factor + 1)
        ],
        "max_in_a_row": 6,
        "objectives": ["coverage", "score", "idle"],
    }


def _agir_directors(
    rng: random.Random, frame: dict[str, Any], people: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    organisations = [o for o, _ in DIRECTOR_ORGANISATIONS]
    frequencies = [f for _, f in DIRECTOR_ORGANISATIONS]
    digits = max(2, len(str(len(people))))
    directors = []
    for i, ((first, last), programme) in enumerate(
        zip(people, _programmes(rng, len(people)), strict=True)
    ):
        organisation = rng.choices(organisations, weights=frequencies)[0]
        directors.append(
            {
                "id": f"D{i + 1:0{digits}d}",
                "name": f"{first} {last}",
                "organisation": f"{organisation} · {programme}",
                "role": "director",
                "table": frame["tables"][i]["id"],
                "email": _email(first, last, organisation.split(" ")[0]),
            }
        )
    salon = _frame_salon(frame)
    slots = build_slots(salon)
    hour = dt.timedelta(hours=1)
    for director in rng.sample(directors, round(SHARE_DIRECTORS_AWAY * len(directors))):
        session = rng.randrange(len(salon.sessions))
        ends = salon.sessions[session].ends_at
        starts = [s.start for s in slots if s.session == session and s.start + hour <= ends]
        start = rng.choice(starts)
        director["unavailable"] = [_interval(start, start + hour)]
    return directors


def _agir_industrials(
    rng: random.Random, frame: dict[str, Any], people: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    count = len(people)
    digits = max(3, len(str(count)))
    industrials = []
    for i, ((first, last), company) in enumerate(
        zip(people, _companies(rng, count), strict=True)
    ):
        industrial: dict[str, Any] = {
            "id": f"I{i + 1:0{digits}d}",
            "name": f"{first} {last}",
            "organisation": company,
            "role": "industrial",
            "email": _email(first, last, company.rsplit(" ", 1)[0]),
        }
        if rng.random() < SHARE_TWO_REPRESENTATIVES:
            industrial["representatives"] = 2
        if rng.random() < SHARE_CAPPED:
            industrial["max_meetings"] = CAPPED_MEETINGS
        industrials.append(industrial)
    first_day = frame["sessions"][0]["date"]
    morning = _interval(
        dt.datetime.fromisoformat(f"{first_day}T08:00"),
        dt.datetime.fromisoformat(f"{first_day}T13:00"),
    )
    for industrial in rng.sample(industrials, round(SHARE_AFTERNOON_ONLY * count)):
        industrial["unavailable"] = [morning]
    return industrials


def _agir_wishes(
    rng: random.Random,
    directors: list[dict[str, Any]],
    industrials: list[dict[str, Any]],
    factor: int,
) -> list[dict[str, Any]]:
    director_ids = [d["id"] for d in directors]
    popularity = _zipf_popularity(rng, len(directors))
    cum_weights = [sum(popularity[: i + 1]) for i in range(len(popularity))]
    sizes, frequencies = list(WISHES_PER_INDUSTRIAL), list(WISHES_PER_INDUSTRIAL.values())
    wishes: list[dict[str, Any]] = []
    askers: dict[str, list[str]] = {d: [] for d in director_ids}
    for industrial in industrials:
        k = rng.choices(sizes, weights=frequencies)[0]
        targets = _pick_distinct(rng, director_ids, cum_weights, k)
        for target, priority in zip(targets, _priorities(k), strict=True):
            wishes.append({"from": industrial["id"], "to": target, "priority": priority})
            askers[target].append(industrial["id"])
    _mark_required(rng, wishes, REQUIRED_PER_FACTOR * factor)
    industrial_ids = [i["id"] for i in industrials]
    for director in rng.sample(directors, round(SHARE_DIRECTORS_ASKING * len(directors))):
        asked: list[str] = []
        for _ in range(rng.randint(1, 3)):
            pool = [i for i in askers[director["id"]] if i not in asked]
            if not pool or rng.random() < 0.3:
                pool = [i for i in industrial_ids if i not in asked]
            asked.append(rng.choice(pool))
        for target in asked:
            wishes.append(
                {"from": director["id"], "to": target, "priority": rng.choice([1, 2, 2, 3])}
            )
    return wishes


def _mark_required(rng: random.Random, wishes: list[dict[str, Any]], count: int) -> None:
    """Make `count` wishes required, at most one per company and one per director."""
    used: set[str] = set()
    marked = 0
    for wish in rng.sample(wishes, len(wishes)):
        if marked == count:
            return
        if wish["from"] in used or wish["to"] in used:
            continue
        wish["required"] = True
        used.update((wish["from"], wish["to"]))
        marked += 1


def generate_scaled(factor: int, seed: int, industrials: int | None = None) -> dict[str, Any]:
    """An AGIR-style salon/v1 dict `factor` times the size of AGIR 2023.

    factor 1 with AGIR_SEED is examples/agir-2023.json (70 directors, 300 companies, one day);
    factor 10 has 700 directors, 3,000 companies, about 18,500 wishes over two days (4 sessions).
    `industrials`: another number of companies (a tighter or looser salon).
    """
    if factor < 1:
        raise ValueError(f"factor must be at least 1, not {factor}")
    rng = random.Random(seed)
    frame = _agir_frame(factor)
    directors_count = DIRECTORS_PER_FACTOR * factor
    companies = INDUSTRIALS_PER_FACTOR * factor if industrials is None else industrials
    people = _people(rng, directors_count + companies)
    directors = _agir_directors(rng, frame, people[:directors_count])
    visitors = _agir_industrials(rng, frame, people[directors_count:])
    wishes = _agir_wishes(rng, directors, visitors, factor)
    return {**frame, "participants": directors + visitors, "wishes": wishes}


def agir_tight(seed: int = SCALED_BENCH_SEED) -> dict[str, Any]:
    """An AGIR-size salon that is not loose: 320 companies and at most 5 meetings in a row."""
    return {**generate_scaled(1, seed, industrials=320), "max_in_a_row": 5}


def agir_2023() -> dict[str, Any]:
    """Rencontres AGIR 2023: examples/agir-2023.json."""
    return generate_scaled(1, AGIR_SEED)


# ---------------------------------------------------------------- brokerage event


def _organisation(rng: random.Random, role: str, last: str, company: str) -> str:
    if role == "company":
        return company
    if role == "research":
        prefix, subject = rng.choice(RESEARCH_PREFIXES), rng.choice(RESEARCH_SUBJECTS)
        return f"{prefix} {subject} {rng.choice(RESEARCH_PLACES)}"
    if role == "investor":
        return f"{last} {rng.choice(INVESTORS)}"
    return f"{rng.choice(SUPPORT_BODIES)} {rng.choice(RESEARCH_PLACES)}"


def _brokerage_frame() -> dict[str, Any]:
    day = BROKERAGE_DATE.isoformat()
    return {
        "format": "salon/v1",
        "name": "Rendez-vous d'affaires européens de l'innovation 2024",
        "timezone": "Europe/Paris",
        "meeting_minutes": 20,
        "changeover_minutes": 10,
        "sessions": [
            {"date": day, "start": "09:30", "end": "12:30"},
            {"date": day, "start": "14:00", "end": "17:30"},
        ],
        "tables": [f"B{i:02d}" for i in range(1, BROKERAGE_TABLES + 1)],
        "objectives": ["coverage", "score", "idle"],
    }


def _brokerage_participants(rng: random.Random) -> list[dict[str, Any]]:
    roles = [role for role, count in BROKERAGE_ROLES.items() for _ in range(count)]
    rng.shuffle(roles)
    people = _people(rng, len(roles))
    companies = _companies(rng, len(roles))
    participants: list[dict[str, Any]] = []
    for i, (role, (first, last), company) in enumerate(
        zip(roles, people, companies, strict=True)
    ):
        organisation = _organisation(rng, role, last, company)
        participants.append(
            {
                "id": f"P{i + 1:02d}",
                "name": f"{first} {last}",
                "organisation": organisation,
                "role": role,
                "email": _email(first, last, organisation.split(" ")[0]),
            }
        )
    away = rng.sample(participants, 9)
    lunch, evening = _at(BROKERAGE_DATE, dt.time(13)), _at(BROKERAGE_DATE, dt.time(18))
    for participant in away[:5]:  # leave at lunch
        participant["unavailable"] = [{"start": lunch, "end": evening}]
    for participant in away[5:]:  # come after lunch
        participant["unavailable"] = [{"start": _at(BROKERAGE_DATE, dt.time(8)), "end": lunch}]
    return participants


def _free(participant: dict[str, Any], slot: Slot) -> bool:
    return not any(
        dt.datetime.fromisoformat(i["start"]) < slot.end
        and slot.start < dt.datetime.fromisoformat(i["end"])
        for i in participant.get("unavailable", [])
    )


def _plant_meetings(
    rng: random.Random, participants: list[dict[str, Any]], slots: list[Slot]
) -> list[tuple[str, str, Slot]]:
    """A schedule drawn first: disjoint random pairs in every slot, 2 to 6 meetings each."""
    remaining = {p["id"]: rng.randint(2, 6) for p in participants}
    by_id = {p["id"]: p for p in participants}
    met: set[frozenset[str]] = set()
    planted: list[tuple[str, str, Slot]] = []
    for slot in slots:
        free = [p for p in remaining if remaining[p] > 0 and _free(by_id[p], slot)]
        rng.shuffle(free)
        free.sort(key=lambda p: -remaining[p])
        busy: set[str] = set()
        in_slot = 0
        for a in free:
            if a in busy or in_slot == BROKERAGE_MEETINGS_PER_SLOT:
                continue
            partner = next(
                (b for b in free if b != a and b not in busy and frozenset((a, b)) not in met),
                None,
            )
            if partner is None:
                continue
            planted.append((a, partner, slot))
            met.add(frozenset((a, partner)))
            busy.update((a, partner))
            remaining[a] -= 1
            remaining[partner] -= 1
            in_slot += 1
    return planted


def witness_schedule(salon: Salon, planted: list[tuple[str, str, Slot]]) -> Schedule:
    """The planted meetings as a schedule, each at the next free table of the pool."""
    used: dict[int, int] = {}
    tables = [t.id for t in salon.table_specs()]
    meetings = []
    for a, b, slot in planted:
        table = tables[used.get(slot.index, 0)]
        used[slot.index] = used.get(slot.index, 0) + 1
        meetings.append(
            ScheduledMeeting.model_validate(
                {"from": a, "to": b, "start": slot.start, "end": slot.end, "table": table}
            )
        )
    return Schedule(salon=salon.name, meetings=meetings)


def brokerage_with_witness(
    seed: int = BROKERAGE_SEED,
) -> tuple[dict[str, Any], list[tuple[str, str, Slot]]]:
    """The brokerage salon dict and the planted meetings that prove it feasible."""
    rng = random.Random(seed)
    frame = _brokerage_frame()
    participants = _brokerage_participants(rng)
    planted = _plant_meetings(rng, participants, build_slots(_frame_salon(frame)))
    wishes = []
    for a, b, _slot in rng.sample(planted, len(planted)):
        asker, asked = (a, b) if rng.random() < 0.5 else (b, a)
        wishes.append({"from": asker, "to": asked, "priority": rng.randint(1, 3), "required": True})
        if rng.random() < BROKERAGE_MUTUAL_SHARE:
            wishes.append(
                {"from": asked, "to": asker, "priority": rng.randint(1, 3), "required": True}
            )
    return {**frame, "participants": participants, "wishes": wishes}, planted


def brokerage(seed: int = BROKERAGE_SEED) -> dict[str, Any]:
    """The brokerage event: every wish required, checked feasible through its planted schedule."""
    data, planted = brokerage_with_witness(seed)
    salon = load_salon(data)
    report = validate(salon, witness_schedule(salon, planted))
    if not report.valid:
        raise RuntimeError(f"the planted brokerage schedule is invalid: {report.violations[0]}")
    return data


# ---------------------------------------------------------------- small example

SMALL_DIRECTORS = [
    ("D1", "Claire Dubois", "DGA · Drones tactiques de nouvelle génération"),
    ("D2", "Julien Moreau", "AID · Intelligence artificielle pour le combat terrestre"),
    ("D3", "Sophie Lambert", "Gendarmerie nationale – PJGN · Police technique et scientifique"),
    ("D4", "Nicolas Faure", "Marine nationale · Surveillance maritime"),
    ("D5", "Hélène Girard", "Service de santé des armées · Santé du combattant"),
]
SMALL_COMPANIES = [
    ("C01", "Camille Roux", "Aérosys Robotique SAS"),
    ("C02", "Thomas Petit", "Optivision Optronique SA"),
    ("C03", "Isabelle Morel", "Cyberguard Sécurité SAS"),
    ("C04", "Laurent Blanc", "Navallink Systèmes SARL"),
    ("C05", "Aurélie Mercier", "Datanov Logiciels SAS"),
    ("C06", "Mathieu Bonnet", "Biocell Instruments SAS"),
    ("C07", "Émilie Garnier", "Photoflux Photonique SASU"),
    ("C08", "Olivier Perrin", "Terradrone Ingénierie SAS"),
    ("C09", "Marion Robin", "Quantisense Technologies SA"),
    ("C10", "Vincent Masson", "Granitlab Composites SAS"),
    ("C11", "Julie Fontaine", "Mariwave Électronique SAS"),
    ("C12", "Antoine Chevalier", "Voltacom Énergie SARL"),
]
# (from, to, priority); C11 -> D4 is required.
SMALL_WISHES = [
    ("C01", "D1", 1), ("C01", "D2", 2), ("C01", "D4", 3),
    ("C02", "D1", 1), ("C02", "D3", 2),
    ("C03", "D2", 1), ("C03", "D1", 2),
    ("C04", "D1", 1), ("C04", "D4", 2),
    ("C05", "D1", 1), ("C05", "D2", 1), ("C05", "D3", 2),
    ("C06", "D5", 1), ("C06", "D1", 2),
    ("C07", "D3", 1), ("C07", "D4", 2),
    ("C08", "D1", 1), ("C08", "D5", 2),
    ("C09", "D2", 1), ("C09", "D4", 1),
    ("C10", "D3", 1), ("C10", "D1", 2),
    ("C11", "D4", 1), ("C11", "D5", 2),
    ("C12", "D1", 3),
    ("D2", "C09", 1),
]


def small() -> dict[str, Any]:
    """A salon small enough to read: the README's example."""
    day = "2024-03-14"
    participants: list[dict[str, Any]] = [
        {"id": i, "name": n, "organisation": o, "role": "director", "table": f"T{i[1:]}"}
        for i, n, o in SMALL_DIRECTORS
    ]
    participants += [
        {"id": i, "name": n, "organisation": o, "role": "industrial"} for i, n, o in SMALL_COMPANIES
    ]
    by_id = {p["id"]: p for p in participants}
    by_id["D3"]["unavailable"] = [{"start": f"{day}T10:20:00", "end": f"{day}T11:00:00"}]
    by_id["C07"]["unavailable"] = [{"start": f"{day}T09:00:00", "end": f"{day}T09:40:00"}]
    by_id["C05"]["representatives"] = 2
    wishes: list[dict[str, Any]] = [
        {"from": a, "to": b, "priority": p} for a, b, p in SMALL_WISHES
    ]
    wishes[SMALL_WISHES.index(("C11", "D4", 1))]["required"] = True
    return {
        "format": "salon/v1",
        "name": "Salon découverte",
        "timezone": "Europe/Paris",
        "meeting_minutes": 15,
        "changeover_minutes": 5,
        "sessions": [{"date": day, "start": "09:00", "end": "11:00"}],
        "tables": [f"T{i}" for i in range(1, 6)],
        "objectives": ["coverage", "score", "idle"],
        "participants": participants,
        "wishes": wishes,
    }


# ---------------------------------------------------------------- files

EXAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "small.json": small,
    "brokerage.json": brokerage,
    "agir-2023.json": agir_2023,
}


def write_examples(directory: Path = EXAMPLES_DIR) -> list[Path]:
    """Write every example file into `directory`, each checked with load_salon first."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, make in EXAMPLES.items():
        data = make()
        load_salon(data)
        path = directory / filename
        path.write_text(dumps(data), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rewrite the example salon files.")
    parser.add_argument("--out", type=Path, default=EXAMPLES_DIR, help="target directory")
    args = parser.parse_args(argv)
    for path in write_examples(args.out):
        salon = load_salon(path)
        print(
            f"{path}: {len(salon.participants)} participants, {len(salon.wishes)} wishes, "
            f"{len(build_slots(salon))} slots"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
