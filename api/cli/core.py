"""`salon solve`, `salon check` and `salon stats`: the scheduling core on files, for organisers.

Exit codes: 0 done (a schedule, a valid schedule, the statistics), 1 the checked schedule breaks
a rule, 2 a file cannot be read or is not valid (every problem is printed with its JSON path),
3 the rules cannot all be met (proven: the clashing requirements are named), 4 no schedule found
within the time limit (nothing proven: more time may find one), 130 interrupted.
Texts are French by default, English with `--lang en` (or $SALON_LANG, or the locale: see
api/cli/_texts.py); the schedule and `--json` outputs are the same in both languages.

The commands' arguments are here; `salon solve` runs in api/cli/solve.py, `salon check` and
`salon stats` in api/cli/check.py, what they share in api/cli/_shared.py. The three are
registered here, together, so that the help lists them in this order.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli._shared import SALON_HELP, add_language, positive_float
from api.cli._texts import N_
from api.cli.check import run_check, run_stats
from api.cli.solve import run_solve
from scheduler.progress import default_workers


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


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
        "--workers", type=_positive_int, default=default_workers(), metavar="N",
        help=N_(
            "fils de calcul (défaut : le nombre de cœurs de la machine, au moins 8, ici "
            "%(default)s)"
        ),
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
