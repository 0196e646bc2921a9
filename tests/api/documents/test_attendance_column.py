"""The table sheets carry a column to tick attendance: a box per visitor of each meeting, under
a "Présent" head (issue 13 defect), in the HTML and in the real PDF."""

from __future__ import annotations

import io
import re

from documents_helpers import tiny_documents
from pypdf import PdfReader

from api.documents import tables_html, tables_pdf


def test_every_meeting_guest_has_a_box_to_tick() -> None:
    docs = tiny_documents()
    html = tables_html(docs)
    sheets = docs.table_sheets()
    expected = sum(
        len(row.guests if sheet.owners else row.parties)
        for sheet in sheets
        for _, rows in sheet.days
        for row in rows
        if row.kind == "meeting"
    )
    assert expected > 0
    assert len(re.findall(r'class="tick" data-attendance="[^"]+"', html)) == expected
    assert html.count('<span class="tick-col">Présent</span>') == len(sheets)


def test_the_pdf_shows_the_column_head_on_every_sheet_in_english_too() -> None:
    for language, head in (("fr", "Présent"), ("en", "Present")):
        docs = tiny_documents(language=language)
        pdf = tables_pdf(docs, workers=1).pdf
        texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        assert texts and all(head in text for text in texts), (language, texts)
