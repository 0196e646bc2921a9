"""Every PDF says what it is: title and author in its metadata, read back with pypdf (issue 13:
only the A3 grid had a title; the batches joined by pypdf lost it)."""

from __future__ import annotations

import io

from documents_helpers import tiny_documents
from pypdf import PdfReader

from api.documents import agendas_pdf, grid_pdf, tables_pdf
from api.documents.pdf import agenda_pdf_bytes


def metadata(pdf: bytes) -> tuple[str | None, str | None]:
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    return info.title, info.author


def test_agendas_batch_in_several_chunks_has_title_and_author() -> None:
    docs = tiny_documents()
    result = agendas_pdf(docs, docs.agendas(), workers=1, chunk=2)
    name = docs.salon.name
    assert metadata(result.pdf) == (f"{name} — Agendas", name)


def test_one_agenda_is_titled_with_its_participant() -> None:
    docs = tiny_documents()
    agenda = docs.agenda("d1")
    title, author = metadata(agenda_pdf_bytes(docs, agenda))
    assert title == f"{docs.salon.name} — {agenda.participant.name}"
    assert author == docs.salon.name


def test_table_sheets_and_grid_have_title_and_author() -> None:
    docs = tiny_documents()
    name = docs.salon.name
    assert metadata(tables_pdf(docs, workers=1).pdf) == (f"{name} — Tables", name)
    assert metadata(grid_pdf(docs).pdf) == (f"{name} — Grille générale", name)


def test_titles_follow_the_documents_language() -> None:
    docs = tiny_documents(language="en")
    name = docs.salon.name
    assert metadata(grid_pdf(docs).pdf)[0] == f"{name} — Master grid"
