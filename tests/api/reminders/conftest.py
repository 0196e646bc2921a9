"""The reminders' tests reuse the page tests' helpers (a solved and published salon)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pages"))
