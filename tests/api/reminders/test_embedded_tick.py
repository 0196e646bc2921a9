"""The embedded mode's reminders (issue 13, item 5): the server's own job runner sends the due
evening reminders every `reminder_tick_seconds`, without cron or worker, each once; 0 turns the
tick off (cron sends them instead; with procrastinate a worker's periodic task does). The
hourly clean-up of old mails ticks beside it (api.jobs.prune_old_mails)."""

from __future__ import annotations

import time
from pathlib import Path

from service_helpers import World
from test_reminders import EVENING, _ready

from api.jobs import PRUNE_SECONDS, make_runner
from api.mail import read_outbox
from api.timestamps import set_clock


def _wait_for_mails(outbox: Path, count: int, seconds: float = 30.0) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(read_outbox(outbox)) < count:
        time.sleep(0.05)
    return len(read_outbox(outbox))


def test_the_embedded_runner_sends_a_due_reminder_once(world: World, tmp_path: Path) -> None:
    settings = _ready(world, tmp_path).model_copy(update={"reminder_tick_seconds": 0.2})
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]
    runner = make_runner(factory, settings)
    assert runner.mode == "embedded"
    assert [seconds for seconds, _ in runner.periodic] == [0.2, PRUNE_SECONDS]  # and clean-up
    set_clock(EVENING)  # the evening before the salon's day: the reminders are due
    try:
        runner.start()
        assert _wait_for_mails(settings.outbox_dir, 3) == 3  # D1, I1, I2
        time.sleep(1.0)  # five more ticks: nothing sent twice
        assert len(read_outbox(settings.outbox_dir)) == 3
    finally:
        runner.shutdown()
        set_clock(None)
    assert sorted(str(m["To"]) for m in read_outbox(settings.outbox_dir)) == [
        "d1@example.org", "i1@example.org", "i2@example.org",
    ]


def test_no_tick_when_turned_off(world: World, tmp_path: Path) -> None:
    settings = _ready(world, tmp_path).model_copy(update={"reminder_tick_seconds": 0})
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]
    off = make_runner(factory, settings)
    assert [seconds for seconds, _ in off.periodic] == [PRUNE_SECONDS]  # the clean-up only
    set_clock(EVENING)
    try:
        off.start()
        time.sleep(0.5)
        assert read_outbox(settings.outbox_dir) == []
    finally:
        off.shutdown()
        set_clock(None)
