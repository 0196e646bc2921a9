"""A compact greedy placement: the starting point of the timetable search.

Pairs are placed one at a time, most constrained first, each in the free slot that adds the
fewest empty slots to the two participants' days (filling a hole beats extending a block,
which beats opening a gap). Every counting rule is respected; pairs that fit nowhere are left
for the CP-SAT search.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.graph.python import min_cost_flow

from scheduler.problem import SalonProblem


class GreedyState:
    """Loads of participants and tables while pairs are placed."""

    def __init__(self, problem: SalonProblem) -> None:
        self.problem = problem
        self.load: dict[tuple[str, int], int] = defaultdict(int)
        self.positions: dict[str, set[int]] = defaultdict(set)
        self.table_use: dict[tuple[str | None, int], int] = defaultdict(int)
        self.meetings: dict[str, int] = defaultdict(int)

    def table_key(self, pair_index: int) -> str | None | bool:
        """The table whose use the pair counts: its home table when shared, None for the
        free tables (pool), False when no count is needed."""
        table = self.problem.pairs[pair_index].home_table
        if self.problem.is_shared_table(table):
            return table
        return False  # a table of one owner: the owner's capacity already guards it

    def fits(self, pair_index: int, slot: int) -> bool:
        problem = self.problem
        pair = problem.pairs[pair_index]
        for member in pair.members:
            if self.load[member, slot] >= problem.capacity(member):
                return False
            cap = problem.participants[member].max_meetings
            if cap is not None and self.meetings[member] >= cap:
                return False
            if not self._run_ok(member, slot):
                return False
        key = self.table_key(pair_index)
        if key is not False:
            capacity = len(problem.pool_tables) if key is None else 1
            if self.table_use[key, slot] >= capacity:  # type: ignore[index]
                return False
        return True

    def _run_ok(self, participant: str, slot: int) -> bool:
        limit = self.problem.salon.max_in_a_row
        if limit is None or self.load[participant, slot] > 0:
            return True
        slots = self.problem.slots
        session = slots[slot].session
        run = 1
        for step in (-1, 1):
            neighbour = slot + step
            while (
                0 <= neighbour < len(slots)
                and slots[neighbour].session == session
                and self.load[participant, neighbour] > 0
            ):
                run += 1
                neighbour += step
        return run <= limit

    def gap_cost(self, participant: str, slot: int) -> int:
        """Empty slots added to the participant's day (negative when a hole is filled)."""
        slots = self.problem.slots
        session = slots[slot].session
        same = [s for s in self.positions[participant] if slots[s].session == session]
        if not same or self.load[participant, slot] > 0:
            return 0
        low, high = min(same), max(same)
        if low < slot < high:
            return -1
        return (low - slot - 1) if slot < low else (slot - high - 1)

    def place(self, pair_index: int, slot: int) -> None:
        pair = self.problem.pairs[pair_index]
        for member in pair.members:
            self.load[member, slot] += 1
            self.positions[member].add(slot)
            self.meetings[member] += 1
        key = self.table_key(pair_index)
        if key is not False:
            self.table_use[key, slot] += 1  # type: ignore[index]


def compact_greedy(
    problem: SalonProblem, candidates: dict[int, list[int]], fixed: dict[int, int] | None = None
) -> dict[int, int]:
    """Place the candidate pairs compactly; returns the placement of those that fit."""
    state = GreedyState(problem)
    for pair_index, slot in (fixed or {}).items():
        state.place(pair_index, slot)
    degree: dict[str, int] = defaultdict(int)
    for pair_index in candidates:
        for member in problem.pairs[pair_index].members:
            degree[member] += 1

    def hub(pair_index: int) -> str:
        return max(problem.pairs[pair_index].members, key=lambda m: (degree[m], m))

    order = sorted(
        candidates,
        key=lambda p: (
            not problem.pairs[p].required,
            min(len(candidates[p]), 3),
            -degree[hub(p)],
            hub(p),
            p,
        ),
    )
    placement: dict[int, int] = {}
    for pair_index in order:
        best: tuple[int, int] | None = None
        for slot in candidates[pair_index]:
            if not state.fits(pair_index, slot):
                continue
            cost = sum(state.gap_cost(m, slot) for m in problem.pairs[pair_index].members)
            if best is None or cost < best[0]:
                best = (cost, slot)
        if best is not None:
            state.place(pair_index, best[1])
            placement[pair_index] = best[1]
    return placement


