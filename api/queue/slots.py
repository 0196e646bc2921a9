"""The embedded mode's slots: a fixed number of threads per kind of job, taking the waiting jobs
highest priority first, then oldest (the order a procrastinate worker fetches them in)."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable


class Slots:
    """`count` threads running `run(job_id)` for the submitted jobs, by priority then id."""

    def __init__(self, count: int, run: Callable[[int], None], name: str) -> None:
        self._run = run
        self._waiting: list[tuple[int, int]] = []  # (-priority, job id)
        self._condition = threading.Condition()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{n}", daemon=True)
            for n in range(max(1, count))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job_id: int, priority: int) -> None:
        with self._condition:
            heapq.heappush(self._waiting, (-priority, job_id))
            self._condition.notify()

    def close(self) -> list[int]:
        """Stop taking jobs, wait for the running ones; the jobs that never started."""
        with self._condition:
            self._closed = True
            pending = [job_id for _priority, job_id in self._waiting]
            self._waiting.clear()
            self._condition.notify_all()
        for thread in self._threads:
            thread.join()
        return pending

    def _serve(self) -> None:
        while True:
            with self._condition:
                while not self._waiting and not self._closed:
                    self._condition.wait()
                if self._closed:
                    return
                _priority, job_id = heapq.heappop(self._waiting)
            self._run(job_id)
