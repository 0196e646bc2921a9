"""A solve reports its phases in order, so a live view never sits on a finished phase."""

from __future__ import annotations

from salon_builders import make_salon, person, wish

from scheduler.progress import Progress, SolveOptions
from scheduler.solver import solve


def test_a_solve_reports_selection_then_timetable_then_done() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("C1"), person("C2")],
        [wish("C1", "D1"), wish("C1", "D2"), wish("C2", "D1")],
    )
    seen: list[Progress] = []
    solve(salon, SolveOptions(time_limit=2, workers=1, on_progress=seen.append))
    phases = [p.phase for p in seen]
    first_timetable = phases.index("timetable")
    assert phases[0] == "selection" and phases[-1] == "done"
    assert set(phases[:first_timetable]) == {"selection"}
    assert seen[first_timetable].message == "0/1 sessions placed"
    assert seen[-1].values["coverage"] == 4
    elapsed = [p.elapsed for p in seen]
    assert elapsed == sorted(elapsed)
