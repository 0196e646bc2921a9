"""`make bench`: speed and quality of the scheduler against its targets, in named sections.

A section is a function registered with `@bench_section(name, description)`, or by
`lazy_section(name, description, "module:function")` for one kept in another module (imported
only when the section runs). It takes `options: BenchOptions` (or no argument), prints its own
table and returns its target checks (a list of Check, or None), printed PASS / MISS / SKIP.
Sections run in registration order; `--only NAME` (repeatable) picks some; a section that
raises is reported as a miss and the others still run. `run_in_child` runs a function in a
fresh process and measures its wall time and peak memory.

The scheduling sections (small, brokerage, agir-2023, 10x) solve each instance with the greedy
baseline (examples.greedy) and with the solver (scheduler.solver.solve), validate both schedules
with scheduler.validator and check the instance's targets. The exit status is 1 when a target
is missed.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import multiprocessing
import resource
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from examples.generate import EXAMPLES_DIR, SCALED_BENCH_SEED, agir_tight, dumps, generate_scaled
from examples.greedy import greedy_schedule
from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon, load_schedule
from scheduler.problem import SalonProblem, build_problem
from scheduler.progress import default_workers
from scheduler.slots import build_slots
from scheduler.validator import Report, validate


@dataclass
class BenchOptions:
    """Command-line options every section receives."""

    time_limit: float | None = None  # None: each section's own limit
    workers: int = 8
    seed: int = 0


@dataclass(frozen=True)
class Check:
    """A target: passed True (PASS), False (MISS) or None (SKIP: could not be measured)."""

    label: str
    passed: bool | None
    detail: str = ""

    def line(self) -> str:
        mark = {True: "PASS", False: "MISS", None: "SKIP"}[self.passed]
        return f"  {mark}  {self.label}" + (f": {self.detail}" if self.detail else "")


BenchFunction = Callable[..., "list[Check] | None"]


@dataclass(frozen=True)
class Section:
    name: str
    description: str
    function: BenchFunction | str  # a function, or "module:function" imported when run

    def resolve(self) -> BenchFunction:
        if not isinstance(self.function, str):
            return self.function
        module, _, attribute = self.function.partition(":")
        function: BenchFunction = getattr(importlib.import_module(module), attribute)
        return function

    def run(self, options: BenchOptions) -> list[Check]:
        """The section's checks; an exception becomes a missed check."""
        try:
            function = self.resolve()
            wants_options = "options" in inspect.signature(function).parameters
            result = function(options=options) if wants_options else function()
        except Exception as exc:
            traceback.print_exc()
            return [Check(f"section {self.name} ran", False, f"{type(exc).__name__}: {exc}")]
        return list(result or [])


SECTIONS: dict[str, Section] = {}


def bench_section(name: str, description: str) -> Callable[[BenchFunction], BenchFunction]:
    """Register the decorated function as the bench section `name`."""

    def register(function: BenchFunction) -> BenchFunction:
        SECTIONS[name] = Section(name, description, function)
        return function

    return register


def lazy_section(name: str, description: str, target: str) -> None:
    """Register the function at `target` ("module:function") as a section, imported when run."""
    SECTIONS[name] = Section(name, description, target)


# ---------------------------------------------------------------- measuring in a child


@dataclass
class ChildRun:
    """What a function returned in a child process, its wall time and the child's peak RSS."""

    value: Any = None
    error: str | None = None
    seconds: float = 0.0
    peak_bytes: int = 0


def peak_rss_bytes() -> int:
    """This process's peak resident memory (VmHWM), from /proc or getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _measured(function: Callable[..., Any], args: tuple[Any, ...]) -> ChildRun:
    started = time.perf_counter()
    try:
        value, error = function(*args), None
    except Exception as exc:  # reported in the table, the bench goes on
        value = None
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"
    return ChildRun(value, error, time.perf_counter() - started, peak_rss_bytes())


def run_in_child(function: Callable[..., Any], *args: Any) -> ChildRun:
    """Run a module-level function in a fresh spawned process: its result, time and memory."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=1) as pool:
        run: ChildRun = pool.apply(_measured, (function, args))
    return run


# ---------------------------------------------------------------- scheduling sections


def solver_available() -> str | None:
    """None when scheduler.solver imports, else why not."""
    try:
        importlib.import_module("scheduler.solver")
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def schedule_in_child(
    method: str, salon_json: str, time_limit: float, workers: int, seed: int
) -> tuple[dict[str, Any], float]:
    """Load a salon and schedule it ("greedy" or "solver"): the schedule and the solve time."""
    salon = load_salon(salon_json)
    started = time.perf_counter()
    schedule: Schedule
    if method == "greedy":
        schedule = greedy_schedule(salon)
    else:
        from scheduler.progress import SolveOptions
        from scheduler.solver import solve

        options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed)
        schedule = solve(salon, options)
    return schedule.to_json_dict(), time.perf_counter() - started


