"""Badges: real PDFs read back with pypdf (8 per A4 sheet with cut marks, or one per page of
the badge's size), from the CLI and from the organiser's batch print (SQLite and PostgreSQL),
the salon's side labels, the check-in codes printed and their QR addresses opening the desk's
badge page; the table sheets' QR code of their attendance link."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dayof_helpers import CODES, code_of
from documents_helpers import salon_data, schedule_data, tiny_documents
from fastapi.testclient import TestClient
from pages_helpers import sign_in, wait_print
from pypdf import PdfReader
from repair_pages_helpers import published_salon
from service_helpers import settings_for

from api.app import create_app
from api.cli import main
from api.dayof.codes import shown_code
from api.dayof.links import print_links
from api.documents import DocumentOptions, SalonDocuments
from api.documents.badges import COLUMNS, HEIGHT, ROWS, WIDTH, badges_html, marks_svg
from api.documents.html import render_table_sheets

MM = 72 / 25.4


@pytest.fixture(autouse=True)
def french_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALON_LANG", "fr")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    salon, schedule = tmp_path / "salon.json", tmp_path / "schedule.json"
    salon.write_text(json.dumps(salon_data(), ensure_ascii=False), "utf-8")
    schedule.write_text(json.dumps(schedule_data()), "utf-8")
    return salon, schedule


def pdf_text(path: Path | bytes) -> tuple[PdfReader, str]:
    data = path.read_bytes() if isinstance(path, Path) else path
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_cli_badges_on_a4_sheets_with_the_salon_labels(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "badges.pdf"
    code = main(
        ["print", *map(str, files), "--kind", "badges", "--director-label", "Donneurs d'ordre",
         "-o", str(out), "--workers", "1"]
    )
    assert code == 0
    reader, text = pdf_text(out)
    assert len(reader.pages) == 1  # 5 badges, 8 to a sheet
    box = reader.pages[0].mediabox
    assert round(float(box.width) / MM) == 210 and round(float(box.height) / MM) == 297
    for name in ("Anne Directrice", "Bruno Directeur", "Claire Industrielle", "Denis"):
        assert name in text
    assert text.count("DONNEURS D'ORDRE") == 2 and text.count("INDUSTRIELS") == 3
    assert "director" not in text and "industrial" not in text  # labels, never raw codes
    for participant in CODES:
        assert shown_code(code_of(participant)) in text
    assert "Optique SAS" in text


def test_cli_one_badge_per_page_and_bad_options(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "one.pdf"
    assert main(["print", *map(str, files), "--kind", "badges", "--one-per-page",
                 "--checkin-url", "https://s.example.org/o/salons/3/checkin/{code}",
                 "-o", str(out), "--workers", "1"]) == 0
    reader, _text = pdf_text(out)
    assert len(reader.pages) == 5
    box = reader.pages[0].mediabox
    assert round(float(box.width) / MM) == WIDTH and round(float(box.height) / MM) == HEIGHT
    assert main(["print", *map(str, files), "--kind", "tables", "--one-per-page",
                 "-o", str(tmp_path / "t.pdf")]) == 2
    assert "--one-per-page et --checkin-url ne valent que pour --kind badges" in (
        capsys.readouterr().err
    )
    assert main(["print", *map(str, files), "--kind", "badges", "--checkin-url",
                 "https://s.example.org/checkin", "-o", str(tmp_path / "b.pdf")]) == 2
    assert "--checkin-url doit contenir {code}" in capsys.readouterr().err
    assert not (tmp_path / "t.pdf").exists() and not (tmp_path / "b.pdf").exists()


def test_badges_html_cut_marks_and_order() -> None:
    documents = tiny_documents()
    html = badges_html(documents)
    assert html.count('<img class="marks"') == 1  # one sheet, its cut marks
    marks = base64.b64decode(marks_svg().split(",", 1)[1]).decode()
    assert marks.count("M") == 2 * (COLUMNS + 1) + 2 * (ROWS + 1)  # both ends of each edge
    order = [html.index(name) for name in ("Anne Directrice", "Bruno", "Claire", "Denis")]
    assert order == sorted(order)  # name order, as the desk hands them out
    single = badges_html(documents, one_per_page=True)
    assert 'class="marks"' not in single and single.count('class="badge-single"') == 5


def test_table_sheets_carry_their_attendance_qr_code() -> None:
    documents = tiny_documents()
    linked = SalonDocuments(
        documents.salon,
        documents.schedule,
        DocumentOptions(links={"table:T1": "https://s.example.org/t/3/T1?key=abc"}),
    )
    html = render_table_sheets(linked, linked.table_sheets())
    assert html.count('class="online attendance-qr"') == 1
    assert "Présences : scannez pour noter chaque rendez-vous" in html
    assert 'attendance-qr' not in render_table_sheets(documents, documents.table_sheets())


@pytest.fixture
def app_client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(database_url))) as client:
        yield client


def test_organiser_prints_badges_whose_qr_opens_the_desk(app_client: TestClient) -> None:
    client = app_client
    organiser, salon_id = published_salon(client)
    csrf = sign_in(client, organiser)
    response = client.post(
        f"/o/salons/{salon_id}/schedules/1/prints",
        data={"csrf": csrf, "kind": "badges"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    job = wait_print(client, response.headers["location"])
    assert job["state"] == "done" and job["done"] == job["total"] == 1
    _reader, text = pdf_text(client.get(f"{response.headers['location']}/file").content)
    assert shown_code(code_of("i2")) in text and "Claire Industrielle" in text
    settings = client.app.state.settings  # type: ignore[attr-defined]
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        links = print_links(session, salon_id=salon_id, document="badges", settings=settings)
    url = links["i2"]
    assert url.endswith(f"/o/salons/{salon_id}/checkin/{code_of('i2')}")
    badge = client.get(url.removeprefix(settings.base_url.rstrip("/")))
    assert badge.status_code == 200 and "Claire Industrielle" in badge.text
    single = client.post(
        f"/o/salons/{salon_id}/schedules/1/prints",
        data={"csrf": csrf, "kind": "badges-single"},
        follow_redirects=False,
    )
    job = wait_print(client, single.headers["location"])
    assert job["state"] == "done" and job["total"] == 5
    reader, _text = pdf_text(client.get(f"{single.headers['location']}/file").content)
    assert len(reader.pages) == 5
    assert round(float(reader.pages[0].mediabox.width) / MM) == WIDTH
