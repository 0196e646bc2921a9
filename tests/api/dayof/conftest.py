"""The day's tests reuse the documents' tiny salon, the page and the repair page helpers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.timestamps import set_clock

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent / "documents", HERE.parent / "pages", HERE.parent / "repairs", HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    """A test that simulates the clock leaves the real one behind it."""
    yield
    set_clock(None)
