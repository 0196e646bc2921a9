"""Agendas in one piece: the primal search and the bound of tight salons.

On a tight salon (every meeting required, each participant's meetings in one session) the
number of meetings of each participant is fixed, so an agenda without a break is a window of
exactly that many slots. The window model adds, to the exact model, for each such participant
a literal broken[u] and window starts st[u, i]: unless broken, exactly one start and
busy(u, s) = the starts covering s (a fixed-length interval, which propagates strongly where
the gap encoding does not). Its search, two phases:

1. fewest broken participants: a proven lower bound of both idle and breaks (a participant
   with a break has at least one break and one idle slot), and a start where almost every
   agenda is in one piece;
2. the agendas kept whole stay whole; the others get the exact gap encoding, and from phase
   1's placement the breaks over max_break_spread (soft: phase 1 ignores the rule, and a hard
   rule leaves CP-SAT without a start) then the salon's first time objective are minimised.
   Every agenda kept whole has no break, so once nothing is over, the spread holds.

The result is a valid schedule (every rule of the exact model) and the phase-1 bound; the
exact model then starts from it (scheduler.solver), its agendas as patterns no worse than it
(scheduler.agendas).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.agendas import Window, fixed_windows
from scheduler.cpsat import TimeModel, time_objectives, total
from scheduler.exact import exact_model
from scheduler.measures import breaks_of, busy_slots
from scheduler.problem import SalonProblem
from scheduler.progress import SolveOptions
from scheduler.rules import break_spread_limit, max_break_spread
from scheduler.search import WORK_PER_SECOND, Work, configure

FIRST_PHASE_SHARE = 0.5
"""Part of the window search's time that phase 1 may take (it stops once proven)."""

EXCESS_WEIGHT = 100
"""Weight, in phase 2, of each break over max_break_spread against the time objective."""


@dataclass
class WindowResult:
    """The window search's schedule (None if none found) and its proven lower bound of
    idle and breaks (0 when nothing was proven)."""

    placement: dict[int, int] | None
    bound: int


def add_windows(
    model: TimeModel, windows: dict[str, Window], whole: frozenset[str] = frozenset()
) -> dict[str, cp_model.IntVar]:
    """Post each participant's window (kept unless its broken literal is true; always kept
    for those in `whole`); the broken literals."""
    broken = {}
    for participant, window in sorted(windows.items()):
        literal = model.model.new_bool_var(f"broken_{participant}")
        broken[participant] = literal
        last_start = len(window.slots) - window.meetings
        starts = [model.model.new_bool_var(f"st_{participant}_{i}") for i in range(last_start + 1)]
        if participant in whole:
            model.model.add(literal == 0)
        if not starts:
            model.model.add(literal == 1)
            continue
        model.model.add(total(starts) == 1).only_enforce_if(~literal)
        for i, slot in enumerate(window.slots):
            cover = starts[max(0, i - window.meetings + 1) : min(i, last_start) + 1]
            model.model.add(model.busy(participant, slot) == total(cover)).only_enforce_if(~literal)
    model.add_pairing()
    return broken


def fewest_broken(
    model: TimeModel, windows: dict[str, Window], options: SolveOptions, work: Work
) -> tuple[dict[int, int] | None, set[str], int]:
    """Phase 1, on the exact model and its windows: a placement with the fewest broken
    agendas, those agendas, the proven bound."""
    broken = add_windows(model, windows)
    model.model.minimize(total(broken.values()))
    solver = cp_model.CpSolver()
    configure(solver, options, work.left() / WORK_PER_SECOND * FIRST_PHASE_SHARE, options.workers)
    solver.parameters.interleave_search = True  # LNS interleaved: measured best on these models
    status = solver.solve(model.model)
    work.add_solve(solver, len(model.x))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, set(), 0
    bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))
    chosen = {u for u, literal in broken.items() if solver.boolean_value(literal)}
    return model.placement(solver), chosen, bound


def mend_broken(
    problem: SalonProblem,
    options: SolveOptions,
    work: Work,
    start: dict[int, int],
    broken: set[str],
) -> dict[int, int] | None:
    """Phase 2: agendas not in `broken` stay whole (no break); from `start`, the breaks over
    max_break_spread (soft, EXCESS_WEIGHT each) and the salon's first time objective are
    minimised. A placement whose excess is 0 keeps the spread (the whole agendas have none);
    None when none was found. (A start for the exact model from a placement over the spread
    was measured worse than none.)"""
    model = exact_model(problem)
    windows = fixed_windows(model)
    whole = frozenset(u for u in windows if u not in broken)
    if not whole:
        return None  # nobody without a break: the spread would need the full rule
    add_windows(model, windows, whole)
    limit = break_spread_limit(problem)
    name = time_objectives(problem)[0]
    terms = model.time_terms(sorted(set(model.participants()) - whole))
    excess = []
    for participant, breaks in sorted(terms["breaks"].items()):
        if limit is not None:
            over = model.model.new_int_var(0, len(problem.slots), f"excess_{participant}")
            model.model.add(over >= breaks - limit)
            excess.append(over)
    model.model.minimize(EXCESS_WEIGHT * total(excess) + total(terms[name].values()))
    model.hint(start)
    solver = cp_model.CpSolver()
    configure(solver, options, max(0.05, work.left()) / WORK_PER_SECOND, options.workers)
    solver.parameters.interleave_search = True
    status = solver.solve(model.model)
    work.add_solve(solver, len(model.x))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    placement = model.placement(solver)
    if max_break_spread(problem, _breaks(problem, placement)) is not None:
        return None
    return placement


def _breaks(problem: SalonProblem, placement: dict[int, int]) -> dict[str, int]:
    """Each participant's breaks, of those who have meetings."""
    return {u: breaks_of(problem, slots) for u, slots in busy_slots(problem, placement).items()}


def window_search(problem: SalonProblem, options: SolveOptions, work: Work) -> WindowResult:
    """Both phases within `work`: a valid schedule with few broken agendas, and the bound."""
    model = exact_model(problem)
    windows = fixed_windows(model)
    if not windows:
        return WindowResult(None, 0)
    placement, broken, bound = fewest_broken(model, windows, options, work)
    if placement is None or options.stopped:
        return WindowResult(None, bound)
    return WindowResult(mend_broken(problem, options, work, placement, broken), bound)
