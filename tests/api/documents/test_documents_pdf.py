"""Real PDFs by WeasyPrint, read back with pypdf: page counts, names, times, page numbers."""

from __future__ import annotations

import io
import re
from pathlib import Path

from documents_helpers import DAY, salon_data, schedule_data, tiny_documents
from pypdf import PdfReader

from api.documents import (
    SalonDocuments,
    agendas_pdf,
    grid_pdf,
    html_to_pdf,
    render_agendas,
    tables_pdf,
)
from api.documents.pdf import LocalFetcher, render_chunk
from scheduler.loading import load_salon, load_schedule

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def keep(name: str, pdf: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(pdf)


def test_agendas_pdf_one_page_each_with_names_times_and_page_numbers() -> None:
    docs = tiny_documents()
    result = agendas_pdf(docs, docs.agendas(), workers=1)
    keep("agendas-tiny.pdf", result.pdf)
    texts = pages_text(result.pdf)
    assert result.pages == len(texts) == 5
    assert "Anne Directrice" in texts[0] and "9 h 00 – 9 h 15" in texts[0]
    assert "Claire Industrielle" in texts[0] and "Libre" in texts[0] and "Pause" in texts[0]
    assert "<script>alert('x')</script> Évelyne" in texts[2]
    assert all("page 1 / 1" in text for text in texts)
    assert "Version publiée le mardi 21 novembre 2023, 18 h 00" in texts[0]
    reader = PdfReader(io.BytesIO(result.pdf))
    assert [item.title for item in reader.outline] == [  # type: ignore[union-attr]
        "Anne Directrice",
        "Bruno Directeur",
        "<script>alert('x')</script> Évelyne",
        "Claire Industrielle",
        "Denis Sanrendezvous",
    ]


def long_day_documents() -> SalonDocuments:
    """A salon of 5-minute slots over 8 hours: a director's agenda needs several pages."""
    data = salon_data()
    data["meeting_minutes"] = 5
    data["sessions"] = [{"date": DAY, "start": "09:00", "end": "17:00"}]
    return SalonDocuments(load_salon(data), load_schedule({"salon": data["name"]}))


def test_long_agendas_number_their_own_pages() -> None:
    docs = long_day_documents()
    agendas = docs.agendas(ids=["d1", "i1"])
    result = agendas_pdf(docs, agendas, workers=1)
    texts = pages_text(result.pdf)
    per_agenda = result.page_counts["agenda-0"]
    assert per_agenda >= 2 and result.pages == 2 * per_agenda
    numbers = [re.search(r"page (\d+) / (\d+)", text).groups() for text in texts]  # type: ignore[union-attr]
    expected = [(str(i), str(per_agenda)) for i in range(1, per_agenda + 1)]
    assert numbers == expected * 2
    assert "Anne Directrice" in texts[0] and "Évelyne" in texts[per_agenda]


def test_a_wrong_page_prediction_is_corrected_for_that_agenda_only() -> None:
    docs = long_day_documents()
    agendas = docs.agendas(ids=["d1", "d2"])
    marks = {a.anchor: f"@{i}@" for i, a in enumerate(agendas)}
    html = render_agendas(docs, agendas, marks)
    pdf, counts, refused = render_chunk(html, [a.anchor for a in agendas], [1, 1])
    texts = pages_text(pdf)
    assert counts[0] > 1 and len(texts) == sum(counts) and refused == []
    assert f"page {counts[0]} / {counts[0]}" in texts[counts[0] - 1]
    assert "Bruno Directeur" in texts[counts[0]]


def test_two_worker_processes_give_the_same_pages_in_order() -> None:
    docs = tiny_documents()
    result = agendas_pdf(docs, docs.agendas(), workers=2, chunk=2)
    texts = pages_text(result.pdf)
    names = ["Anne Directrice", "Bruno Directeur", "Évelyne", "Claire Industrielle", "Denis"]
    assert [any(name in text.split("\n")[1] for name in names) for text in texts] == [True] * 5
    assert [name in texts[i] for i, name in enumerate(names)] == [True] * 5


def test_progress_is_reported_per_chunk() -> None:
    docs = tiny_documents()
    seen: list[tuple[int, int]] = []
    agendas_pdf(
        docs, docs.agendas(), workers=1, chunk=2, on_progress=lambda d, n: seen.append((d, n))
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_table_sheets_one_page_per_table() -> None:
    docs = tiny_documents()
    result = tables_pdf(docs, workers=1)
    keep("tables-tiny.pdf", result.pdf)
    texts = pages_text(result.pdf)
    assert result.pages == 3
    assert "Table T1" in texts[0] and "Salle A" in texts[0] and "Claire Industrielle" in texts[0]
    assert "Table T2" in texts[1] and "14 h 15 – 14 h 30" in texts[1] and "Évelyne" in texts[1]


def test_master_grid_is_a3_landscape() -> None:
    result = grid_pdf(tiny_documents())
    keep("grid-tiny.pdf", result.pdf)
    page = PdfReader(io.BytesIO(result.pdf)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert round(width / 72 * 25.4) == 420 and round(height / 72 * 25.4) == 297
    assert "Grille générale" in pages_text(result.pdf)[0]


def test_only_local_static_files_and_data_uris_are_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for documents")
    html = (
        '<html><body><img src="http://127.0.0.1:9/x.png"><img src="https://example.org/y.png">'
        f'<img src="{secret.as_uri()}"><img src="../../etc/passwd"><img src="print.css">'
        "</body></html>"
    )
    result = html_to_pdf(html)
    assert result.pages == 1
    assert "http://127.0.0.1:9/x.png" in result.refused
    assert "https://example.org/y.png" in result.refused
    assert secret.as_uri() in result.refused
    assert any(url.endswith("/etc/passwd") for url in result.refused)
    assert not any(url.endswith("print.css") for url in result.refused)


def test_fetcher_serves_static_files() -> None:
    fetcher = LocalFetcher()
    response = fetcher.fetch((LocalFetcher().root / "print.css").as_uri())
    assert b"@page" in response.read()


def test_user_text_cannot_bring_a_url_into_a_pdf() -> None:
    data = salon_data()
    data["participants"][2]["name"] = '<img src="http://127.0.0.1:9/track.png">'
    docs = SalonDocuments(load_salon(data), load_schedule(schedule_data()))
    result = agendas_pdf(docs, docs.agendas(ids=["i1", "d1"]), workers=1)
    assert result.refused == []
    assert '<img src="http://127.0.0.1:9/track.png">' in pages_text(result.pdf)[0]
