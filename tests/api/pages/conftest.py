"""Page tests run on SQLite only (the service layer below them is tested on both databases)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    path = tmp_path / "salon.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"
