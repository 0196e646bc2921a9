"""The job queue (issue 12): how background work is queued, shared fairly and run by any number
of `salon worker` processes over PostgreSQL (procrastinate), or in the server process itself in
the embedded mode (api.jobs dispatches; the work is the same).

- `tables.py` the queue's own tables (entries, runs, printed files, mail outbox);
  `storage.py` their queries and the claim of a job by one run (fenced by its owner);
- `priorities.py` queues, priorities (the salon's day first) and fair-share locks;
- `client.py` deferring to procrastinate (a synchronous pool), from a server or a worker;
- `tasks.py` the worker's tasks (a job's run, a mail, the stalled jobs' recovery, reminders);
- `worker.py` a worker process (the procrastinate worker with our runner);
- `operations.py` what `salon jobs` shows and does (list, retry, cancel).
"""
