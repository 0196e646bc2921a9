"""`salon check` (a schedule against every rule of its salon, and its objectives) and
`salon stats` (a salon's size, proven bounds and over-requested participants)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from api.cli._shared import (
    EXIT_BAD_FILE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_VIOLATIONS,
    Texts,
    err,
    print_problems,
    print_violations,
    read_salon,
)
from api.cli._texts import N_
from scheduler.errors import FileFormatError
from scheduler.format import Salon
from scheduler.loading import load_schedule
from scheduler.stats import salon_statistics
from scheduler.validator import Report, validate

BOUND_LINES = {
    "fairness": N_("équité ≤ %(value)s"),
    "idle": N_("créneaux d'attente ≥ %(value)s (rendez-vous obligatoires)"),
    "breaks": N_("pauses ≥ %(value)s (rendez-vous obligatoires)"),
}
"""`salon stats`: the bounds a salon may have or not."""



# -------------------------------------------------------------------- check


def _print_report(report: Report, salon: Salon, t: Texts) -> None:
    if report.valid:
        print(t("Planning valide : toutes les règles sont respectées."))
    else:
        print(t("Planning non valide : %(count)s infraction(s).", count=len(report.violations)))
        print_violations(report.violations, t)
    print(t("Objectifs :"))
    names = list(salon.objectives) + [n for n in report.objectives if n not in salon.objectives]
    for name in names:
        print("  " + t("%(label)s : %(value)s", label=t.objective(name),
                       value=report.objectives[name]))


def run_check(args: argparse.Namespace) -> int:
    t = Texts(args.lang)
    salon = read_salon(args.salon, t)
    if salon is None:
        return EXIT_BAD_FILE
    try:
        schedule = load_schedule(args.schedule)
    except FileFormatError as error:
        print_problems(error, args.schedule, t)
        return EXIT_BAD_FILE
    if schedule.salon != salon.name:
        err(t("Attention : ce planning est celui du salon « %(schedule)s », pas de "
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
    salon = read_salon(args.salon, t)
    if salon is None:
        return EXIT_BAD_FILE
    try:
        stats = salon_statistics(salon, args.time_limit, args.workers)
    except KeyboardInterrupt:
        err(t("Interrompu."))
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        _print_stats(stats, t)
    return EXIT_OK
