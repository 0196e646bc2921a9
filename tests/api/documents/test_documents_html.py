"""Rendered HTML: the right meetings in the right rows, escaping, languages, version stamp."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from documents_helpers import EVIL, tiny_documents

from api.documents import agenda_html, grid_html, render_agendas, tables_html


class Rows(HTMLParser):
    """The text of each agenda row (<p class="row ..." data-start=...>) by start time."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}
        self._current: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "p" and "data-start" in values:
            start = values["data-start"] or ""
            self._current = start
            self.rows.setdefault(start, []).append("")
            self.kinds[start] = (values.get("class") or "").replace("row ", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self.rows[self._current][-1] += data


def parse_rows(html: str) -> Rows:
    parser = Rows()
    parser.feed(html)
    return parser


def test_agenda_rows_hold_the_right_meetings() -> None:
    rows = parse_rows(agenda_html(tiny_documents(), "d1"))
    assert rows.kinds == {
        "09:00": "meeting",
        "09:15": "meeting",
        "09:30": "free",
        "09:45": "free",
        "10:00": "break",
        "14:00": "free",
        "14:15": "free",
    }
    assert "Évelyne" in rows.rows["09:00"][0] and "les deux" in rows.rows["09:00"][0]
    assert "Claire Industrielle" in rows.rows["09:15"][0]
    assert "Optique SAS" in rows.rows["09:15"][0] and "l'interlocuteur" in rows.rows["09:15"][0]
    assert "T1 · Salle A" in rows.rows["09:15"][0]
    assert rows.rows["09:30"] == ["9 h 30 – 9 h 45\tLibre"]
    assert rows.rows["10:00"] == ["10 h 00 – 14 h 00\tPause"]


def test_two_meetings_in_one_slot_make_two_rows() -> None:
    rows = parse_rows(agenda_html(tiny_documents(), "i2"))
    assert len(rows.rows["09:15"]) == 2
    assert "Anne Directrice" in rows.rows["09:15"][0] and "T1" in rows.rows["09:15"][0]
    assert "Bruno Directeur" in rows.rows["09:15"][1] and "T2" in rows.rows["09:15"][1]


def test_unavailable_slot_is_shown() -> None:
    rows = parse_rows(agenda_html(tiny_documents(), "d2"))
    assert rows.kinds["09:45"] == "unavailable" and "Indisponible" in rows.rows["09:45"][0]


def test_names_are_escaped_everywhere() -> None:
    docs = tiny_documents()
    for html in (
        agenda_html(docs, "i1"),
        agenda_html(docs, "d1"),
        tables_html(docs),
        grid_html(docs),
    ):
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Évelyne" in html
    assert EVIL in parse_rows(agenda_html(docs, "d1")).rows["09:00"][0]


def test_header_has_salon_date_name_table_version_and_online_link() -> None:
    docs = tiny_documents(links={"d1": "https://salon.example.org/p/tok"})
    html = agenda_html(docs, "d1")
    assert "Salon test &amp; démo" in html
    assert "mardi 28 novembre 2023" in html
    assert "Anne Directrice" in html and "Directeurs de programme" in html
    assert "Table d'accueil :" in html and "Salle A" in html
    assert "Version publiée le mardi 21 novembre 2023, 18 h 00" in html
    assert 'href="https://salon.example.org/p/tok"' in html
    assert 'src="data:image/png' in html


def test_unpublished_documents_say_so() -> None:
    html = agenda_html(tiny_documents(published_at=None), "d1")
    assert "Version non publiée, éditée le" in html


def test_english_agenda() -> None:
    html = agenda_html(tiny_documents(language="en"), "d1")
    rows = parse_rows(html)
    assert '<html lang="en">' in html
    assert "Published version of Tuesday 21 November 2023, 18:00" in html
    assert rows.rows["09:30"] == ["09:30 – 09:45\tFree"]
    assert "both" in rows.rows["09:00"][0] and "Break" in rows.rows["10:00"][0]


def test_batch_html_has_one_section_per_agenda() -> None:
    docs = tiny_documents()
    html = render_agendas(docs, docs.agendas())
    assert len(re.findall(r'<section class="agenda sheet"', html)) == 5


def test_table_sheets_and_grid_show_guests() -> None:
    docs = tiny_documents()
    sheets = tables_html(docs)
    assert len(re.findall(r'<section class="table-sheet sheet"', sheets)) == 3
    assert "Table T2" in sheets and "Claire Industrielle" in sheets
    grid = grid_html(docs)
    assert "Grille générale" in grid and grid.count("<tr>") == 2 * (1 + 3)
