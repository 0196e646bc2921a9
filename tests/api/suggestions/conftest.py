"""Fixtures of the suggestion page tests: the profile tests' salon (tests/api/profiles)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "profiles"))

from profiles_fixtures import salon  # noqa: E402, F401
