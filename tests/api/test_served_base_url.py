"""The links' base address (`salon serve`, `salon demo`): SALON_BASE_URL when it is set, else
where the server listens, so that printed and mailed links reach the server (issue 13)."""

from __future__ import annotations

import pytest

from api.cli.serve import served_base_url
from api.settings import Settings


def test_an_explicit_base_url_always_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALON_BASE_URL", "https://salon.example.org/")
    settings = Settings()
    assert served_base_url(settings, host="0.0.0.0", port=9000) == "https://salon.example.org"


def test_without_one_the_listening_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SALON_BASE_URL", raising=False)
    settings = Settings()
    assert served_base_url(settings, host=None, port=None) == "http://127.0.0.1:8000"
    assert served_base_url(settings, host=None, port=9000) == "http://127.0.0.1:9000"
    assert served_base_url(settings, host="0.0.0.0", port=None) == "http://127.0.0.1:8000"
    assert served_base_url(settings, host="salon.lan", port=8080) == "http://salon.lan:8080"