@dataclass
class Outcome:
    """One method's schedule on one instance, validated."""

    method: str
    run: ChildRun
    schedule: Schedule | None = None
    report: Report | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.schedule is not None and self.report is not None

    def objective(self, name: str) -> tuple[int, int] | None:
        """(value, bound) of an objective as the schedule states it."""
        if self.schedule is None:
            return None
        for objective in self.schedule.objectives:
            if objective.name == name:
                return objective.value, objective.bound
        return None

    @property
    def first_seconds(self) -> float | None:
        if self.schedule is None:
            return None
        value = self.schedule.stats.get("first_solution_seconds")
        return None if value is None else float(value)

    def violation_counts(self) -> Counter[str]:
        return Counter(v.rule for v in self.report.violations) if self.report else Counter()


def run_method(
    method: str, salon: Salon, problem: SalonProblem, salon_json: str, time_limit: float,
    options: BenchOptions,
) -> Outcome:
    """Schedule in a child process, then validate the schedule here."""
    run = run_in_child(
        schedule_in_child, method, salon_json, time_limit, options.workers, options.seed
    )
    outcome = Outcome(method, run)
    if run.error is None:
        payload, seconds = run.value
        outcome.schedule = load_schedule(payload)
        outcome.seconds = seconds
        outcome.report = validate(salon, outcome.schedule, problem)
    return outcome


@dataclass
class Instance:
    """A salon to schedule, its default time limit and its targets."""

    name: str
    description: str
    make: Callable[[], dict[str, Any]]
    time_limit: float
    targets: Callable[[Outcome, Outcome], list[Check]] = field(default=lambda g, s: [])


def _cell(value: object, width: int = 10) -> str:
    return f"{value!s:>{width}}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _megabytes(value: int) -> str:
    return f"{value / 2**20:.0f} MB" if value else "-"


def _violations(outcome: Outcome) -> str:
    counts = outcome.violation_counts()
    if not counts:
        return "0"
    detail = ", ".join(f"{rule} {n}" for rule, n in counts.most_common())
    return f"{sum(counts.values())} ({detail})"


def print_table(salon: Salon, outcomes: list[Outcome]) -> None:
    """Objective values and bounds, times, memory and violations, one column pair per method."""
    header = "".join(_cell(o.method, 22) for o in outcomes)
    print(f"  {'':<20}{header}")
    print(f"  {'':<20}" + "".join(_cell("value", 11) + _cell("bound", 11) for _ in outcomes))
    for name in salon.objectives:
        row = ""
        for outcome in outcomes:
            pair = outcome.objective(name)
            row += _cell("-", 11) * 2 if pair is None else _cell(pair[0], 11) + _cell(pair[1], 11)
        print(f"  {name:<20}{row}")
    rows: list[tuple[str, Callable[[Outcome], str]]] = [
        ("status", lambda o: o.schedule.status if o.schedule else "error"),
        ("first schedule", lambda o: _seconds(o.first_seconds)),
        ("total", lambda o: _seconds(o.seconds) if o.ok else "-"),
        ("peak memory", lambda o: _megabytes(o.run.peak_bytes)),
        ("meetings", lambda o: str(len(o.schedule.meetings)) if o.schedule else "-"),
        ("unscheduled wishes", lambda o: str(len(o.schedule.unscheduled)) if o.schedule else "-"),
    ]
    for label, render in rows:
        print(f"  {label:<20}" + "".join(_cell(render(o), 22) for o in outcomes))
    for outcome in outcomes:
        print(f"  violations ({outcome.method}): {_violations(outcome) if outcome.ok else '-'}")
        if outcome.run.error:
            print(f"  error ({outcome.method}): {outcome.run.error.rstrip()}")


def validity_checks(greedy: Outcome, solver: Outcome | None) -> list[Check]:
    """Every schedule validates; the greedy one may only miss required meetings."""
    checks = []
    if greedy.report is not None:
        counts = greedy.violation_counts()
        others = sum(n for rule, n in counts.items() if rule != "required_meeting")
        detail = f"{counts['required_meeting']} required meeting(s) not placed" if counts else ""
        checks.append(Check("greedy schedule valid", others == 0, detail))
    else:
        checks.append(Check("greedy schedule valid", False, "greedy failed"))
    if solver is not None:
        if solver.report is not None:
            detail = "no violation" if solver.report.valid else _violations(solver)
            checks.append(Check("solver schedule valid", solver.report.valid, detail))
        else:
            checks.append(Check("solver schedule valid", False, "the solver failed"))
    return checks


