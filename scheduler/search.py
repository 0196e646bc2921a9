"""Searching the toolkit's models: budgets, solver parameters, the lexicographic stage loop and
the portfolio.

- `Work`: the effort of a part of a solve, deterministic in reproducible mode, wall-clock
  otherwise; `configure`: the solver parameters of one search;
- `run_stages`: the lexicographic stage loop, each stage hinted by the last placement and its
  value then kept; `solve_portfolio`: one stage's search, core-based beside CP-SAT's own
  portfolio where it pays.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.cpsat import Stage, TimeModel
from scheduler.progress import SolveOptions

WALL_DEADLINE: ContextVar[float] = ContextVar("wall_deadline", default=float("inf"))
"""The wall-clock time by which the current search must end (per thread of the timetable)."""

WORK_PER_SECOND = 0.5
"""Deterministic work units granted per second of the time limit in reproducible mode
(measured on this project's 2-core machines, model building included)."""

BUILD_WORK_PER_VARIABLE = 2e-5
"""Work units charged per model variable built in Python (measured: ~20 µs each)."""


_SEARCHES: dict[int, weakref.WeakSet[cp_model.CpSolver]] = {}
_SEARCHES_LOCK = threading.Lock()


@contextmanager
def interruptible(stop: threading.Event) -> Iterator[None]:
    """Within the block, every CP-SAT search configured with options whose `stop` is this
    event is ended at once by `interrupt(stop)`."""
    with _SEARCHES_LOCK:
        _SEARCHES[id(stop)] = weakref.WeakSet()
    try:
        yield
    finally:
        with _SEARCHES_LOCK:
            del _SEARCHES[id(stop)]


def interrupt(stop: threading.Event) -> None:
    """Set `stop` and end the searches running under it (see `interruptible`)."""
    with _SEARCHES_LOCK:
        stop.set()
        for solver in list(_SEARCHES.get(id(stop), ())):
            solver.stop_search()


def _register(solver: cp_model.CpSolver, stop: threading.Event | None) -> None:
    with _SEARCHES_LOCK:
        if stop is not None and id(stop) in _SEARCHES:
            _SEARCHES[id(stop)].add(solver)


def wall_left() -> float:
    """Seconds until the current WALL_DEADLINE."""
    return WALL_DEADLINE.get() - time.monotonic()


@dataclass
class Work:
    """The search effort of a part of a solve, in work units (about seconds of one core).

    Reproducible: CP-SAT's deterministic time plus model building, as charged, so that a fixed
    seed and worker count give the same schedule. Otherwise the wall clock (WORK_PER_SECOND
    units a second), and charges are ignored. Either way WALL_DEADLINE is a safety net.
    """

    budget: float
    reproducible: bool = True
    started: float = field(default_factory=time.monotonic)
    charged: float = 0.0

    @property
    def spent(self) -> float:
        if self.reproducible:
            return self.charged
        return (time.monotonic() - self.started) * WORK_PER_SECOND

    def left(self) -> float:
        return self.budget - self.spent

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.budget or wall_left() <= 0

    def charge(self, units: float) -> None:
        """Count work done outside CP-SAT (reproducible mode)."""
        self.charged += units

    def add_solve(self, solver: cp_model.CpSolver, variables: int) -> None:
        """Count a CP-SAT search and the variables built for it."""
        self.charge(solver.deterministic_time + BUILD_WORK_PER_VARIABLE * variables)


def configure(
    solver: cp_model.CpSolver,
    options: SolveOptions,
    seconds: float,
    workers: int = 1,
    core: bool = False,
    lp: bool = False,
) -> None:
    """Parameters of one CP-SAT search of at most `seconds`, never past WALL_DEADLINE.

    By default `seconds` is wall time; with options.reproducible it is deterministic work
    (seconds * WORK_PER_SECOND units) and the wall clock only a safety net. `core`: core-based
    search (sums of per-participant penalties), one worker. `lp`: CP-SAT's fullest linear
    relaxation (linearization level 2, its `max_lp` worker), which proves bounds where the
    relaxation is strong (agendas as patterns, scheduler.agendas).
    """
    _register(solver, options.stop)
    if options.stopped:  # interrupted before this search began
        seconds = 0.0
    parameters = solver.parameters
    parameters.num_workers = max(1, workers)
    parameters.catch_sigint_signal = False  # leave Ctrl-C to the host program
    parameters.random_seed = options.cp_seed
    if options.reproducible:
        parameters.max_deterministic_time = max(0.05, seconds * WORK_PER_SECOND)
        parameters.max_time_in_seconds = max(0.05, min(3 * seconds, wall_left()))
        if workers > 1:
            parameters.interleave_search = True
    else:
        parameters.max_time_in_seconds = max(0.05, min(seconds, wall_left()))
    if core:
        parameters.optimize_with_core = True
        parameters.linearization_level = 0
    elif lp:
        parameters.linearization_level = 2


@dataclass
class StagesResult:
    """What a lexicographic search reached: the best placement, each stage's value and proven
    bound, and whether each was proven optimal."""

    placement: dict[int, int]
    values: dict[str, int]
    bounds: dict[str, int]
    proven: dict[str, bool]
    found: bool
    infeasible: bool = False

    def all_proven(self, stages: list[Stage]) -> bool:
        """True when every stage was searched and proven optimal."""
        return self.found and all(self.proven.get(name, False) for name, _, _ in stages)


def run_stages(
    model: TimeModel,
    stages: list[Stage],
    hint: dict[int, int],
    options: SolveOptions,
    work: Work,
    workers: int = 1,
    core: frozenset[str] = frozenset(),
    lp: frozenset[str] = frozenset(),
) -> StagesResult:
    """Each stage optimised in turn from the last placement (a hint), its value then kept.

    Each stage gets an equal share of what is left of `work` (what a proven stage leaves goes
    to the later ones). Until a solution is found a stage is tried even on a spent budget.
    `infeasible` is set only when CP-SAT proved that the model has no solution. `core`, `lp`:
    the stages searched core-based, or with the fullest linear relaxation, beside CP-SAT's own
    search (`solve_portfolio`).
    """
    result = StagesResult(dict(hint), {}, {}, {}, found=False)
    for index, (name, expression, maximise) in enumerate(stages):
        share = work.left() / (len(stages) - index)
        if options.stopped or (result.found and (share <= 0.05 or work.exhausted)):
            break
        model.hint(result.placement)
        if maximise:
            model.model.maximize(expression)
        else:
            model.model.minimize(expression)
        seconds = max(0.05, share) / WORK_PER_SECOND
        answer = solve_portfolio(
            model, options, seconds, workers, maximise, name in core, name in lp
        )
        work.charge(answer.work)
        if answer.status == cp_model.INFEASIBLE:
            result.infeasible = True
            break
        if answer.placement is None:
            break
        result.found = True
        result.placement = answer.placement
        result.values[name] = answer.value
        result.bounds[name] = answer.bound
        result.proven[name] = answer.status == cp_model.OPTIMAL
        value = answer.value
        model.model.add(expression >= value if maximise else expression <= value)
    return result


@dataclass
class Answer:
    """What a search returned: its status, best placement, value and proven bound."""

    status: cp_model.CpSolverStatus
    placement: dict[int, int] | None = None
    value: int = 0
    bound: int = 0
    work: float = 0.0  # CP-SAT's deterministic time


def solve_portfolio(
    model: TimeModel,
    options: SolveOptions,
    seconds: float,
    workers: int,
    maximise: bool,
    core: bool = False,
    lp: bool = False,
) -> Answer:
    """The model's objective searched by CP-SAT within `seconds`.

    `core` (or `lp`), with two workers or more (and not reproducible): a portfolio of two
    searches side by side, a core-based one (MaxSAT-style: it raises the bound of sums of
    penalties fast, and finds the optimum of breaks where CP-SAT's own search does not), or
    one with the fullest linear relaxation (measured: with two workers CP-SAT runs none, and
    proved no bound where this one proves the optimum), and CP-SAT's own portfolio on the
    other workers (from the hint: it improves the schedule); the best schedule and the best
    bound of the two, both stopped as soon as one proves optimality. Otherwise CP-SAT's own
    portfolio on every worker (alone with one worker when `core` or `lp`).
    """
    if not (core or lp) or workers < 2 or options.reproducible:
        solver = cp_model.CpSolver()
        configure(solver, options, seconds, workers, core=core, lp=lp)
        return _answer(model, solver, solver.solve(model.model))
    solvers = [cp_model.CpSolver(), cp_model.CpSolver()]
    configure(solvers[0], options, seconds, 1, core=core, lp=lp)
    configure(solvers[1], options, seconds, max(2, workers - 1))
    copies = [model.model.clone(), model.model]
    meeting = _Meeting(solvers, maximise)

    def search(index: int) -> cp_model.CpSolverStatus:
        solvers[index].best_bound_callback = meeting.bounded
        status = solvers[index].solve(copies[index], _Found(meeting))
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            solvers[1 - index].stop_search()
        return status

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(search, range(2)))
    answers = [
        _answer(model, solver, status) for solver, status in zip(solvers, statuses, strict=True)
    ]
    return _best(answers, maximise)


