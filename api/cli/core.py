"""`salon solve`, `salon check` and `salon stats`: the scheduling core on files, for organisers.

Exit codes: 0 done (a schedule, a valid schedule, the statistics), 1 the checked schedule breaks
a rule, 2 a file cannot be read or is not valid (every problem is printed with its JSON path),
3 the rules cannot all be met (proven: the clashing requirements are named), 4 no schedule found
within the time limit (nothing proven: more time may find one), 130 interrupted.
Texts are French by default, English with `--lang en` (or $SALON_LANG, or the locale: see
api/cli/_texts.py); the schedule and `--json` outputs are the same in both languages.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import tempfile
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

from api.cli._texts import N_, cli_language, say
from api.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalise_language
from scheduler.errors import Clash, FileFormatError, InfeasibleError, NoScheduleInTimeError
from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon, load_schedule
from scheduler.progress import Progress, SolveOptions
from scheduler.stats import salon_statistics
from scheduler.validator import Report, Violation, validate

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_FILE = 2
EXIT_INFEASIBLE = 3
EXIT_NO_SCHEDULE_IN_TIME = 4
EXIT_INTERRUPTED = 130

HEARTBEAT_SECONDS = 10.0
"""Without a live display, a progress line at least this often during a solve."""

# ------------------------------------------------------------------------ texts
# French texts, translated by api/locale/en/LC_MESSAGES/cli.po (api/cli/_texts.py).

OBJECTIVE_LABELS = {
    "coverage": N_("couverture"),
    "fairness": N_("équité"),
    "score": N_("score"),
    "idle": N_("créneaux d'attente"),
    "breaks": N_("pauses"),
}
MINIMISED = {"idle", "breaks"}

PHASE_LABELS = {
    "bounds": N_("bornes"),
    "selection": N_("choix des rendez-vous"),
    "timetable": N_("placement dans les créneaux"),
    "exact": N_("modèle exact du salon entier"),
    "repair": N_("réparation"),
    "done": N_("terminé"),
}

PROGRESS_MESSAGES = [
    (re.compile(r"choosing the meetings"), ""),
    (
        re.compile(r"(?P<placed>\d+)/(?P<total>\d+) sessions placed"),
        N_("%(placed)s/%(total)s sessions placées"),
    ),
]
"""The solver's progress messages (English) and their texts ("" when the phase says it all);
others are shown as they are."""

FILE_KINDS = {
    "salon": N_("de salon"),
    "schedule": N_("de planning"),
    "changes": N_("de changements"),
}
"""`Fichier {kind} invalide`: which file a FileFormatError is about."""

RULE_LABELS = {
    # validator and solver rules
    "declined_never_scheduled": N_("demande déclinée"),
    "participant_available": N_("participant indisponible"),
    "within_during": N_("hors des plages voulues"),
    "pinned_start": N_("heure imposée non respectée"),
    "one_meeting_per_pair": N_("plusieurs rendez-vous pour une paire"),
    "required_meeting": N_("rendez-vous obligatoire"),
    "representatives": N_("plus de rendez-vous simultanés que de représentants"),
    "max_meetings": N_("maximum de rendez-vous dépassé"),
    "table_capacity": N_("table occupée deux fois"),
    "max_in_a_row": N_("trop de rendez-vous d'affilée"),
    "max_break_spread": N_("pauses trop inégales"),
    "meeting_has_wish": N_("rendez-vous que personne n'a demandé"),
    "on_slot_grid": N_("hors de la grille des créneaux"),
    "right_table": N_("mauvaise table"),
    # unscheduled reasons
    "no_common_slot": N_("aucun créneau libre en commun"),
    "cap_reached": N_("participant complet"),
    "not_selected": N_("non retenu au profit d'autres rendez-vous"),
    "time_limit": N_("temps imparti écoulé"),
    # loading rules
    "file": N_("fichier illisible"),
    "json": N_("JSON invalide"),
    "format": N_("format inattendu"),
    "schema": N_("valeur invalide"),
    "timezone": N_("fuseau horaire inconnu"),
    "objectives": N_("objectifs mal ordonnés"),
    "session_order": N_("session qui finit avant de commencer"),
    "session_length": N_("session plus courte qu'un rendez-vous"),
    "sessions_overlap": N_("sessions qui se chevauchent"),
    "unique_table_ids": N_("table en double"),
    "unique_participant_ids": N_("identifiant de participant en double"),
    "home_table_exists": N_("table attitrée inconnue"),
    "home_table_alone": N_("table attitrée avec plusieurs représentants"),
    "interval_order": N_("intervalle qui finit avant de commencer"),
    "known_participant": N_("participant inconnu"),
    "not_oneself": N_("demande à soi-même"),
    "unique_wish": N_("demande en double"),
    "pin_on_slot": N_("heure imposée hors des créneaux"),
    "one_pin_per_pair": N_("deux heures imposées pour une paire"),
}

BOUND_LINES = {
    "fairness": N_("équité ≤ %(value)s"),
    "idle": N_("créneaux d'attente ≥ %(value)s (rendez-vous obligatoires)"),
    "breaks": N_("pauses ≥ %(value)s (rendez-vous obligatoires)"),
}
"""`salon stats`: the bounds a salon may have or not."""


class Texts:
    """The CLI's texts in one language (`say` of api/cli/_texts.py), and the core's names."""

    def __init__(self, language: str) -> None:
        self.language = normalise_language(language) or DEFAULT_LANGUAGE

    def __call__(self, message: str, /, **values: Any) -> str:
        return say(self.language, message, **values)

    def rule(self, name: str) -> str:
        label = RULE_LABELS.get(name)
        return self(label) if label else name

    def objective(self, name: str) -> str:
        label = OBJECTIVE_LABELS.get(name)
        return self(label) if label else name

    def phase(self, name: str) -> str:
        label = PHASE_LABELS.get(name)
        return self(label) if label else name

    def file_kind(self, what: str) -> str:
        """`de salon`, `de planning`, `de changements` (a salon file by default)."""
        return self(FILE_KINDS.get(what, FILE_KINDS["salon"]))

    def progress_message(self, message: str) -> str:
        """The solver's progress message in this language ("" when the phase says it all)."""
        for pattern, text in PROGRESS_MESSAGES:
            found = pattern.fullmatch(message)
            if found:
                return self(text, **found.groupdict()) if text else ""
        return message

    def seconds(self, value: float) -> str:
        text = f"{value:.1f}" if value >= 1 else f"{value:.2f}"
        return text.replace(".", ",") if self.language == "fr" else text

    def rule_line(self, rule: str, message: str) -> str:
        """`[rule] label: message`, the rule's name first so that one can grep for it."""
        return say(self.language, "[%(rule)s] %(label)s : %(message)s", rule=rule,
                   label=self.rule(rule), message=message)