def bench_instance(instance: Instance, options: BenchOptions) -> list[Check]:
    """Greedy and solver on one instance: table and target checks."""
    salon = load_salon(instance.make())
    problem = build_problem(salon)
    time_limit = options.time_limit or instance.time_limit
    print(
        f"{instance.name}: {salon.name}: {len(salon.participants)} participants, "
        f"{len(salon.wishes)} wishes, {len(problem.pairs)} pairs, {len(build_slots(salon))} slots"
    )
    salon_json = dumps(salon.to_json_dict())
    greedy = run_method("greedy", salon, problem, salon_json, time_limit, options)
    missing = solver_available()
    solver = None
    if missing is None:
        solver = run_method("solver", salon, problem, salon_json, time_limit, options)
        print(
            f"  solver: {options.workers} worker(s), time limit {time_limit:g} s, "
            f"seed {options.seed}"
        )
    else:
        print(f"  scheduler.solver is not available yet ({missing}): greedy only")
    print_table(salon, [greedy] + ([solver] if solver else []))
    checks = validity_checks(greedy, solver)
    if solver is None:
        checks.append(Check("solver targets", None, "scheduler.solver is not available"))
    elif solver.ok:
        checks.extend(instance.targets(greedy, solver))
    else:
        checks.append(Check("solver targets", False, "the solver returned no schedule"))
    return checks


# ---------------------------------------------------------------- targets


def proven_optimal(solver: Outcome, name: str) -> Check:
    pair = solver.objective(name)
    if pair is None:
        return Check(f"{name} proven optimal", None, f"no {name} objective")
    value, bound = pair
    return Check(f"{name} proven optimal", value == bound, f"{value} vs bound {bound}")


def within_share_of_bound(solver: Outcome, name: str, share: float) -> Check:
    pair = solver.objective(name)
    if pair is None:
        return Check(f"{name} >= {share:.1%} of bound", None, f"no {name} objective")
    value, bound = pair
    ratio = value / bound if bound else 1.0
    detail = f"{value} / {bound} = {ratio:.2%}"
    return Check(f"{name} >= {share:.1%} of bound", ratio >= share, detail)


def idle_below_greedy(greedy: Outcome, solver: Outcome, divisor: int) -> Check:
    label = f"idle <= greedy idle / {divisor}"
    if greedy.report is None or solver.report is None:
        return Check(label, None, "a schedule is missing")
    ours, theirs = solver.report.objectives["idle"], greedy.report.objectives["idle"]
    return Check(label, ours * divisor <= theirs, f"{ours} vs greedy {theirs}")


def time_within(solver: Outcome, seconds: float) -> Check:
    return Check(f"total <= {seconds:g} s", solver.seconds <= seconds, _seconds(solver.seconds))


def memory_within(solver: Outcome, gigabytes: float) -> Check:
    peak = solver.run.peak_bytes
    return Check(
        f"peak memory <= {gigabytes:g} GB", peak <= gigabytes * 2**30, _megabytes(peak)
    )


def agir_targets(greedy: Outcome, solver: Outcome) -> list[Check]:
    return [
        proven_optimal(solver, "coverage"),
        proven_optimal(solver, "score"),
        idle_below_greedy(greedy, solver, 5),
        time_within(solver, 10),
    ]


def scaled_targets(greedy: Outcome, solver: Outcome) -> list[Check]:
    return [
        proven_optimal(solver, "coverage"),
        within_share_of_bound(solver, "score", 0.995),
        idle_below_greedy(greedy, solver, 5),
        time_within(solver, 60),
        memory_within(solver, 2),
    ]


def meetings_spread(solver: Outcome, salon_file: str) -> Check:
    """How the meetings of the participants without a home table (industrials) spread out."""
    label = "every industrial has 2 meetings or more"
    if solver.schedule is None:
        return Check(label, None, "no schedule")
    salon = load_salon(EXAMPLES_DIR / salon_file)
    counts = Counter(m for meeting in solver.schedule.meetings for m in (meeting.from_, meeting.to))
    visiting = [counts[p.id] for p in salon.participants if p.table is None]
    spread = sorted(Counter(visiting).items())
    detail = "meetings: industrials -> " + ", ".join(f"{k}: {n}" for k, n in spread)
    return Check(label, min(visiting, default=0) >= 2, detail)


def agir_fairness_targets(greedy: Outcome, solver: Outcome) -> list[Check]:
    return [
        proven_optimal(solver, "coverage"),
        proven_optimal(solver, "fairness"),
        meetings_spread(solver, "agir-2023.json"),
        time_within(solver, 10),
    ]


def _with_objectives(filename: str, objectives: list[str]) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        return {**_example(filename)(), "objectives": objectives}

    return read


def _example(filename: str) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        return load_salon(EXAMPLES_DIR / filename).to_json_dict()

    return read


