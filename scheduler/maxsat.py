"""A SAT search of a tight salon, run beside CP-SAT in a child process.

The literature's forums (every meeting required, breaks minimised) are best proven by SAT-based
MaxSAT (Bofill et al., JAIR 2022). `encode` writes the salon's exact model as a weighted CNF:
x[p, s] per pair and allowed slot, each required pair exactly once, every counting rule of
scheduler.rules as a cardinality constraint, each participant's busy slots, the same
before/after/gap/break-start literals as scheduler.cpsat.gap_measures, max_break_spread through
a unary "fewest breaks", and for each participant whose agenda has a fixed length
(scheduler.agendas.fixed_windows) the redundant window literals that make it propagate. The soft
clauses are the salon's time objective (one unit per break start, or per idle slot).

`search_upward` asks an incremental SAT solver (CaDiCaL) for a schedule of cost at most
0, 1, 2, ... (a totalizer over the soft literals): each "no" is a proven lower bound, the first
"yes" is an optimum, proven. `MaxSatRace` runs it in a child process that streams its bounds
and its optimum to the solver, which stops it when its own time is up. (Measured on the
literature's forums: faster than core-guided RC2 on the hardest of them, e.g. forum-14 in 9 s
where RC2 needed over 60 s.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import WCNF, IDPool
from pysat.solvers import Solver

from scheduler.agendas import fixed_windows
from scheduler.cpsat import POSTED_BY_MODEL, TimeModel, time_objectives
from scheduler.exact import exact_model
from scheduler.format import Salon
from scheduler.problem import SalonProblem, build_problem
from scheduler.rules import break_spread_limit, counting_constraints

SAT_SOLVER = "cadical195"
"""The incremental SAT solver (CaDiCaL 1.9.5: measured faster than Glucose 4 on the forums)."""


def maxsat_objective(problem: SalonProblem) -> str | None:
    """The time objective the MaxSAT search optimises: the salon's only one, else None."""
    names = time_objectives(problem)
    return names[0] if len(names) == 1 else None


@dataclass
class Encoding:
    """A salon's weighted CNF and the variable of each (pair, slot)."""

    wcnf: WCNF = field(default_factory=WCNF)
    pool: IDPool = field(default_factory=IDPool)
    x: dict[tuple[int, int], int] = field(default_factory=dict)
    busy: dict[tuple[str, int], int] = field(default_factory=dict)
    meetings_at: dict[tuple[str, int], list[int]] = field(default_factory=dict)

    def hard(self, clause: list[int]) -> None:
        self.wcnf.append(clause)

    def busy_literal(self, participant: str, slot: int) -> int:
        """A literal true exactly when the participant has a meeting in the slot."""
        key = (participant, slot)
        if key not in self.busy:
            literal = self.pool.id(("busy", participant, slot))
            self.busy[key] = literal
            meetings = self.meetings_at.get(key, [])
            for meeting in meetings:
                self.hard([-meeting, literal])
            self.hard([-literal, *meetings])
        return self.busy[key]

    def cardinality(
        self,
        literals: Sequence[int],
        upper: int | None = None,
        lower: int | None = None,
        guard: int | None = None,
    ) -> None:
        """lower <= sum(literals) <= upper (when `guard` is true, if given)."""
        unless = [-guard] if guard is not None else []
        if lower is not None and lower > len(literals):
            self.hard(unless)
            return
        if upper is not None and upper < len(literals):
            kind = EncType.pairwise if upper == 1 and len(literals) <= 6 else EncType.seqcounter
            for clause in CardEnc.atmost(list(literals), upper, vpool=self.pool, encoding=kind):
                self.hard(clause + unless)
        if lower is not None and lower > 0:
            at_least = CardEnc.atleast(
                list(literals), lower, vpool=self.pool, encoding=EncType.seqcounter
            )
            for clause in at_least:
                self.hard(clause + unless)


def _post_rules(encoding: Encoding, problem: SalonProblem) -> TimeModel:
    """Each pair in its allowed slots (required ones exactly once) and every counting rule;
    the exact model whose candidates were encoded."""
    model = exact_model(problem)
    for p, slots in model.candidates.items():
        literals = [encoding.pool.id(("x", p, s)) for s in slots]
        encoding.x.update({(p, s): literal for s, literal in zip(slots, literals, strict=True)})
        encoding.cardinality(literals, upper=1, lower=None if p in model.optional else 1)
        for s, literal in zip(slots, literals, strict=True):
            for member in problem.pairs[p].members:
                encoding.meetings_at.setdefault((member, s), []).append(literal)
    for constraint in counting_constraints(problem, model.candidates):
        if constraint.rule in POSTED_BY_MODEL:
            continue
        literals = [encoding.x[t] for t in constraint.meetings if t in encoding.x]
        literals += [encoding.busy_literal(u, s) for u, s in constraint.busy]
        encoding.cardinality(literals, constraint.upper, constraint.lower)
    return model