# ----------------------------------------------------------------- arguments


def positive_float(text: str) -> float:
    """An argparse type: a number above 0 (seconds)."""
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _core_count() -> int:
    """The machine's cores: the default number of solver workers of `salon solve`."""
    return os.cpu_count() or 1


LANGUAGE_HELP = N_(
    "langue des messages : fr ou en (par défaut $SALON_LANG, sinon la langue de la locale : "
    "LC_ALL, LC_MESSAGES ou LANG, sinon fr)"
)


def add_language(parser: argparse.ArgumentParser) -> None:
    """The `--lang fr|en` option of every command (default: $SALON_LANG, else the locale's
    language, else French)."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=cli_language(), help=LANGUAGE_HELP
    )


SALON_HELP = N_("le salon (salon/v1)")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    solve_parser = commands.add_parser(
        "solve",
        help=N_("planifier un salon (salon/v1) et écrire le planning (schedule/v1)"),
        description=N_(
            "Planifie les rendez-vous d'un salon et écrit le planning. Codes de sortie : "
            "0 planning écrit, 2 fichier invalide, 3 règles impossibles à respecter (prouvé), "
            "4 aucun planning trouvé dans le temps imparti (rien n'est prouvé : donnez plus de "
            "temps), 130 interrompu. Ctrl-C arrête la recherche et écrit le meilleur planning "
            "trouvé."
        ),
    )
    solve_parser.add_argument("salon", type=Path, metavar="SALON.json", help=SALON_HELP)
    solve_parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="SCHEDULE.json",
        help=N_("fichier du planning à écrire"),
    )
    solve_parser.add_argument(
        "--time-limit", type=positive_float, default=60.0, metavar="S",
        help=N_("temps de calcul en secondes (défaut 60)"),
    )
    solve_parser.add_argument(
        "--workers", type=_positive_int, default=_core_count(), metavar="N",
        help=N_("fils de calcul (défaut : le nombre de cœurs de la machine, ici %(default)s)"),
    )
    solve_parser.add_argument(
        "--seed", type=int, default=0, metavar="N",
        help=N_(
            "graine du calcul (défaut 0) ; avec --reproducible, même graine et même nombre de "
            "fils donnent le même planning"
        ),
    )
    solve_parser.add_argument(
        "--reproducible", action="store_true",
        help=N_(
            "budgets comptés en travail déterministe de CP-SAT : même graine et même nombre de "
            "fils donnent le même planning ; par défaut tout le temps imparti est utilisé"
        ),
    )
    add_language(solve_parser)
    solve_parser.set_defaults(handler=run_solve)

    check_parser = commands.add_parser(
        "check",
        help=N_("vérifier un planning contre toutes les règles de son salon"),
        description=N_(
            "Vérifie n'importe quel planning schedule/v1 contre toutes les règles du salon et "
            "affiche ses objectifs. Codes de sortie : 0 valide, 1 règle enfreinte, 2 fichier "
            "invalide."
        ),
    )
    check_parser.add_argument("salon", type=Path, metavar="SALON.json", help=SALON_HELP)
    check_parser.add_argument(
        "schedule", type=Path, metavar="SCHEDULE.json", help=N_("le planning (schedule/v1)")
    )
    add_language(check_parser)
    check_parser.set_defaults(handler=run_check)

    stats_parser = commands.add_parser(
        "stats",
        help=N_("taille d'un salon, bornes des objectifs, participants trop demandés"),
        description=N_(
            "Taille du salon, bornes prouvées (relaxation) de la couverture, du score et du "
            "nombre de rendez-vous, participants plus demandés qu'ils ne peuvent recevoir. "
            "Codes de sortie : 0, 2 fichier invalide."
        ),
    )
    stats_parser.add_argument("salon", type=Path, metavar="SALON.json", help=SALON_HELP)
    stats_parser.add_argument(
        "--json", action="store_true", help=N_("sortie JSON (la même dans les deux langues)")
    )
    stats_parser.add_argument(
        "--time-limit", type=positive_float, default=10.0, metavar="S",
        help=N_("temps de calcul de chaque borne en secondes (défaut 10)"),
    )
    stats_parser.add_argument(
        "--workers", type=_positive_int, default=2, metavar="N",
        help=N_("fils de calcul (défaut 2)"),
    )
    add_language(stats_parser)
    stats_parser.set_defaults(handler=run_stats)


# ------------------------------------------------------------------- output


def _err(line: str = "") -> None:
    print(line, file=sys.stderr, flush=True)


def _print_problems(error: FileFormatError, path: Path, t: Texts) -> None:
    _err(t("Fichier %(what)s invalide : %(path)s (%(count)s problème(s))",
           what=t.file_kind(error.what), path=path, count=len(error.problems)))
    for problem in error.problems:
        _err(f"  - {problem.path} {t.rule_line(problem.rule, problem.message)}")


def _read_salon(path: Path, t: Texts) -> Salon | None:
    try:
        return load_salon(path)
    except FileFormatError as error:
        _print_problems(error, path, t)
        return None


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
        _err(t("Arrêt demandé : le meilleur planning trouvé sera écrit (Ctrl-C à nouveau pour "
               "abandonner)."))
        while not done.wait(0.1):  # a second Ctrl-C propagates
            keep_handler()
    if "error" in outcome:
        raise outcome["error"]
    schedule: Schedule = outcome["schedule"]
    return schedule


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically: a temporary file in the same folder, then renamed."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(handle, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _print_clashes(clashes: list[Clash], t: Texts) -> None:
    """Each clashing requirement in French, then in English on the next line."""
    _err(t("Les règles ne peuvent pas toutes être respectées ; ces exigences se "
           "contredisent :"))
    for clash in clashes:
        _err(f"  - {t.rule_line(clash.rule, clash.message_fr or clash.message)}")
        if clash.message_fr and clash.message_fr != clash.message:
            _err(f"    {clash.message}")


def print_no_schedule_in_time(error: NoScheduleInTimeError, t: Texts) -> None:
    """The time ran out with no schedule: the core's sentence in French, then in English, and
    what to do in the chosen language. Nothing is proven impossible."""
    _err(error.french())
    _err(str(error))
    _err(t("Relancez avec un --time-limit plus grand."))


def run_solve(args: argparse.Namespace) -> int:
    t = Texts(args.lang)
    output: Path = args.output
    if not output.parent.is_dir():
        reason = t("le dossier %(folder)s n'existe pas", folder=output.parent)
        _err(t("Impossible d'écrire le planning dans %(path)s : %(reason)s", path=output,
               reason=reason))
        return EXIT_BAD_FILE
    salon = _read_salon(args.salon, t)
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
            _err(t("Arrêté avant qu'un planning soit trouvé : rien n'est écrit."))
            return EXIT_INTERRUPTED
        print_no_schedule_in_time(error, t)
        return EXIT_NO_SCHEDULE_IN_TIME
    except KeyboardInterrupt:
        _err(t("Interrompu."))
        return EXIT_INTERRUPTED
    try:
        write_json(output, schedule.to_json_dict())
    except OSError as error:
        _err(t("Impossible d'écrire le planning dans %(path)s : %(reason)s", path=output,
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
        _err(t("Attention : le planning produit enfreint des règles (à signaler) :"))
        _print_violations(report.violations, t, stream_err=True)


# -------------------------------------------------------------------- check


def _print_violations(violations: list[Violation], t: Texts, stream_err: bool = False) -> None:
    for violation in violations:
        line = f"  - {t.rule_line(violation.rule, violation.message)}"
        if stream_err:
            _err(line)
        else:
            print(line)


def _print_report(report: Report, salon: Salon, t: Texts) -> None:
    if report.valid:
        print(t("Planning valide : toutes les règles sont respectées."))
    else:
        print(t("Planning non valide : %(count)s infraction(s).", count=len(report.violations)))
        _print_violations(report.violations, t)
    print(t("Objectifs :"))
    names = list(salon.objectives) + [n for n in report.objectives if n not in salon.objectives]
    for name in names:
        print("  " + t("%(label)s : %(value)s", label=t.objective(name),
                       value=report.objectives[name]))


def run_check(args: argparse.Namespace) -> int:
    t = Texts(args.lang)
    salon = _read_salon(args.salon, t)
    if salon is None:
        return EXIT_BAD_FILE
    try:
        schedule = load_schedule(args.schedule)
    except FileFormatError as error:
        _print_problems(error, args.schedule, t)
        return EXIT_BAD_FILE
    if schedule.salon != salon.name:
        _err(t("Attention : ce planning est celui du salon « %(schedule)s », pas de "
               "« %(salon)s ».", schedule=schedule.salon, salon=salon.name))
    report = validate(salon, schedule)
    _print_report(report, salon, t)
    return EXIT_OK if report.valid else EXIT_VIOLATIONS


# -------------------------------------------------------------------- stats


def _print_stats(stats: dict[str, Any], t: Texts) -> None:
    size, bounds = stats["size"], stats["bounds"]
    print(t("Salon « %(name)s »", name=stats["salon"]))
    print(t("Taille :"))
    no_role = t("sans rôle")
    roles = ", ".join(f"{role or no_role} {count}" for role, count in size["roles"].items())
    lines = [
        t("participants : %(count)s (%(roles)s)", count=size["participants"],
          roles=roles or t("aucun")),
        t("avec table attitrée : %(count)s", count=size["home_tables"]),
        t("tables : %(count)s (dont %(pool)s libres pour les rendez-vous sans table)",
          count=size["tables"], pool=size["pool_tables"]),
        t("sessions : %(count)s, créneaux : %(slots)s", count=size["sessions"],
          slots=size["slots"]),
        t("demandes : %(count)s (déclinées : %(declined)s)", count=size["wishes"],
          declined=size["declined_wishes"]),
        t("paires : %(count)s (mutuelles : %(mutual)s, obligatoires : %(required)s, "
          "épinglées : %(pinned)s, sans créneau commun : %(no_slot)s)",
          count=size["pairs"], mutual=size["mutual_pairs"], required=size["required_pairs"],
          pinned=size["pinned_pairs"], no_slot=size["pairs_without_common_slot"]),
    ]
    for line in lines:
        print(f"  {line}")
    if not bounds["feasible"]:
        print(t("Les rendez-vous obligatoires ne peuvent pas tous avoir lieu : aucun planning "
                "n'existe (salon solve nomme les exigences en conflit)."))
    else:
        proven = (
            t("prouvées") if bounds["proven"]
            else t("non prouvées dans le temps imparti, mais valables")
        )
        print(t("Bornes (relaxation) :") + " " + proven)
        print("  " + t("couverture ≤ %(value)s participant(s) sur %(of)s",
                       value=bounds["coverage"], of=size["participants"]))
        print("  " + t("score ≤ %(value)s", value=bounds["score"]))
        print("  " + t("rendez-vous ≤ %(value)s", value=bounds["meetings"]))
        for name, line in BOUND_LINES.items():
            if name in bounds:
                print("  " + t(line, value=bounds[name]))
    none = "" if stats["over_requested"] else " " + t("aucun")
    print(t("Participants trop demandés :") + none)
    for entry in stats["over_requested"]:
        print("  " + t("%(participant)s : %(requests)s demandes pour %(capacity)s rendez-vous "
                       "possibles", **entry))


def run_stats(args: argparse.Namespace) -> int:
    t = Texts(args.lang)
    salon = _read_salon(args.salon, t)
    if salon is None:
        return EXIT_BAD_FILE
    try:
        stats = salon_statistics(salon, args.time_limit, args.workers)
    except KeyboardInterrupt:
        _err(t("Interrompu."))
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        _print_stats(stats, t)
    return EXIT_OK