class _Meeting:
    """The best value and bound of a portfolio's searches: all are stopped once they meet (one
    search's schedule proven optimal by the other's bound)."""

    def __init__(self, solvers: list[cp_model.CpSolver], maximise: bool) -> None:
        self.solvers = solvers
        self.maximise = maximise
        self.value: float | None = None
        self.bound: float | None = None
        self.lock = threading.Lock()

    def found(self, value: float) -> None:
        with self.lock:
            if self.value is None or (value > self.value) == self.maximise:
                self.value = value
            self._stop_if_met()

    def bounded(self, bound: float) -> None:
        with self.lock:
            if self.bound is None or (bound < self.bound) == self.maximise:
                self.bound = bound
            self._stop_if_met()

    def _stop_if_met(self) -> None:
        if self.value is None or self.bound is None:
            return
        if (self.value >= self.bound) if self.maximise else (self.value <= self.bound):
            for solver in self.solvers:
                solver.stop_search()


class _Found(cp_model.CpSolverSolutionCallback):
    """Tells a portfolio's meeting point of each schedule's value."""

    def __init__(self, meeting: _Meeting) -> None:
        super().__init__()
        self.meeting = meeting

    def on_solution_callback(self) -> None:
        self.meeting.found(self.objective_value)


def _answer(model: TimeModel, solver: cp_model.CpSolver, status: cp_model.CpSolverStatus) -> Answer:
    work = solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Answer(status, work=work)
    value = int(round(solver.objective_value))
    bound = int(round(solver.best_objective_bound))
    return Answer(status, model.placement(solver), value, bound, work)


def _best(answers: list[Answer], maximise: bool) -> Answer:
    """One answer from a portfolio's: a proof wins; else the best value, with the best bound."""
    for answer in answers:
        if answer.status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            return answer
    found = [a for a in answers if a.placement is not None]
    if not found:
        return answers[0]
    pick = max if maximise else min
    best = pick(found, key=lambda a: a.value)
    bounds = [a.bound for a in found]
    best.bound = min(bounds) if maximise else max(bounds)
    if best.bound == best.value:  # one search's schedule, proven by the other's bound
        best.status = cp_model.OPTIMAL
    return best