def _gap_literals(
    encoding: Encoding, name: str, busy: Sequence[int]
) -> tuple[list[int], list[int]]:
    """The gap and break-start literals of one participant in one session (exact both ways,
    as scheduler.cpsat.gap_measures)."""
    pool, hard = encoding.pool, encoding.hard
    before = [pool.id(("before", name, i)) for i in range(len(busy))]
    after = [pool.id(("after", name, i)) for i in range(len(busy))]
    for i, literal in enumerate(busy):
        previous = [before[i - 1]] if i else []
        following = [after[i + 1]] if i + 1 < len(busy) else []
        hard([-literal, before[i]])
        hard([-before[i], literal, *previous])
        hard([-literal, after[i]])
        hard([-after[i], literal, *following])
        for neighbour in previous:
            hard([-neighbour, before[i]])
        for neighbour in following:
            hard([-neighbour, after[i]])
    gaps: list[int] = []
    starts: list[int] = []
    for i in range(1, len(busy) - 1):
        gap = pool.id(("gap", name, i))
        hard([-gap, before[i]])
        hard([-gap, after[i]])
        hard([-gap, -busy[i]])
        hard([gap, -before[i], -after[i], busy[i]])
        start = pool.id(("start", name, i))
        hard([-start, gap])
        if gaps:
            hard([-start, -gaps[-1]])
            hard([start, -gap, gaps[-1]])
        else:
            hard([start, -gap])
        gaps.append(gap)
        starts.append(start)
    return gaps, starts


def _post_spread(encoding: Encoding, limit: int, starts: dict[str, list[int]]) -> None:
    """max_break_spread: with fewest[k] = "every participant with meetings has k breaks or
    more", a participant with limit + k breaks or more forces fewest[k]. (On a tight salon
    every participant of the model meets.)"""
    horizon = max((len(s) for s in starts.values()), default=0)
    fewest = {k: encoding.pool.id(("fewest", k)) for k in range(1, horizon + 1)}
    for k in range(2, horizon + 1):
        encoding.hard([-fewest[k], fewest[k - 1]])
    for participant_starts in starts.values():
        if not participant_starts:
            continue
        for k, literal in fewest.items():
            encoding.cardinality(participant_starts, lower=k, guard=literal)
        counter = ITotalizer(
            lits=participant_starts, ubound=len(participant_starts), top_id=encoding.pool.top
        )
        encoding.pool.occupy(encoding.pool.top + 1, counter.top_id)
        encoding.pool.top = counter.top_id
        for clause in counter.cnf.clauses:
            encoding.hard(clause)
        for count in range(limit + 1, len(participant_starts) + 1):
            # count breaks or more (rhs[count - 1]) force fewest[count - limit]
            needed = fewest.get(count - limit)
            encoding.hard([-counter.rhs[count - 1]] + ([needed] if needed else []))


def _post_windows(encoding: Encoding, model: TimeModel, starts: dict[str, list[int]]) -> None:
    """Redundant: a participant without break starts holds its meetings in one window of
    fixed length (one start among its possible ones): the structure SAT propagates best."""
    for participant, window in fixed_windows(model).items():
        whole = encoding.pool.id(("whole", participant))
        encoding.hard([whole, *starts[participant]])
        for start in starts[participant]:
            encoding.hard([-start, -whole])
        length = window.meetings
        begins = [
            encoding.pool.id(("window", participant, i))
            for i in range(len(window.slots) - length + 1)
        ]
        encoding.hard([-whole, *begins])
        encoding.cardinality(begins, upper=1)
        for i, begin in enumerate(begins):
            for j, slot in enumerate(window.slots):
                busy = encoding.busy_literal(participant, slot)
                encoding.hard([-begin, busy] if i <= j < i + length else [-begin, -busy])


def encode(problem: SalonProblem, objective: str) -> Encoding:
    """The salon's exact model as weighted CNF: every rule hard, one soft unit per break
    start (objective "breaks") or idle slot ("idle")."""
    encoding = Encoding()
    model = _post_rules(encoding, problem)
    starts: dict[str, list[int]] = {}
    for participant, sessions in model.sessions_of().items():
        starts[participant] = []
        for session in sessions:
            slots = problem.session_slots[session]
            busy = [encoding.busy_literal(participant, s) for s in slots]
            gaps, session_starts = _gap_literals(encoding, f"{participant}_{session}", busy)
            starts[participant] += session_starts
            for literal in session_starts if objective == "breaks" else gaps:
                encoding.wcnf.append([-literal], weight=1)
    limit = break_spread_limit(problem)
    if limit is not None:
        _post_spread(encoding, limit, starts)
    _post_windows(encoding, model, starts)
    return encoding


@dataclass
class MaxSatAnswer:
    """A placement (pair -> slot), its cost, and when it was had (time.monotonic(): in the
    parent, when the child's message came)."""

    placement: dict[int, int]
    cost: int
    found_at: float = field(default_factory=time.monotonic)


