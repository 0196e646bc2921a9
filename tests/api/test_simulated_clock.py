"""The simulated clock of tests and rehearsals (api/timestamps.py, `SALON_CLOCK_START`):
`utc_now` and everything derived from it run from the configured instant."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.settings import Settings
from api.timestamps import clock_speed, configure_clock, local_now, set_clock, utc_now

START = dt.datetime(2023, 11, 28, 7, 55)  # naive UTC: 8:55 in Paris


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    set_clock(None)


def test_the_clock_runs_from_the_start_at_normal_speed() -> None:
    set_clock(START)
    first = utc_now()
    assert abs((first - START).total_seconds()) < 1
    time.sleep(0.2)
    elapsed = (utc_now() - first).total_seconds()
    assert 0.15 < elapsed < 2
    assert local_now("Europe/Paris").replace(second=0, microsecond=0) == dt.datetime(
        2023, 11, 28, 8, 55
    )
    assert clock_speed() == 1.0


def test_an_aware_start_and_a_faster_clock() -> None:
    set_clock(dt.datetime(2023, 11, 28, 8, 55, tzinfo=dt.timezone(dt.timedelta(hours=1))), 60)
    time.sleep(0.25)
    ahead = (utc_now() - START).total_seconds()
    assert 10 < ahead < 120  # a quarter second is 15 simulated seconds
    assert clock_speed() == 60


def test_no_start_is_the_real_clock() -> None:
    set_clock(START)
    set_clock(None)
    assert utc_now().year >= 2025


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALON_CLOCK_START", "2023-11-28T07:55:00")
    monkeypatch.setenv("SALON_CLOCK_SPEED", "2")
    settings = Settings()
    configure_clock(settings)
    assert settings.clock_start == START and settings.clock_speed == 2
    assert abs((utc_now() - START).total_seconds()) < 5


def test_a_nonpositive_speed_is_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        set_clock(START, 0)


def test_the_app_runs_on_its_settings_clock(tmp_path: Path) -> None:
    began = time.monotonic()
    create_app(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", clock_start=START))
    assert 0 <= (utc_now() - START).total_seconds() <= time.monotonic() - began + 1
    create_app(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}"))
    assert utc_now().year >= 2025


def test_two_processes_with_one_anchor_agree() -> None:
    """A server and its worker started apart read the same time when given the same anchor."""
    anchor = utc_now() - dt.timedelta(minutes=10)  # the server started ten minutes ago
    set_clock(START, 1, anchor)
    assert abs((utc_now() - (START + dt.timedelta(minutes=10))).total_seconds()) < 2
    set_clock(START, 2, anchor)
    assert abs((utc_now() - (START + dt.timedelta(minutes=20))).total_seconds()) < 2
