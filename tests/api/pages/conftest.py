"""Page tests run on SQLite only (the service layer below them is tested on both databases)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

# The page tests reuse the documents' tiny salon file (tests/api/documents/documents_helpers.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "documents"))


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    path = tmp_path / "salon.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"
