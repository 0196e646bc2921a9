"""The solve process of background jobs (`api.solve_process.run`): the last line it writes for
each way a solve ends, with the real scheduling core."""

from __future__ import annotations

import io
import json
import threading
from typing import Any

from service_helpers import crowded_salon
from test_cli_core import DAY, salon_data

from api.solve_process import _Writer, run


def solve_messages(
    document: dict[str, Any], stop: threading.Event, time_limit: float = 2
) -> list[dict[str, Any]]:
    stream = io.StringIO()
    request = {"document": document, "time_limit": time_limit, "workers": 1, "seed": 0}
    run(request, _Writer(stream), stop)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_solved_salon_ends_with_its_schedule() -> None:
    messages = solve_messages(salon_data(), threading.Event())
    assert messages[-1]["kind"] == "done"
    assert messages[-1]["schedule"]["format"] == "schedule/v1"
    assert all(m["kind"] == "progress" for m in messages[:-1])


def test_a_proven_impossible_salon_ends_infeasible_with_its_clashes() -> None:
    data = salon_data(sessions=[{"date": DAY, "start": "09:00", "end": "09:15"}])
    for wish in data["wishes"]:
        if wish["from"] == "C2":
            wish["required"] = True
    last = solve_messages(data, threading.Event())[-1]
    assert last["kind"] == "infeasible"
    assert {rule for rule, _english, _french in last["clashes"]} == {"required_meeting"}


def test_no_schedule_in_time_ends_timed_out_not_infeasible() -> None:
    """A salon too big for 1 ms: the core proves nothing, the process says `timed_out`."""
    last = solve_messages(crowded_salon(), threading.Event(), time_limit=0.001)[-1]
    assert last == {"kind": "timed_out", "seconds": 0.001, "stopped": False}
