"""The CP-SAT toolkit of the core: what the timetable, the exact model and the repair all build.

- `TimeModel`: x[p, s] is true when pair p meets in slot s (the OR-Tools samples' naming), the
  counting rules of scheduler.rules posted as they are, busy[u, s] per participant and slot;
- the objective terms: choice objectives (coverage, fairness, score) and time objectives (idle,
  breaks, one encoding of both), and the max_break_spread rule;
- `Stage`: one lexicographic stage; `assign_tables`: each meeting's table.

Searching these models (budgets, parameters, the stage loop, the portfolio) is
scheduler.search.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from ortools.sat.python import cp_model

from scheduler.measures import meeting_worth
from scheduler.problem import SalonProblem
from scheduler.rules import (
    Constraint,
    break_spread_limit,
    break_spread_participants,
    counting_constraints,
)

CHOICE_OBJECTIVES = ("coverage", "fairness", "score")
"""Objectives that choose which pairs meet (maximised)."""

TIME_OBJECTIVES = ("idle", "breaks")
"""Objectives that choose when they meet (minimised)."""


def time_objectives(problem: SalonProblem) -> list[str]:
    """The salon's time objectives, in its order."""
    return [name for name in problem.salon.objectives if name in TIME_OBJECTIVES]

POSTED_BY_MODEL = {"one_meeting_per_pair", "required_meeting"}
"""Counting rules the model posts itself, as exactly-one or at-most-one per pair."""

Stage = tuple[str, cp_model.LinearExprT, bool]
"""(objective name, expression, maximise) of one lexicographic stage."""


def total(items: Iterable[cp_model.LinearExprT]) -> cp_model.LinearExpr:
    """The sum of linear expressions, typed for CP-SAT (the built-in sum is not)."""
    return cp_model.LinearExpr.sum(list(items))


