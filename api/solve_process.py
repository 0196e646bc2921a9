"""The solve process of a background job: `python -m api.solve_process`.

Kept light (only the scheduling core), and talking JSON lines over its standard streams:
- stdin: first `{"document": salon/v1, "time_limit", "workers", "seed"}`, then `stop` lines
  (ask the solver to stop, SolveOptions.stop); end of input (the server closed the pipe or died)
  stops the solver too and ends the process shortly after.
- stdout: `{"kind": "progress", "phase", "elapsed", "values", "bounds", "message"}` lines, then
  one of `{"kind": "done", "schedule"}`, `{"kind": "error", "message"}`,
  `{"kind": "infeasible", "clashes": [[rule, english, french]]}` (proven: the rules cannot all
  be met) or `{"kind": "timed_out", "seconds", "stopped"}` (no schedule found in time, or
  stopped before one was; nothing proven).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import IO, Any

from scheduler.errors import InfeasibleError, NoScheduleInTimeError
from scheduler.format import Salon
from scheduler.progress import Progress, SolveOptions
from scheduler.solver import solve

ORPHAN_GRACE_SECONDS = 2.0


def _listen(stream: IO[str], stop: threading.Event) -> None:
    for line in stream:
        if line.strip() == "stop":
            stop.set()
    # End of input: the server has its result, or it is gone. Stop, then leave.
    stop.set()
    time.sleep(ORPHAN_GRACE_SECONDS)
    os._exit(0)


class _Writer:
    """Writes JSON lines; leaves quietly when nobody reads any more."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        try:
            with self.lock:
                self.stream.write(json.dumps(message) + "\n")
                self.stream.flush()
        except (BrokenPipeError, OSError):
            os._exit(0)


def run(request: dict[str, Any], writer: _Writer, stop: threading.Event) -> None:
    """Solve the request's salon and write the outcome."""

    def report(progress: Progress) -> None:
        writer.send(
            {
                "kind": "progress",
                "phase": progress.phase,
                "elapsed": progress.elapsed,
                "values": dict(progress.values),
                "bounds": dict(progress.bounds),
                "message": progress.message,
            }
        )

    options = SolveOptions(
        time_limit=float(request["time_limit"]),
        workers=int(request["workers"]),
        seed=int(request["seed"]),
        on_progress=report,
        stop=stop,
    )
    try:
        schedule = solve(Salon.model_validate(request["document"]), options)
    except InfeasibleError as exc:
        clashes = [[c.rule, c.message, c.message_fr] for c in exc.clashes]
        writer.send({"kind": "infeasible", "clashes": clashes})
    except NoScheduleInTimeError as exc:
        writer.send({"kind": "timed_out", "seconds": exc.seconds, "stopped": exc.stopped})
    except Exception as exc:  # any solver failure is reported, never lost
        writer.send({"kind": "error", "message": f"{type(exc).__name__}: {exc}"})
    else:
        writer.send({"kind": "done", "schedule": schedule.to_json_dict()})


def main() -> int:
    line = sys.stdin.readline()
    if not line:
        return 1
    stop = threading.Event()
    threading.Thread(target=_listen, args=(sys.stdin, stop), daemon=True).start()
    run(json.loads(line), _Writer(sys.stdout), stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
