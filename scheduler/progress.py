"""Progress reports and cancellation shared by long solves (CLI, background jobs)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Progress:
    """A snapshot of a running solve.

    phase: one of PHASE_LABELS ("bounds", "selection", "timetable", "windows", "exact",
    "repair", "done"); values and bounds map an objective name to the best value found so far
    and the proven bound.
    """

    phase: str
    elapsed: float
    values: dict[str, int] = field(default_factory=dict)
    bounds: dict[str, int] = field(default_factory=dict)
    message: str = ""


PHASE_LABELS = {
    "bounds": "bornes",
    "selection": "choix des rendez-vous",
    "timetable": "placement dans les créneaux",
    "windows": "agendas d'un seul tenant",
    "exact": "modèle exact du salon entier",
    "repair": "réparation",
    "done": "terminé",
}
"""The French label of each phase a solve reports, for the `salon` command and the organiser's
pages (translated where shown)."""

ProgressCallback = Callable[[Progress], None]


@dataclass
class Clock:
    """Elapsed time and the remaining budget of a solve."""

    limit: float
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self, floor: float = 0.05) -> float:
        return max(floor, self.limit - self.elapsed)


PORTFOLIO_WORKERS = 8
"""CP-SAT's workers at the least: its portfolio of different searches (with two it runs
two strategies only, and on tight salons proves fewer bounds: docs/bench.md)."""


def default_workers() -> int:
    """The workers of a solve by default (`salon solve`, `make bench`): every core of the
    machine, and at least CP-SAT's portfolio (the service's default is the portfolio,
    Settings.solve_workers)."""
    return max(PORTFOLIO_WORKERS, os.cpu_count() or 1)


@dataclass
class SolveOptions:
    """How long and how hard to search.

    By default a solve uses its whole time limit on every core it is given (`workers` CP-SAT
    workers in all), and stops early only when every objective is proven optimal. With
    `reproducible`, budgets are counted in CP-SAT's deterministic work instead: a fixed seed and
    worker count then give the same schedule on any machine (tests, benches); the time limit
    stays a safety net.
    """

    time_limit: float = 60.0
    workers: int = 8
    seed: int = 0
    reproducible: bool = False
    on_progress: ProgressCallback | None = None
    stop: threading.Event | None = None

    def report(self, progress: Progress) -> None:
        if self.on_progress is not None:
            self.on_progress(progress)

    @property
    def cp_seed(self) -> int:
        """The seed in CP-SAT's range (any int is a valid seed of a solve)."""
        return cp_sat_seed(self.seed)

    @property
    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()


def cp_sat_seed(seed: int) -> int:
    """Any int as a CP-SAT random_seed, a 32-bit int (a larger one made CP-SAT raise): those
    that fit are kept, the others wrapped."""
    return seed if -(2**31) <= seed < 2**31 else seed % 2**31