INSTANCES = [
    Instance("small", "examples/small.json, the README's salon", _example("small.json"), 10),
    Instance(
        "brokerage", "examples/brokerage.json, every wish required",
        _example("brokerage.json"), 10,
    ),
    Instance(
        "agir-2023", "examples/agir-2023.json, one day of AGIR",
        _example("agir-2023.json"), 10, agir_targets,
    ),
    Instance(
        "agir-fairness", "examples/agir-2023.json with objectives coverage, fairness, score, idle",
        _with_objectives("agir-2023.json", ["coverage", "fairness", "score", "idle"]), 10,
        agir_fairness_targets,
    ),
    Instance(
        "agir-tight", "an AGIR-size salon with 320 companies and max_in_a_row 5 (not loose)",
        agir_tight, 10, agir_targets,
    ),
    Instance(
        "10x", f"generate_scaled(10, {SCALED_BENCH_SEED}), two days",
        lambda: generate_scaled(10, SCALED_BENCH_SEED), 60, scaled_targets,
    ),
]


def _register_instance(instance: Instance) -> None:
    @bench_section(instance.name, instance.description)
    def section(options: BenchOptions) -> list[Check]:
        return bench_instance(instance, options)


for _instance in INSTANCES:
    _register_instance(_instance)

lazy_section(
    "paper", "the literature's forums (every meeting required, breaks): product vs plain model",
    "examples.bench_paper:bench_paper",
)
lazy_section(
    "forum-idle", "the same forums in two sessions, idle objective: product vs plain model",
    "examples.bench_paper:bench_forum_idle",
)
lazy_section(
    "print-batch", "370 AGIR agendas in one batch PDF (target <= 30 s)",
    "examples.bench_print:bench_print_batch",
)
lazy_section(
    "badge-batch", "370 AGIR badges in one batch PDF beside the agendas' (target: no slower)",
    "examples.bench_badges:bench_badge_batch",
)
lazy_section(
    "repair", "AGIR repair after 10 cancellations (target <= 3 s)",
    "examples.bench_repair:bench_repair",
)
lazy_section(
    "catalogue-search", "faceted search over 10,000 events on SQLite (target p95 <= 100 ms)",
    "examples.bench_catalogue:bench_catalogue_search",
)
lazy_section(
    "report", "the AGIR day's post-event report: page, PDF, XLSX (targets 2 s, 10 s)",
    "examples.bench_report:bench_report",
)
lazy_section(
    "pdf-rush", "40 agenda PDFs at once beside a small read; 100 wish submissions (real server)",
    "examples.bench_pdf_rush:bench_pdf_rush",
)
lazy_section(
    "suggestions", "suggestions for 300 industrials x 70 directors, their quality on AGIR",
    "examples.bench_suggestions:bench_suggestions",
)
lazy_section(
    "queue", "20 small salons solved at once through 1 then 2 workers (PostgreSQL): throughput",
    "examples.bench_queue:bench_queue",
)


# ---------------------------------------------------------------- command line


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, argparse.ArgumentParser]:
    parser = argparse.ArgumentParser(
        prog="python -m examples.bench", description="Benchmark salon against its targets."
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run this section only (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    parser.add_argument(
        "--time-limit", type=float, help="solver time limit in seconds (default: per section)"
    )
    parser.add_argument(
        "--workers", type=int, default=default_workers(), help="solver workers"
    )
    parser.add_argument("--seed", type=int, default=0, help="solver seed")
    return parser.parse_args(argv), parser


def main(argv: list[str] | None = None) -> int:
    args, parser = parse_args(argv)
    if args.list:
        for section in SECTIONS.values():
            print(f"{section.name:<16}{section.description}")
        return 0
    unknown = [name for name in args.only or [] if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; sections: {', '.join(SECTIONS)}")
    options = BenchOptions(args.time_limit, args.workers, args.seed)
    selected = [s for s in SECTIONS.values() if not args.only or s.name in args.only]
    results: dict[str, list[Check]] = {}
    for section in selected:
        print(f"\n== {section.name}: {section.description}")
        checks = section.run(options)
        if checks:
            print("  targets:")
            for check in checks:
                print("  " + check.line())
        results[section.name] = checks
    missed = [(name, c) for name, checks in results.items() for c in checks if c.passed is False]
    print(f"\n{len(missed)} target(s) missed" + ("" if not missed else ":"))
    for name, check in missed:
        print(f"  {name}: {check.label}")
    return 1 if missed else 0


if __name__ == "__main__":
    # Run the importable module, so that the registry and the functions sent to child
    # processes all belong to one `examples.bench`, not to `__main__`.
    from examples.bench import main as bench_main

    raise SystemExit(bench_main())
