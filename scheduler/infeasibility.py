"""Why a salon cannot be solved: the smallest set found of requirements that clash, in words.

Only requirements can make a salon infeasible (every other wish may stay out), so the exact
question is whether the required meetings alone fit under the counting rules. The model places
the required pairs only (x[pair, slot] over each pair's allowed slots, a pinned pair at its pin)
with one assumption literal per requirement: each required meeting (with its pin), each
participant's `max_meetings`, each participant's `max_in_a_row`. The slots themselves, one
meeting at a time per representative and the tables are facts, not assumptions. CP-SAT's
sufficient_assumptions_for_infeasibility gives a core, shrunk by deletion (each requirement
left out in turn; dropped when the rest still clash).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.errors import Clash
from scheduler.explain import SlotTimes, listing, no_common_slot_reason
from scheduler.problem import Pair, SalonProblem
from scheduler.rules import counting_constraints

SHRINK_SOLVES = 24
"""Most extra solves spent shrinking a core."""


@dataclass
class Requirement:
    """An assumption literal and what it stands for."""

    rule: str
    subject: str  # a pair index as text, or a participant id
    literal: cp_model.IntVar


@dataclass
class RequirementModel:
    model: cp_model.CpModel
    requirements: list[Requirement] = field(default_factory=list)

    def literal(self, rule: str, subject: str) -> cp_model.IntVar:
        for requirement in self.requirements:
            if requirement.rule == rule and requirement.subject == subject:
                return requirement.literal
        literal = self.model.new_bool_var(f"assume_{rule}_{subject}")
        self.requirements.append(Requirement(rule, subject, literal))
        return literal


def _busy(
    model: cp_model.CpModel,
    problem: SalonProblem,
    x: dict[tuple[int, int], cp_model.IntVar],
    participant: str,
    slot: int,
) -> cp_model.LinearExprT:
    terms = [v for (p, s), v in x.items() if s == slot and participant in problem.pairs[p].members]
    if problem.capacity(participant) == 1 or len(terms) <= 1:
        return cp_model.LinearExpr.sum(terms)
    busy = model.new_bool_var(f"busy_{participant}_{slot}")
    model.add_max_equality(busy, terms)
    return busy


def build_requirement_model(problem: SalonProblem) -> RequirementModel:
    """The required pairs under every counting rule, requirements as assumption literals."""
    model = cp_model.CpModel()
    built = RequirementModel(model)
    required = [pair for pair in problem.pairs if pair.required]
    candidates = {pair.index: list(pair.allowed) for pair in required}
    x = {(p, s): model.new_bool_var(f"x_{p}_{s}") for p, slots in candidates.items() for s in slots}
    for pair in required:
        terms = [x[pair.index, s] for s in candidates[pair.index]]
        model.add_at_most_one(terms)
        literal = built.literal("required_meeting", str(pair.index))
        model.add(cp_model.LinearExpr.sum(terms) >= 1).only_enforce_if(literal)
    for constraint in counting_constraints(problem, candidates):
        if constraint.rule in ("one_meeting_per_pair", "required_meeting"):
            continue
        expression = cp_model.LinearExpr.sum(
            [x[t] for t in constraint.meetings if t in x]
            + [_busy(model, problem, x, u, s) for u, s in constraint.busy]
        )
        posted = []
        if constraint.upper is not None:
            posted.append(model.add(expression <= constraint.upper))
        if constraint.lower is not None:
            posted.append(model.add(expression >= constraint.lower))
        if constraint.rule == "max_meetings":
            literal = built.literal("max_meetings", constraint.subject)
        elif constraint.rule == "max_in_a_row":
            literal = built.literal("max_in_a_row", constraint.busy[0][0])
        else:
            continue  # representatives and tables are facts of the salon
        for item in posted:
            item.only_enforce_if(literal)
    return built


def _solve(
    built: RequirementModel, kept: Sequence[Requirement], seconds: float
) -> list[int] | None:
    """The core (indices into `kept`) when the `kept` requirements clash, else None."""
    model = built.model
    model.clear_assumptions()
    model.add_assumptions([r.literal for r in kept])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False
    solver.parameters.max_time_in_seconds = seconds
    if solver.solve(model) != cp_model.INFEASIBLE:
        return None
    by_index = {r.literal.index: i for i, r in enumerate(kept)}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return sorted(core) or list(range(len(kept)))


def clashing_requirements(problem: SalonProblem, seconds: float = 10.0) -> list[Requirement]:
    """A small set of requirements that cannot all hold (empty when they all can, or when the
    search ran out of time)."""
    built = build_requirement_model(problem)
    if not built.requirements:
        return []
    core = _solve(built, built.requirements, seconds)
    if core is None:
        return []
    kept = [built.requirements[i] for i in core]
    index = 0
    for _ in range(SHRINK_SOLVES):
        if index >= len(kept):
            break
        trial = kept[:index] + kept[index + 1 :]
        smaller = _solve(built, trial, min(1.0, seconds))
        if smaller is not None:
            kept = [trial[i] for i in smaller]
        else:
            index += 1
    return kept


# ------------------------------------------------------------------ wording


def _pair_clash(problem: SalonProblem, pair: Pair, clock: SlotTimes) -> Clash:
    name = f"{pair.first}-{pair.second}"
    pin_en = pin_fr = ""
    if pair.pinned is not None:
        pin_en = f" (pinned at {pair.pinned:%H:%M})"
        pin_fr = f" (imposé à {pair.pinned:%H:%M})"
    if not pair.allowed:
        reason = no_common_slot_reason(problem, pair)
        return Clash(
            "required_meeting",
            f"the required meeting {name}{pin_en} has no possible slot: {reason.english}",
            f"le rendez-vous obligatoire {name}{pin_fr} n'a aucun créneau possible : "
            f"{reason.french}",
        )
    if pair.pooled and not problem.pool_tables:
        return Clash(
            "required_meeting",
            f"the required meeting {name}{pin_en} needs a free table, and the salon has none "
            "(every table is a home table)",
            f"le rendez-vous obligatoire {name}{pin_fr} a besoin d'une table libre, et le salon "
            "n'en a aucune (toutes les tables sont attribuées)",
        )
    times = clock.starts(pair.allowed)
    only_en = " only" if len(times) == 1 else ""
    only_fr = " seulement" if len(times) == 1 else ""
    return Clash(
        "required_meeting",
        f"the required meeting {name}{pin_en}, possible{only_en} at {listing(times, False)}",
        f"le rendez-vous obligatoire {name}{pin_fr}, possible{only_fr} à {listing(times, True)}",
    )


def pair_clash(problem: SalonProblem, pair: Pair) -> Clash:
    """A required meeting taking part in a clash, in English and French."""
    return _pair_clash(problem, pair, SlotTimes(problem))


def _clash(problem: SalonProblem, requirement: Requirement, clock: SlotTimes) -> Clash:
    if requirement.rule == "required_meeting":
        return _pair_clash(problem, problem.pairs[int(requirement.subject)], clock)
    participant = requirement.subject
    if requirement.rule == "max_meetings":
        cap = problem.participants[participant].max_meetings
        return Clash(
            "max_meetings",
            f"{participant} holds at most {cap} meeting{'' if cap == 1 else 's'} (max_meetings)",
            f"{participant} a au plus {cap} rendez-vous (max_meetings)",
        )
    limit = problem.salon.max_in_a_row
    return Clash(
        "max_in_a_row",
        f"{participant} may not have more than {limit} meetings in a row (max_in_a_row)",
        f"{participant} ne peut pas avoir plus de {limit} rendez-vous d'affilée (max_in_a_row)",
    )


def explain_infeasible(problem: SalonProblem, seconds: float = 10.0) -> list[Clash]:
    """The clashing requirements in words (English `message`, French `message_fr`); empty when
    the required meetings do fit together (or no proof was found within `seconds`)."""
    clock = SlotTimes(problem)
    found = clashing_requirements(problem, seconds)
    order = {"required_meeting": 0, "max_meetings": 1, "max_in_a_row": 2}
    found.sort(
        key=lambda r: (order[r.rule], int(r.subject) if r.subject.isdigit() else 0, r.subject)
    )
    return [_clash(problem, requirement, clock) for requirement in found]
