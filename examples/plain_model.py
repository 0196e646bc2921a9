"""The bench's peer: a plain time-indexed CP-SAT model of the whole salon, nothing else.

x[p, s] for every pair and allowed slot, every rule of scheduler.rules posted, the salon's
objectives solved lexicographically, stage after stage, each with CP-SAT's own defaults on
every worker: no selection, no decomposition, no hint, no portfolio of ours. `make bench`
prints it beside the product, given the same time, so that the product is never worse than
what a plain model finds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.exact import exact_model, exact_stages
from scheduler.format import Salon
from scheduler.problem import build_problem


@dataclass
class PlainResult:
    """The plain model's values and proven bounds (empty when it found nothing in time)."""

    values: dict[str, int]
    bounds: dict[str, int]
    optimal: bool
    seconds: float
    status: str


def solve_plain(salon: Salon, seconds: float, workers: int) -> PlainResult:
    """Each objective in turn, an equal share of what is left, its value then kept."""
    started = time.monotonic()
    model = exact_model(build_problem(salon))
    stages = exact_stages(model)
    values: dict[str, int] = {}
    bounds: dict[str, int] = {}
    optimal = True
    status_name = "UNKNOWN"
    for index, (name, expression, maximise) in enumerate(stages):
        left = seconds - (time.monotonic() - started)
        if left <= 0.05:
            optimal = False
            break
        if maximise:
            model.model.maximize(expression)
        else:
            model.model.minimize(expression)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        solver.parameters.max_time_in_seconds = left / (len(stages) - index)
        status = solver.solve(model.model)
        status_name = solver.status_name(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            optimal = False
            break
        values[name] = int(round(solver.objective_value))
        bounds[name] = int(round(solver.best_objective_bound))
        optimal = optimal and status == cp_model.OPTIMAL
        model.model.add(expression >= values[name] if maximise else expression <= values[name])
    return PlainResult(values, bounds, optimal, time.monotonic() - started, status_name)
