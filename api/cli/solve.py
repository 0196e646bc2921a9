"""`salon solve`: solving a salon file in a worker thread (Ctrl-C keeps the best schedule), its
progress on stderr (a live display on a terminal, plain lines otherwise) and its summary."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from api.cli._shared import (
    EXIT_BAD_FILE,
    EXIT_INFEASIBLE,
    EXIT_INTERRUPTED,
    EXIT_NO_SCHEDULE_IN_TIME,
    EXIT_OK,
    MINIMISED,
    Texts,
    err,
    print_no_schedule_in_time,
    print_violations,
    read_salon,
    write_json,
)
from api.cli._texts import N_
from scheduler.errors import Clash, InfeasibleError, NoScheduleInTimeError
from scheduler.format import Salon, Schedule
from scheduler.progress import Progress, SolveOptions
from scheduler.validator import validate

HEARTBEAT_SECONDS = 10.0
"""Without a live display, a progress line at least this often during a solve."""

# ------------------------------------------------------------------- output


def _print_objectives(schedule: Schedule, t: Texts) -> None:
    print(t("Objectifs :"))
    for objective in schedule.objectives:
        line = (
            N_("%(label)s : %(value)s (borne inférieure %(bound)s)")
            if objective.name in MINIMISED
            else N_("%(label)s : %(value)s (borne supérieure %(bound)s)")
        )
        label = t.objective(objective.name)
        print("  " + t(line, label=label, value=objective.value, bound=objective.bound))


def _print_unscheduled(schedule: Schedule, t: Texts) -> None:
    print(t("Demandes non planifiées : %(count)s", count=len(schedule.unscheduled)))
    reasons = Counter(u.reason for u in schedule.unscheduled)
    for code, count in reasons.most_common():
        print("  " + t("%(label)s [%(code)s] : %(count)s", label=t.rule(code), code=code,
                       count=count))


# ----------------------------------------------------------------- progress


class ProgressState:
    """What is known of a running solve: the phase and the best values and bounds so far."""

    def __init__(self, t: Texts) -> None:
        self.t = t
        self.started = time.monotonic()
        self.phase = "selection"
        self.message = ""
        self.values: dict[str, int] = {}
        self.bounds: dict[str, int] = {}
        self.lock = threading.Lock()

    def update(self, progress: Progress) -> None:
        with self.lock:
            self.phase = progress.phase
            self.message = self.t.progress_message(progress.message)
            self.values.update(progress.values)
            self.bounds.update(progress.bounds)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def summary(self) -> str:
        """One line: elapsed time, phase, message and each objective's value and bound."""
        t = self.t
        with self.lock:
            parts = [
                t("%(label)s %(value)s (borne %(bound)s)", label=t.objective(name), value=value,
                  bound=self.bounds.get(name, "?"))
                for name, value in self.values.items()
            ]
            head = t.phase(self.phase) + (f" ({self.message})" if self.message else "")
        elapsed = t("%(seconds)s s", seconds=t.seconds(self.elapsed))
        return f"[{elapsed:>8}] {head}" + (" · " + ", ".join(parts) if parts else "")


class PlainProgress:
    """Progress as plain lines on a stream: one per event, and one every `interval` seconds."""

    def __init__(self, state: ProgressState, stream: Callable[[], IO[str]],
                 interval: float = HEARTBEAT_SECONDS) -> None:
        self.state = state
        self.stream = stream
        self.interval = interval
        self._stop = threading.Event()
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def __call__(self, progress: Progress) -> None:
        self.state.update(progress)
        self._write()

    def _write(self) -> None:
        with self._lock:  # events and heartbeats come from different threads
            self._last = time.monotonic()
            stream = self.stream()
            stream.write(self.state.summary() + "\n")
            stream.flush()

    def _beat(self) -> None:
        while not self._stop.wait(min(1.0, self.interval)):
            if time.monotonic() - self._last >= self.interval:
                self._write()

    def __enter__(self) -> PlainProgress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _bound_text(name: str, state: ProgressState) -> str:
    """`≤ bound` for a maximised objective, `≥ bound` for a minimised one."""
    bound = state.bounds.get(name)
    if bound is None:
        return ""
    return f"≥ {bound}" if name in MINIMISED else f"≤ {bound}"


class LiveProgress:
    """Progress as a rich live display on stderr (a terminal), refreshed 4 times a second."""

    def __init__(self, state: ProgressState, console: Console) -> None:
        self.state = state
        self.console = console
        self.spinner = Spinner("dots")
        self.live = Live(self, console=console, refresh_per_second=4, transient=True)

    def __call__(self, progress: Progress) -> None:
        self.state.update(progress)

    def __rich__(self) -> Group:
        state, t = self.state, self.state.t
        head = Text(f" {t.phase(state.phase)}", style="bold")
        if state.message:
            head.append(f" ({state.message})", style="dim")
        head.append("  " + t("%(seconds)s s", seconds=t.seconds(state.elapsed)), style="cyan")
        table = Table.grid(padding=(0, 2))
        with state.lock:
            for name, value in state.values.items():
                table.add_row(f"  {t.objective(name)}", str(value), _bound_text(name, state))
        line = Table.grid()
        line.add_row(self.spinner, head)
        return Group(line, table)

    def __enter__(self) -> LiveProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)


