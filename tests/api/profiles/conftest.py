"""Fixtures of the profile tests (tests/api/profiles/profiles_fixtures.py)."""

from __future__ import annotations

from profiles_fixtures import salon  # noqa: F401
