"""The service's settings, read from the environment (prefix SALON_, plus DATABASE_URL)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
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
    job_heartbeat_seconds: float = 1.0  # how often a running job proves its process alive
    job_stale_seconds: float = 30.0  # a job silent for that long is failed as interrupted
    job_cancel_grace_seconds: float = 3.0  # after a cancel, before the solve process is killed
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "salon@localhost"
    outbox_dir: Path = PROJECT_ROOT / "var" / "outbox"
    templates_dir: Path = PROJECT_ROOT / "templates"
    secret_key: str | None = None  # signs the links printed on agendas; else secret_file
    secret_file: Path | None = None  # default: `secret_key` beside the outbox folder


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own Settings)."""
    return Settings()
