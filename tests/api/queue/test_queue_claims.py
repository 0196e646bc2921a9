"""The claim of a job by one run (api.queue.storage), on SQLite and PostgreSQL: what makes a job
never run twice at once. A live run is not taken over; a silent one is, and from then on every
write of the old run is refused (progress, end, heartbeat), while the new run's pass."""

from __future__ import annotations

import datetime as dt

from service_helpers import World

from api.queue import storage as queue_storage
from api.salons.tables import Job, SolveJob
from api.timestamps import utc_now

OLD, NEW = "host-a@101:old", "host-b@202:new"


def _running_job(world: World) -> int:
    with world.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        now = utc_now()
        job = SolveJob(
            salon_id=world.salon_id,
            state="queued",
            cancel_requested=False,
            time_limit=5,
            workers=1,
            seed=0,
            phase="",
            elapsed=0.0,
            message="",
            created_at=now,
        )
        session.add(job)
        session.flush()
        claim = queue_storage.claim_job(
            session,
            job_id=job.id,
            owner=OLD,
            first_phase="snapshot",
            now=now,
            max_running=None,
            takeover_before=None,
        )
        assert claim.outcome == "claimed" and not claim.took_over
        session.commit()
        return job.id


def test_a_live_run_keeps_its_job_and_a_silent_one_loses_it(world: World) -> None:
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]
    job_id = _running_job(world)
    now = utc_now()
    limit = now - dt.timedelta(seconds=2)
    with factory() as session:
        # Running: not claimable from queued, and its run beats: no takeover.
        again = queue_storage.claim_job(
            session, job_id=job_id, owner=NEW, first_phase="", now=now, max_running=None,
            takeover_before=None,
        )
        assert again.outcome == "gone"
        alive = queue_storage.claim_job(
            session, job_id=job_id, owner=NEW, first_phase="", now=now, max_running=None,
            takeover_before=limit,
        )
        assert alive.outcome == "alive"
        session.rollback()
        # The old run falls silent (its last beat 5 s ago): the new run takes the job over.
        session.execute(
            Job.__table__.update()
            .where(Job.id == job_id)
            .values(heartbeat_at=now - dt.timedelta(seconds=5))
        )
        session.commit()
        taken = queue_storage.claim_job(
            session, job_id=job_id, owner=NEW, first_phase="snapshot", now=now,
            max_running=None, takeover_before=limit,
        )
        assert taken.outcome == "claimed" and taken.took_over
        session.commit()
    with factory() as session:
        # The old run comes back: none of its writes pass, its heartbeat says it lost the job.
        assert not queue_storage.update_owned_job(session, job_id=job_id, owner=OLD, phase="x")
        assert not queue_storage.update_owned_job(
            session, job_id=job_id, owner=OLD, state="done"
        )
        assert queue_storage.beat(session, job_id=job_id, owner=OLD, now=utc_now()) == (
            False,
            False,
        )
        assert queue_storage.beat(session, job_id=job_id, owner=NEW, now=utc_now()) == (
            True,
            False,
        )
        assert queue_storage.update_owned_job(
            session, job_id=job_id, owner=NEW, state="done", finished_at=utc_now()
        )
        queue_storage.end_runs(session, job_id=job_id, outcome="done", now=utc_now())
        session.commit()
        runs = queue_storage.job_runs(session, job_id=job_id)
        job = session.get(Job, job_id)
    assert job is not None and (job.state, job.owner) == ("done", NEW)
    assert [(run.owner, run.outcome) for run in runs] == [(OLD, "abandoned"), (NEW, "done")]
    assert runs[0].ended_at is not None and runs[0].ended_at <= runs[1].started_at
