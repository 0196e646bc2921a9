"""Security headers of every response (api/edge.py): no Referer leaving a page, no sniffing, no
framing, HSTS over HTTPS only, a Content-Security-Policy without inline script on the pages;
the templates hold no inline script; real chromium shows the pages without a CSP violation."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from service_helpers import World, running_server, settings_for

from api.app import create_app
from api.catalogue import load_catalogue_file
from api.db import make_engine, make_session_factory
from api.edge import PAGE_POLICY
from api.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
CATALOGUE = PROJECT_ROOT / "examples" / "catalogue-2023.json"
ONE_YEAR = "max-age=31536000"


def assert_edge_headers(response: httpx.Response, *, framed_by_self: bool = False) -> None:
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == ("SAMEORIGIN" if framed_by_self else "DENY")
    ancestors = "frame-ancestors 'self'" if framed_by_self else "frame-ancestors 'none'"
    assert response.headers["content-security-policy"].endswith(ancestors)


def script_sources(policy: str) -> str:
    return next(part for part in policy.split("; ") if part.startswith("script-src"))


def test_pages_get_the_policy_without_inline_script(world: World) -> None:
    token = world.tokens["I1"]
    for path in (f"/p/{token}", f"/p/{token}/wishes", "/o/login", "/p/not-a-token"):
        response = world.client.get(path)
        assert response.headers["content-type"].startswith("text/html"), path
        assert_edge_headers(response)
        assert response.headers["content-security-policy"] == PAGE_POLICY
    assert script_sources(PAGE_POLICY) == "script-src 'self'"
    assert "'unsafe-inline'" in PAGE_POLICY.split("style-src")[1].split(";")[0]


def test_the_printable_agenda_may_be_framed_by_the_site_only(world: World) -> None:
    """The agenda page prints it through a same-site iframe (templates/static/pages.js)."""
    response = world.client.get(f"/p/{world.tokens['D1']}/agenda/print")
    assert_edge_headers(response, framed_by_self=True)
    assert response.headers["content-security-policy"] == PAGE_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    assert_edge_headers(world.client.get(f"/p/{world.tokens['D1']}/agenda"))


def test_api_answers_files_and_errors_get_the_headers(world: World) -> None:
    answers = [
        world.client.get("/salons", headers=world.organiser),
        world.client.get("/me", headers=world.me("I1")),
        world.client.get("/salons"),  # 401
        world.client.get("/nowhere"),  # 404
        world.client.post("/salons", content=b"{}", headers={"Content-Length": "9999999"}),
        world.client.get("/assets/pages.js"),
        world.client.get("/openapi.json"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 401, 404, 413, 200, 200]
    for answer in answers:
        assert_edge_headers(answer)
        assert answer.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert "strict-transport-security" not in answer.headers


def test_the_api_docs_keep_their_scripts(world: World) -> None:
    """Swagger UI loads from its CDN with an inline script: /docs is not under the pages'
    policy (only framing is refused)."""
    response = world.client.get("/docs")
    assert response.status_code == 200
    assert_edge_headers(response)
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_hsts_only_over_https(database_url: str) -> None:
    app = create_app(settings_for(database_url))
    with TestClient(app, base_url="https://testserver") as secure:
        response = secure.get("/o/login")
        assert response.headers["strict-transport-security"] == ONE_YEAR
    with TestClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/o/login").headers
        # a client's own X-Forwarded-Proto is not trusted (only uvicorn's trusted proxies)
        forged = plain.get("/o/login", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in forged.headers
    quiet = create_app(settings_for(database_url, hsts_seconds=0))
    with TestClient(quiet, base_url="https://testserver") as secure:
        assert "strict-transport-security" not in secure.get("/o/login").headers


def test_a_real_server_trusts_its_proxy_for_https(tmp_path: Path) -> None:
    """`salon serve` behind a proxy on 127.0.0.1 (uvicorn's default FORWARDED_ALLOW_IPS):
    its X-Forwarded-Proto: https is what the browser used, HSTS goes back."""
    with (
        running_server(f"sqlite:///{tmp_path / 'salon.db'}") as server,
        httpx.Client(base_url=server.base_url, timeout=30) as http,
    ):
        proxied = http.get("/o/login", headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers["strict-transport-security"] == ONE_YEAR
        assert_edge_headers(proxied)
        direct = http.get("/o/login")
        assert "strict-transport-security" not in direct.headers
        assert direct.headers["content-security-policy"] == PAGE_POLICY


# ------------------------------------------------------------------ templates

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
SCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_hold_no_inline_script(path: Path) -> None:
    """Scripts are files of templates/static served under /assets (JSON-LD data blocks are
    not scripts: browsers never run them)."""
    text = path.read_text("utf-8")
    assert INLINE_SCRIPT.findall(text) == []
    assert HANDLER.findall(text) == []
    assert SCRIPT_URL.findall(text) == []


def test_the_template_checks_find_inline_script() -> None:
    page = (
        '<script>alert(1)</script><script src="/assets/pages.js"></script>'
        '<script type="application/ld+json">{}</script>'
        '<button onclick="go()">x</button><a href="javascript:history.back()">b</a>'
    )
    assert INLINE_SCRIPT.findall(page) == ["<script>"]
    assert len(HANDLER.findall(page)) == 1
    assert len(SCRIPT_URL.findall(page)) == 1


# ------------------------------------------------------------------ a real browser

sys.path.insert(0, str(Path(__file__).resolve().parent / "documents"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))


@pytest.fixture(scope="module")
def published_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served salon (the documents' tiny one), solved and published, with personal links,
    and the example catalogue."""
    from browser_helpers import import_salon, organiser_database
    from documents_helpers import salon_data

    folder = tmp_path_factory.mktemp("edge-browser")
    url, key = organiser_database(folder, "csp@example.org")
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        load_catalogue_file(session, CATALOGUE)
    engine.dispose()
    with running_server(url, SALON_OUTBOX_DIR=str(folder / "outbox")) as server:
        with httpx.Client(
            base_url=server.base_url, timeout=60, headers={"Authorization": f"Bearer {key}"}
        ) as api:
            salon_id = import_salon(api, salon_data())
            job = api.post(f"/salons/{salon_id}/solves", json={"time_limit": 2, "workers": 1})
            job_url = f"/salons/{salon_id}/solves/{job.json()['id']}"
            for _ in range(600):
                state = api.get(job_url).json()["state"]
                if state not in ("queued", "running"):
                    break
                time.sleep(0.1)
            assert state == "done"
            assert api.post(f"/salons/{salon_id}/schedules/1/publish").status_code == 200
            assert api.post(f"/salons/{salon_id}/wish-window/open").status_code == 200
            tokens = {}
            for person in api.get(f"/salons/{salon_id}/participants").json()["data"]:
                link = api.post(f"/salons/{salon_id}/participants/{person['id']}/links", json={})
                tokens[person["code"]] = link.json()["token"]
        yield {"base_url": server.base_url, "key": key, "salon_id": salon_id, "tokens": tokens}


@pytest.mark.browser
def test_pages_run_under_the_policy_in_chromium(published_site: dict[str, Any]) -> None:
    """Every page's script runs (the live filter, the print iframe, the error page's back link)
    and chromium reports no Content-Security-Policy violation."""
    from browser_helpers import launched_chromium

    base, token = published_site["base_url"], published_site["tokens"]["d2"]
    with launched_chromium() as browser:
        page = browser.new_page(locale="fr-FR")
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        page.goto(f"{base}/p/{token}/wishes")
        assert page.locator("#directory tbody tr:visible").count() > 0
        page.locator("input[data-filter]").fill("zzz-nobody")
        assert page.locator("#directory tbody tr:visible").count() == 0  # pages.js ran
        page.goto(f"{base}/p/{token}/agenda")
        with page.expect_request(f"{base}/p/{token}/agenda/print"):
            page.get_by_role("link", name="Imprimer").click()
        frame = page.frame_locator("iframe.print-frame")
        assert frame.locator("section.agenda h1").inner_text() == "Bruno Directeur"
        page.goto(f"{base}/p/{token}")
        page.goto(f"{base}/p/not-a-real-token")
        back = page.get_by_role("link", name="Revenir en arrière")
        assert back.is_visible()
        back.click()
        page.wait_for_url(f"{base}/p/{token}")
        page.goto(f"{base}/catalogue/")
        page.locator("a[href*='/catalogue/events/']").first.click()
        assert "application/ld+json" in page.content()  # a data block, not a script
        page.goto(f"{base}/catalogue/guide")
        page.locator("a[href*='/catalogue/tracks/']").first.click()
        page.wait_for_url(re.compile(r".*/catalogue/tracks/.+"))
        page.goto(f"{base}/o/login")
        page.close()
    assert violations == []
