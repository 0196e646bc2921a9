"""Schemathesis over the catalogue's JSON API (/catalogue/api): generated requests, valid and
invalid, as the public, a signed-in contributor and a moderator, on a database holding the
example catalogue. Checked: never a 5xx; every refusal is `{"detail": {"code", "message"}}`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.catalogue import accounts, load_catalogue_file
from api.db import make_engine, make_session_factory, migrate
from api.organisers.service import create_organiser
from api.settings import Settings

EXAMPLES = int(os.environ.get("SALON_SCHEMATHESIS_EXAMPLES", "10"))
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "catalogue-2023.json"
schema = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="sqlite://")).openapi()
).include(path_regex=r"^/catalogue/api/")


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("catalogue-fuzz")
    url = f"sqlite:///{folder / 'catalogue.db'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        load_catalogue_file(session, EXAMPLE)
        key = create_organiser(session, email="fuzz@example.org").key
        token = accounts.issue_magic_link(session, email="camille.martin@administration.example")
        _contributor, session_token = accounts.open_session(session, token=token)
    engine.dispose()
    app = create_app(Settings(database_url=url, outbox_dir=folder / "outbox",
                              base_url="http://testserver"))
    with TestClient(app):
        yield app, {"moderator": f"Bearer {key}", "contributor": f"Bearer {session_token}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_catalogue_api_never_fails(case: Any, fuzzed: tuple[FastAPI, dict[str, str]]) -> None:
    app, credentials = fuzzed
    path = case.operation.path
    who = "moderator" if "/moderation/" in path else "contributor" if "/me" in path else None
    headers = {"Authorization": credentials[who]} if who else {}
    response = case.call(app=app, headers=headers)
    assert response.status_code < 500, (case.operation.label, response.text[:500])
    content_type = " ".join(response.headers.get("content-type") or [])
    if response.status_code >= 400 and content_type.startswith("application/json"):
        detail = response.json()["detail"]
        if response.status_code != 405:
            assert isinstance(detail, dict) and detail["code"] and detail["message"], detail
