"""A salon's statistics before any solve: its size, the relaxation bounds on each objective and
the participants asked more than they can hold (`salon stats`, the organiser's dashboard).

Everything is plain data (str, int, bool, lists and dicts) so that it prints as JSON as is.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from scheduler.bounds import Bounds, relaxation_bounds, time_bounds
from scheduler.format import Salon
from scheduler.problem import SalonProblem, build_problem
from scheduler.progress import SolveOptions


def salon_statistics(salon: Salon, time_limit: float, workers: int) -> dict[str, Any]:
    """Size, relaxation bounds and over-requested participants, as `salon stats --json` prints.

    Keys: `salon` (its name), `size` (see salon_size), `bounds` (see bound_figures, with
    `idle` and `breaks` lower bounds for the time objectives the salon lists) and
    `over_requested` (`participant`, `requests`, `capacity` for each participant asked more
    than it can hold, most over-asked first). The bounds come from CP-SAT solves of at most
    `time_limit` seconds each on `workers` workers.
    """
    problem = build_problem(salon)
    bounds = relaxation_bounds(problem, time_limit=time_limit, workers=workers)
    figures = bound_figures(bounds)
    if bounds.feasible:
        # Lower bounds from the required meetings alone (valid for every schedule).
        options = SolveOptions(time_limit=10 * time_limit, workers=1)
        figures.update(time_bounds(problem, {}, options))
    return {
        "salon": salon.name,
        "size": salon_size(problem),
        "bounds": figures,
        "over_requested": [
            {"participant": participant, "requests": requests, "capacity": capacity}
            for participant, requests, capacity in bounds.over_requested
        ],
    }


def salon_size(problem: SalonProblem) -> dict[str, Any]:
    """The figures that say how big and how constrained a salon is."""
    salon = problem.salon
    roles = Counter(p.role for p in salon.participants)
    return {
        "participants": len(salon.participants),
        "roles": dict(sorted(roles.items())),
        "home_tables": sum(1 for p in salon.participants if p.table is not None),
        "tables": len(problem.tables),
        "pool_tables": len(problem.pool_tables),
        "sessions": len(salon.sessions),
        "slots": len(problem.slots),
        "wishes": len(salon.wishes),
        "declined_wishes": sum(1 for w in salon.wishes if w.declined),
        "pairs": len(problem.pairs),
        "mutual_pairs": sum(1 for p in problem.pairs if len(p.wishes) > 1),
        "required_pairs": sum(1 for p in problem.pairs if p.required),
        "pinned_pairs": sum(1 for p in problem.pairs if p.pinned is not None),
        "pairs_without_common_slot": sum(
            1 for p in problem.pairs if not p.declined and not p.allowed
        ),
    }


def bound_figures(bounds: Bounds) -> dict[str, Any]:
    """The bounds as plain data: `coverage`, `score`, `meetings` (upper bounds), `fairness` only
    when the salon lists that objective, `proven` (every relaxation solved to optimality) and
    `feasible` (False: the required meetings cannot all hold, and the bounds say nothing)."""
    return {
        "coverage": bounds.coverage,
        "score": bounds.score,
        "meetings": bounds.meetings,
        **({} if bounds.fairness is None else {"fairness": bounds.fairness}),
        "proven": bounds.proven,
        "feasible": bounds.feasible,
    }
