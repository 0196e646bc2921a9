"""The literature's forums (../shared/bench/paper, beside the project root): each gives a valid
schedule with a small time limit, never a claim of impossibility, and its proven bound never
exceeds the optimum the paper proves."""

from __future__ import annotations

import json

import pytest

from examples.bench_paper import PAPER_DIR as PAPER
from scheduler.format import Salon
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.solver import solve
from scheduler.validator import validate

OPTIMA = json.loads((PAPER / "optima.json").read_text()) if PAPER.is_dir() else {}
SECONDS = 20.0  # forum-14: a first schedule can take over 10 s while the SAT search has a core


@pytest.mark.skipif(not OPTIMA, reason=f"no paper instances at {PAPER}")
@pytest.mark.parametrize("name", sorted(OPTIMA) or ["absent"])
def test_a_forum_of_the_literature_gets_a_valid_schedule_and_honest_bounds(name: str) -> None:
    salon = Salon.model_validate(json.loads((PAPER / f"{name}.json").read_text()))
    schedule = solve(salon, SolveOptions(time_limit=SECONDS, workers=2))
    assert validate(salon, schedule).valid
    assert len(schedule.meetings) == len(build_problem(salon).pairs)  # all required
    breaks = next(o for o in schedule.objectives if o.name == "breaks")
    assert breaks.bound <= OPTIMA[name] <= breaks.value
