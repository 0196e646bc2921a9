"""What the scheduling core's commands share (`salon solve`, `check`, `stats` and `salon repair`):
exit codes, the texts of the core's names (`Texts`), common arguments and output helpers (errors
on stderr, invalid files, atomic JSON writes).

Texts are French by default, English with `--lang en` (or $SALON_LANG, or the locale: see
api/cli/_texts.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from api.cli._texts import N_, cli_language, say
from api.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalise_language
from scheduler.errors import FileFormatError, NoScheduleInTimeError
from scheduler.format import Salon
from scheduler.loading import load_salon
from scheduler.progress import PHASE_LABELS
from scheduler.validator import Violation

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_FILE = 2
EXIT_INFEASIBLE = 3
EXIT_NO_SCHEDULE_IN_TIME = 4
EXIT_INTERRUPTED = 130

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


# ------------------------------------------------------------------- output


def err(line: str = "") -> None:
    print(line, file=sys.stderr, flush=True)


def print_problems(error: FileFormatError, path: Path, t: Texts) -> None:
    err(t("Fichier %(what)s invalide : %(path)s (%(count)s problème(s))",
           what=t.file_kind(error.what), path=path, count=len(error.problems)))
    for problem in error.problems:
        err(f"  - {problem.path} {t.rule_line(problem.rule, problem.message)}")


def read_salon(path: Path, t: Texts) -> Salon | None:
    try:
        return load_salon(path)
    except FileFormatError as error:
        print_problems(error, path, t)
        return None


def print_violations(violations: list[Violation], t: Texts, stream_err: bool = False) -> None:
    for violation in violations:
        line = f"  - {t.rule_line(violation.rule, violation.message)}"
        if stream_err:
            err(line)
        else:
            print(line)


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


def print_no_schedule_in_time(error: NoScheduleInTimeError, t: Texts) -> None:
    """The time ran out with no schedule: the core's sentence in French, then in English, and
    what to do in the chosen language. Nothing is proven impossible."""
    err(error.french())
    err(str(error))
    err(t("Relancez avec un --time-limit plus grand."))
