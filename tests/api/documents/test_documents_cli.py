"""`salon print` on files: outputs, formats and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from documents_helpers import salon_data, schedule_data
from icalendar import Calendar
from pypdf import PdfReader

from api.cli import main


@pytest.fixture(autouse=True)
def french_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's texts in French whatever the machine's locale (LANG=en_GB.UTF-8 would pick
    English: api/cli/_texts.py); `--lang en` still picks English."""
    monkeypatch.setenv("SALON_LANG", "fr")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    salon = tmp_path / "salon.json"
    schedule = tmp_path / "schedule.json"
    salon.write_text(json.dumps(salon_data(), ensure_ascii=False), "utf-8")
    schedule.write_text(json.dumps(schedule_data()), "utf-8")
    return salon, schedule


def run(*args: str | Path) -> int:
    return main(["print", *map(str, args)])


def test_director_agendas_pdf(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "directeurs.pdf"
    assert run(*files, "--kind", "agendas", "--role", "director", "-o", out, "--workers", "1") == 0
    pages = PdfReader(out).pages
    assert len(pages) == 2 and "Bruno Directeur" in pages[1].extract_text()


def test_one_participant_as_html_ics_and_with_links(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    html = tmp_path / "d1.html"
    assert (
        run(
            *files,
            "--participant",
            "d1",
            "-o",
            html,
            "--link-template",
            "https://salon.example.org/p/{id}",
            "--published",
            "2023-11-21T18:00",
        )
        == 0
    )
    text = html.read_text("utf-8")
    assert "https://salon.example.org/p/d1" in text and "Version publiée le" in text
    ics = tmp_path / "d1.ics"
    assert run(*files, "--participant", "d1", "-o", ics, "--lang", "en") == 0
    assert len(list(Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))) == 2


def test_tables_grid_and_meetings(files: tuple[Path, Path], tmp_path: Path) -> None:
    assert run(*files, "--kind", "tables", "-o", tmp_path / "t.pdf", "--workers", "1") == 0
    assert len(PdfReader(tmp_path / "t.pdf").pages) == 3
    assert run(*files, "--kind", "grid", "-o", tmp_path / "g.pdf") == 0
    assert "Grille générale" in PdfReader(tmp_path / "g.pdf").pages[0].extract_text()
    assert run(*files, "-o", tmp_path / "m.xlsx") == 0
    assert openpyxl.load_workbook(tmp_path / "m.xlsx").sheetnames[0] == "Rendez-vous"
    assert run(*files, "-o", tmp_path / "m.csv", "--lang", "en") == 0
    assert (tmp_path / "m.csv").read_text("utf-8-sig").startswith("Date,Start,End")


def test_bad_files_exit_2_naming_the_json_path(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    salon, schedule = files
    broken = schedule_data()
    broken["meetings"][1]["to"] = "ghost"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), "utf-8")
    assert run(salon, bad, "-o", tmp_path / "x.pdf") == 2
    err = capsys.readouterr().err
    assert "fichier de planning invalide" in err and "$.meetings[1].to" in err
    assert "Traceback" not in err
    (tmp_path / "nojson.json").write_text("{", "utf-8")
    assert run(tmp_path / "nojson.json", schedule, "-o", tmp_path / "x.pdf") == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--kind", "grid", "-o", "{tmp}/g.xlsx"], "--kind grid s'imprime en pdf, html"),
        (["--participant", "d1", "--participant", "d2", "-o", "{tmp}/x.ics"], "un et un seul"),
        (["--participant", "nobody", "-o", "{tmp}/x.pdf"], "participant inconnu"),
        (["-o", "{tmp}/missing/x.pdf"], "n'existe pas"),
        (["--kind", "tables", "--role", "director", "-o", "{tmp}/t.pdf"], "--kind agendas"),
        (["--published", "demain", "-o", "{tmp}/x.pdf"], "--published"),
        (["--link-template", "https://x.org/p/", "-o", "{tmp}/x.pdf"], "{id}"),
    ],
)
def test_options_that_do_not_fit_exit_2(
    files: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    assert run(*files, *[o.replace("{tmp}", str(tmp_path)) for o in options]) == 2
    assert message in capsys.readouterr().err


def test_messages_in_english(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*files, "--participant", "nobody", "-o", tmp_path / "x.pdf", "--lang", "en") == 2
    assert "unknown participant" in capsys.readouterr().err


def test_pdf_output_is_a_real_pdf(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "all.pdf"
    assert run(*files, "-o", out, "--workers", "1") == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 5