def _two_sides(problem: SalonProblem, candidates: dict[int, list[int]]) -> dict[str, int] | None:
    """A 2-colouring of the meeting graph (directors / industrials), or None if there is none."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for p in candidates:
        a, b = problem.pairs[p].members
        neighbours[a].append(b)
        neighbours[b].append(a)
    side: dict[str, int] = {}
    for root in sorted(neighbours):
        if root in side:
            continue
        side[root] = 0
        stack = [root]
        while stack:
            current = stack.pop()
            for other in neighbours[current]:
                if other not in side:
                    side[other] = 1 - side[current]
                    stack.append(other)
                elif side[other] == side[current]:
                    return None
    return side


CONTINUE = 1000
"""Weight for keeping a participant who has started its day busy: an idle slot avoided."""


def _participant_weight(
    state: GreedyState, participant: str, slot: int, remaining: int, slots_left: int
) -> int:
    """How much it matters that the participant meets someone in this slot."""
    slots = state.problem.slots
    session = slots[slot].session
    started = any(slots[s].session == session for s in state.positions[participant])
    if remaining <= 0:
        return 0
    if started:
        return CONTINUE
    # Not started yet: start those whose remaining meetings barely fit in the slots left.
    return int(CONTINUE * min(1.0, remaining / max(1, slots_left)) ** 4 / 2)


def _slot_matching(
    state: GreedyState,
    slot: int,
    edges: list[tuple[int, int]],
    side: dict[str, int] | None,
) -> list[int]:
    """Pairs to place in `slot`: a maximum-weight b-matching (min-cost flow when the graph
    has two sides, heaviest-first greedy otherwise), within every capacity."""
    problem = state.problem
    if side is None or not edges:
        chosen = []
        for _weight, p in sorted(edges, key=lambda e: (-e[0], e[1])):
            if state.fits(p, slot):
                state.place(p, slot)
                chosen.append(p)
        return chosen
    flow = min_cost_flow.SimpleMinCostFlow()
    nodes: dict[str, int] = {}
    source, sink = 0, 1

    def node(participant: str) -> int:
        if participant not in nodes:
            nodes[participant] = len(nodes) + 2
            capacity = problem.capacity(participant) - state.load[participant, slot]
            if side[participant] == 0:
                flow.add_arc_with_capacity_and_unit_cost(source, nodes[participant], capacity, 0)
            else:
                flow.add_arc_with_capacity_and_unit_cost(nodes[participant], sink, capacity, 0)
        return nodes[participant]

    arcs = []
    for weight, p in edges:
        a, b = problem.pairs[p].members
        left, right = (a, b) if side[a] == 0 else (b, a)
        arc = flow.add_arc_with_capacity_and_unit_cost(node(left), node(right), 1, -weight)
        arcs.append((arc, p))
    total = sum(problem.capacity(u) for u in nodes)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    chosen = []
    if flow.solve() == flow.OPTIMAL:
        for arc, p in arcs:
            if flow.flow(arc) and state.fits(p, slot):
                state.place(p, slot)
                chosen.append(p)
    return chosen


def sequential_matching(problem: SalonProblem, candidates: dict[int, list[int]]) -> dict[int, int]:
    """Fill the slots in time order, each with a maximum-weight matching that keeps started
    participants busy (no idle slot) and starts those who need the most of the time left."""
    state = GreedyState(problem)
    side = _two_sides(problem, candidates)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for p, slots in candidates.items():
        for s in slots:
            by_slot[s].append(p)
    placement: dict[int, int] = {}
    for slot in sorted(by_slot):
        open_pairs = [p for p in by_slot[slot] if p not in placement]
        remaining: dict[str, int] = defaultdict(int)
        slots_left: dict[str, set[int]] = defaultdict(set)
        for p in open_pairs:
            later = [s for s in candidates[p] if s >= slot]
            for member in problem.pairs[p].members:
                remaining[member] += 1
                slots_left[member].update(later)
        edges = []
        for p in open_pairs:
            if not state.fits(p, slot):
                continue
            pair = problem.pairs[p]
            weight = sum(
                _participant_weight(state, m, slot, remaining[m], len(slots_left[m]))
                for m in pair.members
            )
            urgency = CONTINUE // max(1, len([s for s in candidates[p] if s >= slot]))
            weight += urgency + (CONTINUE if pair.required else 0) + pair.weight
            edges.append((weight, p))
        for p in _slot_matching(state, slot, edges, side):
            placement[p] = slot
    return placement
