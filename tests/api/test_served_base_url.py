"""The links' base address (`salon serve`, `salon demo`): SALON_BASE_URL when it is set, else
where the server listens, so that printed and mailed links reach the server (issue 13)."""

from __future__ import annotations

import pytest

from api.cli.serve import base_url_lines, served_base_url
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


def test_serve_says_the_base_and_warns_of_a_loopback_for_everyone() -> None:
    local = base_url_lines("http://127.0.0.1:8000", host="127.0.0.1", language="fr")
    assert local == ["Liens imprimés et envoyés : http://127.0.0.1:8000"]
    everyone = base_url_lines("http://127.0.0.1:8000", host="0.0.0.0", language="en")
    assert everyone[0] == "Printed and mailed links: http://127.0.0.1:8000"
    assert "set SALON_BASE_URL" in everyone[1]
    assert len(base_url_lines("https://salon.example.org", host="0.0.0.0", language="fr")) == 1
