"""The service's settings, read from the environment (prefix SALON_, plus DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse_many
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """One settings object for the whole service."""

    model_config = SettingsConfigDict(env_prefix="SALON_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'salon.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "SALON_DATABASE_URL"),
    )
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    default_language: str = "fr"
    solve_time_limit: float = 60.0
    solve_workers: int = 8
    solve_concurrency: int = 1  # solves running at once in one server process
    print_concurrency: int = 1  # batch prints at once in one server process (own slots)
    job_heartbeat_seconds: float = 1.0  # how often a running job proves its process alive
    job_stale_seconds: float = 30.0  # a job silent for that long is failed as interrupted
    job_cancel_grace_seconds: float = 3.0  # after a cancel, before the solve process is killed
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "salon@localhost"
    outbox_dir: Path = PROJECT_ROOT / "var" / "outbox"
    # Rate limits and mail failures (issue 11): docs/service.md "Rate limits and mail failures".
    # Limits in `limits` notation, several joined by ";": "10/minute;50/hour".
    rate_limits_enabled: bool = True  # False: nothing is limited (tests about something else)
    rate_limit_storage: Literal["database", "memory"] = "database"  # memory: per process
    rate_limit_magic_link_per_client: str = "10/minute;50/hour"  # magic links asked, per client
    rate_limit_magic_link_per_email: str = "3/minute;10/hour"  # magic links to one address
    rate_limit_sign_in_failures_per_client: str = "10/minute;50/hour"  # failed sign-ins
    rate_limit_mail_routes_per_client: str = "10/minute;60/hour"  # requests that send mails
    rate_limit_mails_per_recipient: str = "5/hour;20/day"  # organisers' mails to one address
    rate_limit_registration_per_client: str = "5/minute;20/hour"  # registration forms posted
    smtp_timeout: float = Field(default=10.0, gt=0)  # seconds before an SMTP server is given up

    @field_validator(
        "rate_limit_magic_link_per_client",
        "rate_limit_magic_link_per_email",
        "rate_limit_sign_in_failures_per_client",
        "rate_limit_mail_routes_per_client",
        "rate_limit_mails_per_recipient",
        "rate_limit_registration_per_client",
    )
    @classmethod
    def _rate_limit_notation(cls, value: str) -> str:
        parse_many(value)  # ValueError naming the string when it is not `limits` notation
        return value

    templates_dir: Path = PROJECT_ROOT / "templates"
    secret_key: str | None = None  # signs the links printed on agendas; else secret_file
    secret_file: Path | None = None  # default: `secret_key` beside the outbox folder
    # Documents served one by one (a participant's agenda PDF, iCal, print view), per server
    # process (api/documents/serving.py): PDFs laid out at once (default: the cores), in worker
    # processes (else threads of the server), and the bytes their cache keeps (0: none)
    document_renders: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    document_render_processes: bool = True
    document_cache_bytes: int = Field(default=32 * 2**20, ge=0)
    # The service's edge (api/edge.py): request body caps and security headers.
    max_body_bytes: int = 1024 * 1024  # a request's body, but the file imports' (413 above)
    hsts_seconds: int = 31_536_000  # Strict-Transport-Security max-age over HTTPS; 0: none
    # Organiser sessions and solve quotas (issue 11): docs/service.md "Organiser sessions,
    # solve quotas"
    organiser_session_idle_seconds: float = Field(default=7200.0, gt=0)  # unused that long: ends
    organiser_session_max_seconds: float = Field(default=43200.0, gt=0)  # ends that long after
    solve_max_time_limit: float = Field(default=1800.0, gt=0)  # longest an organiser may ask (s)
    solve_max_workers: int = Field(default=8, ge=1)  # most CP-SAT workers an organiser may ask
    solve_max_active: int = Field(default=2, ge=1)  # queued or running solves of one organiser
    # The job queue (issue 12): docs/deployment.md. "embedded": jobs run in the server process
    # (SQLite or PostgreSQL, no other process); "procrastinate" (PostgreSQL only): servers only
    # queue, `salon worker` processes on any machine run the jobs.
    job_queue: Literal["embedded", "procrastinate"] = "embedded"
    solve_max_running: int = Field(default=2, ge=1)  # running solves of one organiser; more wait
    worker_concurrency: int = Field(default=2, ge=1)  # jobs at once in one `salon worker`
    worker_heartbeat_seconds: float = Field(default=2.0, gt=0)  # a worker proves itself alive
    worker_stalled_seconds: float = Field(default=10.0, gt=0)  # silent that long: its jobs retried
    mail_max_attempts: int = Field(default=5, ge=1)  # a queued mail's sendings before failed
    # Finished queue rows kept this many days, then deleted by the hourly clean-up (the
    # workers' `salon.prune`, the embedded runner's tick): procrastinate's ended jobs and their
    # events, sent and failed mails. 0 keeps them all.
    queue_keep_days: int = Field(default=30, ge=0)

    @model_validator(mode="after")
    def _queue_needs_postgresql(self) -> Settings:
        if self.job_queue == "procrastinate" and not self.database_url.startswith("postgresql"):
            raise ValueError(
                "SALON_JOB_QUEUE=procrastinate needs PostgreSQL: set DATABASE_URL to "
                "postgresql+psycopg://... (or SALON_JOB_QUEUE=embedded)"
            )
        return self

    # The day itself (issue 13): a calendar's alarm before each meeting (minutes; 0: none); the
    # evening reminder's hour, in the salon's timezone, the day before each day of meetings.
    ical_alarm_minutes: int = Field(default=10, ge=0, le=24 * 60)
    reminder_hour: int = Field(default=18, ge=0, le=23)
    # Embedded mode: how often the server itself sends the due reminders (seconds; 0: never,
    # e.g. when `salon reminders send` runs from cron). A worker's periodic task does it else.
    reminder_tick_seconds: float = Field(default=60.0, ge=0)
    display_poll_seconds: float = Field(default=15.0, ge=1)  # how often a room display asks
    # A simulated clock, for tests and rehearsals only (api/timestamps.py): the service's time
    # runs from this instant (ISO 8601; naive = UTC) when the process starts, `clock_speed`
    # times as fast. Never set it for a real salon.
    clock_start: dt.datetime | None = None
    clock_speed: float = Field(default=1.0, gt=0)
    clock_anchor: dt.datetime | None = None  # the real instant it reads clock_start (same in all)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own Settings)."""
    return Settings()
