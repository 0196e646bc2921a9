"""`make bench` sections on tight salons: the forums of the literature.

- `paper`: each salon of ../shared/bench/paper (Bofill et al., JAIR 2022; every meeting
  required, minimise breaks) solved by the product and by the plain model
  (examples.plain_model) with the same time limit: breaks found, the paper's proven optimum,
  the proven bound, when the product had its schedule (`found at`: at most the time to it),
  total time. Target: the paper's optimum, proven, within 30 s.
- `forum-idle`: the same forums with two sessions a day (the day cut in the middle) and
  objectives coverage, score, idle, without max_break_spread: the product beside the plain
  model, same time. Target: the product never worse.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from examples.bench import BenchOptions, Check, run_in_child
from examples.plain_model import PlainResult, solve_plain
from scheduler.format import Salon
from scheduler.validator import validate

PAPER_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "paper"
PAPER_SECONDS = 30.0


def paper_instances() -> list[tuple[str, dict[str, Any], int]]:
    """(name, salon/v1 dict, the paper's optimum) of each forum, [] when the folder is absent."""
    optima_file = PAPER_DIR / "optima.json"
    if not optima_file.exists():
        return []
    optima = json.loads(optima_file.read_text())
    return [
        (name, json.loads((PAPER_DIR / f"{name}.json").read_text()), optimum)
        for name, optimum in sorted(optima.items())
    ]


def _product(document: dict[str, Any], seconds: float, workers: int) -> dict[str, Any]:
    """The product's solve in this (child) process: objectives, status, validity, time."""
    from scheduler.errors import InfeasibleError, NoScheduleInTimeError
    from scheduler.progress import SolveOptions
    from scheduler.solver import solve

    salon = Salon.model_validate(document)
    try:
        schedule = solve(salon, SolveOptions(time_limit=seconds, workers=workers))
    except NoScheduleInTimeError:
        return {"outcome": "no schedule in time"}
    except InfeasibleError:
        return {"outcome": "infeasible"}
    valid = validate(salon, schedule).valid
    return {
        "outcome": schedule.status if valid else "INVALID",
        "values": {o.name: o.value for o in schedule.objectives},
        "bounds": {o.name: o.bound for o in schedule.objectives},
        "seconds": float(schedule.stats.get("seconds", 0.0)),  # type: ignore[arg-type]
        "found_at": float(schedule.stats.get("best_solution_seconds", 0.0)),  # type: ignore[arg-type]
    }


def _plain(document: dict[str, Any], seconds: float, workers: int) -> PlainResult:
    return solve_plain(Salon.model_validate(document), seconds, workers)


def _cell(value: object, width: int) -> str:
    return f"{value!s:>{width}}"


def _row(cells: list[tuple[object, int]]) -> str:
    return "  " + " ".join(_cell(value, width) for value, width in cells)


def _compare(document: dict[str, Any], objective: str, options: BenchOptions) -> tuple[
    dict[str, Any], PlainResult | None, float
]:
    seconds = options.time_limit or PAPER_SECONDS
    product = run_in_child(_product, document, seconds, options.workers)
    plain = run_in_child(_plain, document, seconds, options.workers)
    mine = product.value if product.error is None else {"outcome": product.error}
    return mine, plain.value if plain.error is None else None, product.seconds


def bench_paper(options: BenchOptions) -> list[Check]:
    """The paper's forums: product and plain model, breaks beside the proven optimum."""
    instances = paper_instances()
    if not instances:
        return [Check("paper instances", None, f"{PAPER_DIR} is absent")]
    widths = [16, 8, 8, 7, 22, 9, 8, 7, 13]
    header = ["instance", "optimum", "breaks", "bound", "outcome", "found at", "seconds", "plain"]
    header.append("plain bound")
    print(_row(list(zip(header, widths, strict=True))))
    checks: list[Check] = []
    for name, document, optimum in instances:
        mine, plain, wall = _compare(document, "breaks", options)
        value = mine.get("values", {}).get("breaks", "-")
        bound = mine.get("bounds", {}).get("breaks", "-")
        plain_value = plain.values.get("breaks", "-") if plain else "-"
        plain_bound = plain.bounds.get("breaks", "-") if plain else "-"
        found = f"{mine['found_at']:.1f}" if "found_at" in mine else "-"
        cells = [name, optimum, value, bound, mine["outcome"], found, f"{wall:.1f}", plain_value,
                 plain_bound]
        print(_row(list(zip(cells, widths, strict=True))))
        proven = value == optimum and bound == optimum
        checks.append(Check(f"{name}: the optimum {optimum}, proven, in 30 s", proven,
                            f"breaks {value}, bound {bound}, {wall:.1f} s"))
        checks.append(_not_worse(name, value, plain_value))
    return checks


def _not_worse(name: str, mine: object, plain: object) -> Check:
    label = f"{name}: no worse than the plain model"
    if not isinstance(mine, int):
        return Check(label, isinstance(plain, int) is False, f"product {mine}, plain {plain}")
    return Check(label, not isinstance(plain, int) or mine <= plain, f"{mine} vs {plain}")


def two_sessions(document: dict[str, Any]) -> dict[str, Any]:
    """The forum's day cut in two sessions (the slots of the first half, then the rest), with
    objectives coverage, score, idle and no max_break_spread."""
    salon = Salon.model_validate(document)
    session = salon.sessions[0]
    step = dt.timedelta(minutes=salon.meeting_minutes + salon.changeover_minutes)
    changeover = dt.timedelta(minutes=salon.changeover_minutes)
    count = (session.ends_at - session.starts_at + changeover) // step
    middle = session.starts_at + (count // 2) * step
    first_end = middle - changeover
    changed = {k: v for k, v in document.items() if k != "max_break_spread"}
    changed["sessions"] = [
        {"date": f"{session.starts_at:%Y-%m-%d}", "start": f"{session.starts_at:%H:%M}",
         "end": f"{first_end:%H:%M}"},
        {"date": f"{middle:%Y-%m-%d}", "start": f"{middle:%H:%M}",
         "end": f"{session.ends_at:%H:%M}"},
    ]
    changed["objectives"] = ["coverage", "score", "idle"]
    return changed


def bench_forum_idle(options: BenchOptions) -> list[Check]:
    """The forums with two sessions and the idle objective: product beside the plain model."""
    instances = paper_instances()
    if not instances:
        return [Check("paper instances", None, f"{PAPER_DIR} is absent")]
    widths = [16, 8, 7, 22, 8, 7, 11]
    header = ["instance", "idle", "bound", "outcome", "seconds", "plain", "plain bound"]
    print(_row(list(zip(header, widths, strict=True))))
    checks: list[Check] = []
    for name, document, _ in instances:
        mine, plain, wall = _compare(two_sessions(document), "idle", options)
        value = mine.get("values", {}).get("idle", "-")
        bound = mine.get("bounds", {}).get("idle", "-")
        plain_value = plain.values.get("idle", "-") if plain else "-"
        plain_bound = plain.bounds.get("idle", "-") if plain else "-"
        cells = [name, value, bound, mine["outcome"], f"{wall:.1f}", plain_value, plain_bound]
        print(_row(list(zip(cells, widths, strict=True))))
        checks.append(_not_worse(name, value, plain_value))
    return checks