class TimeModel:
    """A time-indexed CP-SAT model: the candidate pairs with their possible slots, every
    counting rule posted. Pairs in `optional` may stay out; all others meet exactly once."""

    def __init__(
        self,
        problem: SalonProblem,
        candidates: dict[int, list[int]],
        optional: frozenset[int] = frozenset(),
        candidates_index: dict[int, list[int]] | None = None,
    ) -> None:
        self.problem = problem
        self.candidates = candidates
        self.optional = optional
        self._pairs_of: dict[str, list[int]] = defaultdict(list)
        self._pairs_at_table: dict[str | None, list[int]] = defaultdict(list)
        for p in candidates_index if candidates_index is not None else candidates:
            for member in problem.pairs[p].members:
                self._pairs_of[member].append(p)
            self._pairs_at_table[problem.pairs[p].home_table].append(p)
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        for p, slots in candidates.items():
            for s in slots:
                self.x[p, s] = self.model.new_bool_var(f"x_{p}_{s}")
        self._busy: dict[tuple[str, int], cp_model.LinearExpr] = {}
        self._by_participant_slot: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (p, s), variable in self.x.items():
            for member in problem.pairs[p].members:
                self._by_participant_slot[member, s].append(variable)
        self.placed = {p: total(self.x[p, s] for s in slots) for p, slots in candidates.items()}
        self.agenda_terms: dict[str, dict[str, cp_model.LinearExprT]] = {}
        """Idle and breaks of the participants whose agenda is one of its patterns
        (scheduler.agendas.add_patterns), used in place of the gap encoding."""
        self._post_placement()
        for constraint in counting_constraints(problem, candidates):
            if constraint.rule not in POSTED_BY_MODEL:
                self.post(constraint)

    def _post_placement(self) -> None:
        for p, slots in self.candidates.items():
            terms = [self.x[p, s] for s in slots]
            if p in self.optional:
                self.model.add_at_most_one(terms)
            else:
                self.model.add_exactly_one(terms)

    def pairs_of(self, participant: str) -> list[int]:
        """The indexed pairs of a participant."""
        return self._pairs_of.get(participant, [])

    def pairs_at_table(self, table: str | None) -> list[int]:
        """The indexed pairs meeting at a home table (None: the pool)."""
        return self._pairs_at_table.get(table, [])

    def participants(self) -> list[str]:
        return list(self._pairs_of)

    def may_meet(self, participant: str, slot: int) -> bool:
        """True when one of the participant's candidate pairs may meet in the slot."""
        return bool(self._by_participant_slot.get((participant, slot)))

    def busy(self, participant: str, slot: int) -> cp_model.LinearExpr:
        """1 when the participant has a meeting in the slot."""
        key = (participant, slot)
        if key not in self._busy:
            terms = self._by_participant_slot.get(key, [])
            if len(terms) <= 1:
                self._busy[key] = total(terms)
            elif self.problem.capacity(participant) == 1:
                variable = self.model.new_bool_var(f"busy_{participant}_{slot}")
                self.model.add(variable == total(terms))
                self._busy[key] = total([variable])
            else:
                variable = self.model.new_bool_var(f"busy_{participant}_{slot}")
                self.model.add_max_equality(variable, terms)
                self._busy[key] = total([variable])
        return self._busy[key]

    def add_pairing(self) -> None:
        """Redundant: in each slot the participants' meetings add up to twice the meetings held
        (each meeting has two participants), and at most as many are held as there are tables
        (the pool's, and each home table once: its owner has one representative, salon/v1).
        Posted with agendas of fixed length (scheduler.windows), CP-SAT's presolve then reasons
        on the parity and the count of the window starts: measured on the literature's forums,
        a schedule with every agenda in one piece found in about 3 s where it took 4 s to over
        20 s without, and one forum's "none broken" refuted at once."""
        homes: dict[int, set[str]] = defaultdict(set)
        for p, slot in self.x:
            table = self.problem.pairs[p].home_table
            if table is not None:
                homes[slot].add(table)
        for slot in sorted({s for _, s in self._by_participant_slot}):
            counts = []
            busiest = 0  # the most meetings the participants can hold in the slot, all told
            for participant in self.participants():
                terms = self._by_participant_slot.get((participant, slot), [])
                if not terms:
                    continue
                capacity = self.problem.capacity(participant)
                counts.append(self.busy(participant, slot) if capacity == 1 else total(terms))
                busiest += min(capacity, len(terms))
            most = min(busiest // 2, len(self.problem.pool_tables) + len(homes[slot]))
            held = self.model.new_int_var(0, most, f"held_{slot}")
            self.model.add(total(counts) == 2 * held)

    def post(self, constraint: Constraint) -> None:
        """Post a counting rule's constraint on the model's variables."""
        expression = total(
            [self.x[t] for t in constraint.meetings if t in self.x]
            + [self.busy(u, s) for u, s in constraint.busy]
        )
        if constraint.upper is not None:
            self.model.add(expression <= constraint.upper)
        if constraint.lower is not None:
            self.model.add(expression >= constraint.lower)

    def placement(self, solver: cp_model.CpSolver) -> dict[int, int]:
        """The solver's placement (pair -> slot)."""
        return {p: s for (p, s), v in self.x.items() if solver.boolean_value(v)}

    def hint(self, placement: dict[int, int]) -> None:
        """Hint every x from a placement (complete: unplaced pairs hinted out)."""
        self.model.clear_hints()
        for (p, s), variable in self.x.items():
            self.model.add_hint(variable, 1 if placement.get(p) == s else 0)

    # ------------------------------------------------------------ choice objectives

    def choice_objective(self, name: str) -> cp_model.LinearExprT:
        """coverage, fairness or score of the candidate pairs (maximised)."""
        pairs = self.problem.pairs
        if name == "score":
            return total(pairs[p].weight * self.placed[p] for p in self.candidates)
        terms: list[cp_model.LinearExprT] = []
        for participant in sorted(self.participants()):
            placed = [self.placed[p] for p in self.pairs_of(participant) if p in self.candidates]
            if not placed:
                continue
            if name == "coverage":
                covered = self.model.new_bool_var(f"covered_{participant}")
                self.model.add(covered <= total(placed))
                terms.append(covered)
            else:
                terms.append(worth_levels(self.model, participant, placed, kept=0))
        return total(terms)

    # ------------------------------------------------------------ time objectives

    def sessions_of(self, participants: Iterable[str] | None = None) -> dict[str, list[int]]:
        """The sessions where each participant may meet (each of its candidates' slots)."""
        wanted = None if participants is None else set(participants)
        sessions: dict[str, set[int]] = defaultdict(set)
        for p, slots in self.candidates.items():
            for member in self.problem.pairs[p].members:
                if wanted is None or member in wanted:
                    sessions[member].update(self.problem.slots[s].session for s in slots)
        return {u: sorted(found) for u, found in sessions.items()}

    def time_terms(
        self, participants: Iterable[str] | None = None
    ) -> dict[str, dict[str, cp_model.LinearExprT]]:
        """Idle and breaks of each participant (all of the model's, or those given), summed
        over the sessions where it may meet: {"idle": {u: expr}, "breaks": {u: expr}}; its
        chosen pattern's for those of agenda_terms."""
        idle: dict[str, cp_model.LinearExprT] = {}
        breaks: dict[str, cp_model.LinearExprT] = {}
        for participant, sessions in self.sessions_of(participants).items():
            if participant in self.agenda_terms:
                idle[participant] = self.agenda_terms[participant]["idle"]
                breaks[participant] = self.agenda_terms[participant]["breaks"]
                continue
            idle_terms, break_terms = [], []
            for session in sessions:
                busy = [self.busy(participant, s) for s in self.problem.session_slots[session]]
                name = f"{participant}_{session}"
                session_idle, session_breaks = gap_measures(self.model, name, busy)
                idle_terms.append(session_idle)
                break_terms.append(session_breaks)
            idle[participant] = total(idle_terms)
            breaks[participant] = total(break_terms)
        return {"idle": idle, "breaks": breaks}

    def time_stages(self, participants: Iterable[str] | None = None) -> list[Stage]:
        """The salon's time objectives as stages, and max_break_spread posted."""
        problem = self.problem
        names = time_objectives(problem)
        spread = break_spread_limit(problem)
        if not names and spread is None:
            return []
        terms = self.time_terms(participants)
        if spread is not None:
            self.add_break_spread(spread, terms["breaks"])
        return [(name, total(terms[name].values()), False) for name in names]

    def add_break_spread(
        self,
        limit: int,
        breaks: dict[str, cp_model.LinearExprT],
        only_if: cp_model.IntVar | None = None,
    ) -> None:
        """max_break_spread: the most and fewest breaks of two participants who have meetings
        differ by at most `limit` (a participant whose pairs all stay out does not count);
        `only_if`: a literal that enforces the rule (an assumption)."""
        horizon = len(self.problem.slots)
        most = self.model.new_int_var(0, horizon, "most_breaks")
        fewest = self.model.new_int_var(0, horizon, "fewest_breaks")
        applies = break_spread_participants(self.problem, self.candidates)
        for participant in sorted(breaks):
            self.model.add(most >= breaks[participant])
            pairs = applies.get(participant, [])
            if all(p not in self.optional for p in pairs):
                self.model.add(fewest <= breaks[participant])
            else:
                meets = self.model.new_bool_var(f"meets_{participant}")
                self.model.add(meets <= total(self.placed[p] for p in pairs))
                for p in pairs:
                    self.model.add(meets >= self.placed[p])
                self.model.add(fewest <= breaks[participant]).only_enforce_if(meets)
        spread = self.model.add(most - fewest <= limit)
        if only_if is not None:
            spread.only_enforce_if(only_if)


def gap_measures(
    model: cp_model.CpModel, name: str, busy: Sequence[cp_model.LinearExprT]
) -> tuple[cp_model.LinearExpr, cp_model.LinearExpr]:
    """Idle slots and breaks of one participant in one session, exactly, from its busy slots.

    before[i] (a meeting at i or earlier) and after[i] (at i or later) are monotone ORs;
    gap[i] (slot i empty between two meetings) = before[i] and after[i] and not busy[i];
    start[i] (a break begins at i) = gap[i] and not gap[i-1]. Both measures are sums of
    literals, which core-based search (MaxSAT-style) handles best; each literal is exact both
    ways, so that max_break_spread cannot be met by counting a break that is not there.
    """
    n = len(busy)
    before = [model.new_bool_var(f"before_{name}_{i}") for i in range(n)]
    after = [model.new_bool_var(f"after_{name}_{i}") for i in range(n)]
    gaps: list[cp_model.IntVar] = []
    starts: list[cp_model.IntVar] = []
    for i in range(n):
        previous = total([before[i - 1]] if i else [])
        following = total([after[i + 1]] if i + 1 < n else [])
        model.add(before[i] >= busy[i])
        model.add(before[i] >= previous)
        model.add(before[i] <= total([previous, busy[i]]))
        model.add(after[i] >= busy[i])
        model.add(after[i] >= following)
        model.add(after[i] <= total([following, busy[i]]))
    for i in range(1, n - 1):
        gap = model.new_bool_var(f"gap_{name}_{i}")
        model.add(total([gap, busy[i]]) + 1 >= before[i] + after[i])
        model.add(gap <= before[i])
        model.add(gap <= after[i])
        model.add(total([gap, busy[i]]) <= 1)
        start = model.new_bool_var(f"break_{name}_{i}")
        model.add(start <= gap)
        if gaps:
            model.add(start >= gap - gaps[-1])
            model.add(start + gaps[-1] <= 1)
        else:
            model.add(start >= gap)
        gaps.append(gap)
        starts.append(start)
    return total(gaps), total(starts)


def worth_levels(
    model: cp_model.CpModel, name: str, placed: Sequence[cp_model.LinearExprT], kept: int
) -> cp_model.LinearExprT:
    """The fairness worth that `placed` (0/1 expressions) add to a participant who already
    holds `kept` meetings: one level a possible meeting, each worth meeting_worth of its rank,
    at most as many levels reached as meetings placed."""
    reached = [model.new_bool_var(f"level_{name}_{k}") for k in range(len(placed))]
    model.add(total(reached) <= total(placed))
    return total(meeting_worth(k) * z for k, z in enumerate(reached, start=kept + 1))


def assign_tables(problem: SalonProblem, placement: dict[int, int]) -> dict[int, str]:
    """Each pair's table: its home table, or the next free table of the pool in its slot."""
    tables: dict[int, str] = {}
    used: dict[int, int] = {}
    for pair_index in sorted(placement, key=lambda p: (placement[p], p)):
        pair = problem.pairs[pair_index]
        if pair.home_table is not None:
            tables[pair_index] = pair.home_table
        else:
            slot = placement[pair_index]
            tables[pair_index] = problem.pool_tables[used.get(slot, 0)]
            used[slot] = used.get(slot, 0) + 1
    return tables