def search_upward(
    problem: SalonProblem,
    objective: str,
    on_bound: Callable[[int], None] | None = None,
    on_schedule: Callable[[MaxSatAnswer], None] | None = None,
) -> MaxSatAnswer | None:
    """Any schedule first (told to `on_schedule` with its cost), then one of cost at most 0,
    1, 2, ... below it: the first found, or else the first schedule, is optimal; `on_bound(k)`
    is told each proven lower bound k. None when no schedule exists."""
    encoding = encode(problem, objective)
    softs = [-clause[0] for clause in encoding.wcnf.soft]
    with Solver(name=SAT_SOLVER, bootstrap_with=encoding.wcnf.hard) as oracle:
        if not oracle.solve():
            return None
        first = _answer(encoding, oracle.get_model(), softs)
        if on_schedule is not None:
            on_schedule(first)
        if first.cost == 0:
            return first
        counter = ITotalizer(lits=softs, ubound=min(first.cost, 8), top_id=encoding.pool.top)
        oracle.append_formula(counter.cnf.clauses)
        for cost in range(first.cost):
            if cost >= len(counter.rhs):
                counter.increase(ubound=min(first.cost, 2 * cost), top_id=counter.top_id)
                oracle.append_formula(counter.cnf.clauses[-counter.nof_new :])
            if oracle.solve(assumptions=[-counter.rhs[cost]]):
                return _answer(encoding, oracle.get_model(), softs)
            if on_bound is not None:
                on_bound(cost + 1)
        return first


def _answer(encoding: Encoding, model: list[int] | None, softs: list[int]) -> MaxSatAnswer:
    """The placement of a SAT model and its cost (its soft literals that hold)."""
    true = {literal for literal in model or [] if literal > 0}
    placement = {p: s for (p, s), literal in encoding.x.items() if literal in true}
    return MaxSatAnswer(placement, sum(1 for literal in softs if literal in true))


def _child() -> None:
    """`python -m scheduler.maxsat OBJECTIVE SECONDS`: the salon (salon/v1 JSON) on stdin; on
    stdout one JSON line per schedule ({"placement": [[pair, slot], ...], "cost": n,
    "optimal": false}, then true for the optimum) and per proven bound ({"bound": k}). A
    watchdog ends the process once its parent is gone (killed) or SECONDS have passed."""
    objective, seconds = sys.argv[1], float(sys.argv[2])
    threading.Thread(
        target=_watchdog, args=(os.getppid(), time.monotonic() + seconds), daemon=True
    ).start()
    problem = build_problem(Salon.model_validate_json(sys.stdin.read()))

    def tell(message: dict[str, object]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    def schedule(answer: MaxSatAnswer, optimal: bool) -> None:
        placement = sorted(answer.placement.items())
        tell({"placement": placement, "cost": answer.cost, "optimal": optimal})

    answer = search_upward(
        problem,
        objective,
        on_bound=lambda bound: tell({"bound": bound}),
        on_schedule=lambda first: schedule(first, optimal=False),
    )
    if answer is not None:
        schedule(answer, optimal=True)


def _watchdog(parent: int, deadline: float) -> None:
    """End this process once its parent has changed or the deadline has passed."""
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.5)
    os._exit(0)


class MaxSatRace:
    """The SAT search of a salon in a child process (its own session: Ctrl-C stays the
    parent's): its proven bound so far (`bound`), its first schedule (`incumbent`), its
    optimum once proven (`answer`); stopped
    with `stop` (always call it: the child otherwise runs until `seconds` have passed)."""

    def __init__(self, salon: Salon, objective: str, seconds: float) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "scheduler.maxsat", objective, str(seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self._process.stdin is not None
        self._process.stdin.write(salon.model_dump_json(by_alias=True).encode())
        self._process.stdin.close()
        self._answer: MaxSatAnswer | None = None
        self._incumbent: MaxSatAnswer | None = None
        self._bound = 0
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read, name="salon-maxsat", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:  # a line cut short when the child was killed
                break
            if "bound" in message:
                self._bound = max(self._bound, int(message["bound"]))
                continue
            placement = {int(p): int(s) for p, s in message["placement"]}
            found = MaxSatAnswer(placement, int(message["cost"]))
            self._incumbent = found
            if message["optimal"]:
                self._answer = found
                self._bound = max(self._bound, found.cost)
        self._done.set()

    def answer(self, wait: float = 0.0) -> MaxSatAnswer | None:
        """The optimum once the child has proven it (None before, or if it found none)."""
        if wait > 0:
            self._done.wait(wait)
        return self._answer

    @property
    def incumbent(self) -> MaxSatAnswer | None:
        """The best schedule the child has sent, proven optimal or not (None before any)."""
        return self._incumbent

    @property
    def bound(self) -> int:
        """The lower bound of the objective proven so far (0 before any)."""
        return self._bound

    def stop(self) -> None:
        """End the child (at once when it is still searching)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._reader.join(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()


if __name__ == "__main__":
    _child()