def _progress_display(t: Texts) -> LiveProgress | PlainProgress:
    state = ProgressState(t)
    if sys.stderr.isatty():
        return LiveProgress(state, Console(stderr=True))
    return PlainProgress(state, lambda: sys.stderr)


# -------------------------------------------------------------------- solve


def _sigint_keeper() -> Callable[[], None]:
    """A function that puts back the current SIGINT handler (in the main thread only).

    CP-SAT's own Ctrl-C handler (parameter catch_sigint_signal, on by default) resets SIGINT to
    SIG_DFL when each solve ends: Ctrl-C would then kill the process without a word. While the
    solver's parameters do not turn it off, the waiting loop re-installs ours.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    handler = signal.getsignal(signal.SIGINT)
    if handler is None:
        return lambda: None

    def keep() -> None:
        signal.signal(signal.SIGINT, handler)

    return keep


def _solve_in_thread(salon: Salon, options: SolveOptions, t: Texts) -> Schedule:
    """Solve in a worker thread so that Ctrl-C asks the solver to stop and keep its best.

    A second Ctrl-C raises KeyboardInterrupt; InfeasibleError and NoScheduleInTimeError are
    raised as solve raised them.
    """
    from scheduler.solver import solve

    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["schedule"] = solve(salon, options)
        except BaseException as error:  # handed to the main thread
            outcome["error"] = error
        finally:
            done.set()

    # Waiting on an Event, not Thread.join: on Python 3.11 a join interrupted by Ctrl-C left
    # the thread looking finished (is_alive() False) while it still ran.
    thread = threading.Thread(target=work, name="salon-solve", daemon=True)
    keep_handler = _sigint_keeper()
    thread.start()
    try:
        while not done.wait(0.1):
            keep_handler()
    except KeyboardInterrupt:
        assert options.stop is not None
        options.stop.set()
        err(t("Arrêt demandé : le meilleur planning trouvé sera écrit (Ctrl-C à nouveau pour "
               "abandonner)."))
        while not done.wait(0.1):  # a second Ctrl-C propagates
            keep_handler()
    if "error" in outcome:
        raise outcome["error"]
    schedule: Schedule = outcome["schedule"]
    return schedule


def _print_clashes(clashes: list[Clash], t: Texts) -> None:
    """Each clashing requirement in French, then in English on the next line."""
    err(t("Les règles ne peuvent pas toutes être respectées ; ces exigences se "
           "contredisent :"))
    for clash in clashes:
        err(f"  - {t.rule_line(clash.rule, clash.message_fr or clash.message)}")
        if clash.message_fr and clash.message_fr != clash.message:
            err(f"    {clash.message}")


def run_solve(args: argparse.Namespace) -> int:
    t = Texts(args.lang)
    output: Path = args.output
    if not output.parent.is_dir():
        reason = t("le dossier %(folder)s n'existe pas", folder=output.parent)
        err(t("Impossible d'écrire le planning dans %(path)s : %(reason)s", path=output,
               reason=reason))
        return EXIT_BAD_FILE
    salon = read_salon(args.salon, t)
    if salon is None:
        return EXIT_BAD_FILE
    display = _progress_display(t)
    options = SolveOptions(
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        reproducible=args.reproducible,
        on_progress=display,
        stop=threading.Event(),
    )
    try:
        with display:
            schedule = _solve_in_thread(salon, options, t)
    except InfeasibleError as error:
        _print_clashes(error.clashes, t)
        return EXIT_INFEASIBLE
    except NoScheduleInTimeError as error:
        if error.stopped:  # Ctrl-C before any schedule was found
            err(t("Arrêté avant qu'un planning soit trouvé : rien n'est écrit."))
            return EXIT_INTERRUPTED
        print_no_schedule_in_time(error, t)
        return EXIT_NO_SCHEDULE_IN_TIME
    except KeyboardInterrupt:
        err(t("Interrompu."))
        return EXIT_INTERRUPTED
    try:
        write_json(output, schedule.to_json_dict())
    except OSError as error:
        err(t("Impossible d'écrire le planning dans %(path)s : %(reason)s", path=output,
               reason=error.strerror or error))
        return EXIT_BAD_FILE
    _print_solve_summary(salon, schedule, output, display.state.elapsed, t)
    return EXIT_OK


def _print_solve_summary(
    salon: Salon, schedule: Schedule, output: Path, seconds: float, t: Texts
) -> None:
    status = (
        t("optimal") if schedule.status == "optimal"
        else t("réalisable, optimalité non prouvée")
    )
    print(t("Planning écrit dans %(path)s (%(status)s).", path=output, status=status))
    _print_objectives(schedule, t)
    print(t("Rendez-vous : %(count)s", count=len(schedule.meetings)))
    _print_unscheduled(schedule, t)
    print(t("Durée : %(seconds)s s", seconds=t.seconds(seconds)))
    report = validate(salon, schedule)
    if report.violations:
        err(t("Attention : le planning produit enfreint des règles (à signaler) :"))
        print_violations(report.violations, t, stream_err=True)
