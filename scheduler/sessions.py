"""Session assignment: put each selected pair in one session, within every session's capacity.

Idle time and breaks are counted within a session, so once each pair has its session the
sessions can be timetabled independently.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.bounds import pair_sessions, window_capacity
from scheduler.problem import SalonProblem
from scheduler.progress import cp_sat_seed
from scheduler.rules import free_slots


def _add_capacities(
    problem: SalonProblem,
    model: cp_model.CpModel,
    z: dict[tuple[int, int], cp_model.IntVar],
) -> None:
    by_participant: dict[tuple[str, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    by_table: dict[tuple[str | None, int], list[cp_model.IntVar]] = defaultdict(list)
    for (p, session), variable in z.items():
        pair = problem.pairs[p]
        for member in pair.members:
            by_participant[member, session].append((p, variable))
        if problem.is_shared_table(pair.home_table):
            by_table[pair.home_table, session].append(variable)
    for (participant, session), entries in by_participant.items():
        allowed = problem.allowed_by_session()
        in_session = {p: frozenset(allowed[p].get(session, ())) for p, _ in entries}
        union = frozenset().union(*in_session.values())
        for window in {*in_session.values(), union}:
            inside = [v for p, v in entries if in_session[p] <= window]
            capacity = window_capacity(problem, participant, window)
            if len(inside) > capacity:
                model.add(sum(inside) <= capacity)
    for (table, session), variables in by_table.items():
        size = len(problem.session_slots[session])
        capacity = size * (len(problem.pool_tables) if table is None else 1)
        if len(variables) > capacity:
            model.add(sum(variables) <= capacity)


def greedy_sessions(problem: SalonProblem, selected: list[int]) -> dict[int, int]:
    """Required pairs first, then by weight: each in the session where both participants
    have the most room left. A start for the CP-SAT model, and its fallback."""
    sessions = pair_sessions(problem)
    room: dict[tuple[str, int], int] = {}
    for session, slots in problem.session_slots.items():
        for participant in problem.participants:
            free = free_slots(problem, participant).intersection(slots)
            room[participant, session] = window_capacity(problem, participant, free)
    tables = _table_room(problem)
    order = sorted(
        selected, key=lambda p: (not problem.pairs[p].required, -problem.pairs[p].weight, p)
    )
    chosen: dict[int, int] = {}
    for p in order:
        members = problem.pairs[p].members
        table = _shared_table(problem, p)
        options = [
            (min(room[m, s] for m in members), -s, s)
            for s in sessions[p]
            if all(room[m, s] > 0 for m in members) and tables.get((table, s), 1) > 0
        ]
        if options:
            session = max(options)[2]
            chosen[p] = session
            for member in members:
                room[member, session] -= 1
            if (table, session) in tables:
                tables[table, session] -= 1
    return chosen


def _shared_table(problem: SalonProblem, p: int) -> str | None | bool:
    """The table a pair competes for (None: the pool), or False when it has its own."""
    table = problem.pairs[p].home_table
    if problem.is_shared_table(table):
        return table
    return False


def _table_room(problem: SalonProblem) -> dict[tuple[str | None | bool, int], int]:
    """Meetings the pool and each shared home table can hold in each session."""
    room: dict[tuple[str | None | bool, int], int] = {}
    shared = [t for t, owners in problem.table_owners.items() if len(owners) > 1]
    for session, slots in problem.session_slots.items():
        room[None, session] = len(slots) * len(problem.pool_tables)
        for table in shared:
            room[table, session] = len(slots)
    return room


def assign_sessions(
    problem: SalonProblem,
    selected: list[int],
    workers: int,
    seed: int,
    seconds: float,
) -> dict[int, int]:
    """Session of each selected pair; pairs that fit in no session are left out (heaviest kept)."""
    sessions = pair_sessions(problem)
    if len(problem.session_slots) == 1:
        only = next(iter(problem.session_slots))
        return {p: only for p in selected}
    start = greedy_sessions(problem, selected)
    if len(start) == len(selected):
        return start
    model = cp_model.CpModel()
    z = {(p, s): model.new_bool_var(f"z_{p}_{s}") for p in selected for s in sessions[p]}
    placed = {}
    for p in selected:
        terms = [z[p, s] for s in sessions[p]]
        placed[p] = sum(terms)
        if problem.pairs[p].required:
            model.add_exactly_one(terms)
        else:
            model.add_at_most_one(terms)
    _add_capacities(problem, model, z)
    model.maximize(sum((problem.pairs[p].weight + 1) * placed[p] for p in selected))
    for (p, s), variable in z.items():
        model.add_hint(variable, 1 if start.get(p) == s else 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False  # leave Ctrl-C to the host program
    solver.parameters.random_seed = cp_sat_seed(seed)
    solver.parameters.linearization_level = 2
    solver.parameters.max_deterministic_time = max(0.1, seconds)
    solver.parameters.max_time_in_seconds = max(1.0, 3 * seconds)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start
    return {p: s for (p, s), v in z.items() if solver.boolean_value(v)}
