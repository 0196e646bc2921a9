"""Fixtures of the registration tests (tests/api/registration/registration_fixtures.py)."""

from __future__ import annotations

from registration_fixtures import desk  # noqa: F401
