"""Benchmark of the on-the-day repair: the AGIR example after 10 cancellations.

`bench_repair()` is a section of `make bench`; run alone with `python -m examples.bench_repair`.
It solves examples/agir-2023.json (time limit 10 s), then at 11:00 the 10 industrials with the
most meetings left cancel from 11:00, and the schedule is repaired with the default repair
options (the time the desk waits). Target: the repair answers in <= 3 s; the repaired schedule
keeps every rule of the changed salon and leaves the meetings before 11:00 as they were.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

from examples.bench import Check
from examples.generate import EXAMPLES_DIR
from scheduler.changes import ChangeSet, apply_changes
from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon
from scheduler.progress import SolveOptions
from scheduler.repair import changed_participants, repair_applied
from scheduler.solver import solve
from scheduler.validator import validate

NOW = dt.datetime(2023, 11, 28, 11, 0)
CANCELLATIONS = 10
TARGET_SECONDS = 3.0


def cancellations(salon: Salon, schedule: Schedule, count: int = CANCELLATIONS) -> ChangeSet:
    """The `count` industrials with the most meetings from NOW on cancel from NOW."""
    industrials = {p.id for p in salon.participants if p.role == "industrial"}
    left: Counter[str] = Counter(
        u for m in schedule.meetings if m.start >= NOW for u in (m.from_, m.to) if u in industrials
    )
    chosen = sorted(left, key=lambda u: (-left[u], u))[:count]
    return ChangeSet.model_validate(
        {
            "changes": [
                {"kind": "participant_cancelled", "participant": u, "from": NOW.isoformat()}
                for u in chosen
            ]
        }
    )


def bench_repair() -> list[Check]:
    salon = load_salon(EXAMPLES_DIR / "agir-2023.json")
    print("solving the AGIR example (time limit 10 s)...")
    schedule = solve(salon, SolveOptions(time_limit=10, workers=2))
    change_set = cancellations(salon, schedule)
    started = time.perf_counter()
    applied = apply_changes(salon, schedule, change_set, NOW)
    repaired = repair_applied(applied, schedule)
    seconds = time.perf_counter() - started
    changes = repaired.changes or []
    counts = Counter(c.kind for c in changes)
    reasons = Counter(f"{c.kind} ({c.reason})" for c in changes)
    print(f"repair after {CANCELLATIONS} cancellations at {NOW:%H:%M}: {seconds:.2f} s")
    print(
        f"  meetings {len(schedule.meetings)} -> {len(repaired.meetings)}; moved "
        f"{counts['moved']}, dropped {counts['dropped']}, added {counts['added']}; "
        f"{len(changed_participants(changes))} participants to tell"
    )
    for reason, count in sorted(reasons.items()):
        print(f"  {reason}: {count}")
    print(f"  search: {repaired.stats['repair']}")
    print("  objectives: " + ", ".join(f"{o.name} {o.value}" for o in repaired.objectives))
    violations = validate(applied.salon, repaired).violations
    past = {(m.from_, m.to, m.start, m.table) for m in schedule.meetings if m.start < NOW}
    kept = {(m.from_, m.to, m.start, m.table) for m in repaired.meetings}
    return [
        Check(f"repair <= {TARGET_SECONDS:g} s", seconds <= TARGET_SECONDS, f"{seconds:.2f} s"),
        Check("repaired schedule valid", not violations, f"{len(violations)} violation(s)"),
        Check("meetings before now unchanged", past <= kept, f"{len(past)} frozen"),
    ]


if __name__ == "__main__":
    for check in bench_repair():
        print(check.line())
