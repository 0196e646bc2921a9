"""`salon repair`: the change list printed, the files written, exit codes, in-process (api.cli.main
with capsys) and once through the `salon` console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from scheduler.loading import load_salon, load_schedule
from scheduler.validator import validate

SALON_SCRIPT = Path(sys.executable).parent / "salon"
DAY = "2024-03-14"


def _at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00"


def _meeting(asker: str, asked: str, start: str, end: str, table: str) -> dict[str, str]:
    return {"from": asker, "to": asked, "start": _at(start), "end": _at(end), "table": table}


SALON: dict[str, Any] = {
    "format": "salon/v1",
    "name": "Salon du jour",
    "meeting_minutes": 15,
    "sessions": [{"date": DAY, "start": "09:00", "end": "10:00"}],
    "tables": ["T1", "T2", "P1"],
    "participants": [
        {"id": "D1", "name": "Claire", "table": "T1"},
        {"id": "D2", "name": "Julien", "table": "T2"},
        {"id": "C1", "name": "Camille"},
        {"id": "C2", "name": "Thomas"},
        {
            "id": "C3",
            "name": "Isabelle",
            "unavailable": [{"start": _at("09:45"), "end": _at("10:00")}],
        },
    ],
    "wishes": [
        {"from": "C1", "to": "D1"},
        {"from": "C2", "to": "D1"},
        {"from": "C3", "to": "D1", "priority": 1},
        {"from": "C1", "to": "D2"},
    ],
}
SCHEDULE: dict[str, Any] = {
    "format": "schedule/v1",
    "salon": "Salon du jour",
    "meetings": [
        _meeting("C1", "D1", "09:00", "09:15", "T1"),
        _meeting("C2", "D1", "09:15", "09:30", "T1"),
        _meeting("C1", "D2", "09:30", "09:45", "T2"),
    ],
}
CHANGES: dict[str, Any] = {
    "format": "changes/v1",
    "changes": [
        {"kind": "no_show", "participant": "C1", "at": _at("09:00")},
        {
            "kind": "participant_unavailable",
            "participant": "D1",
            "start": _at("09:15"),
            "end": _at("09:30"),
        },
    ],
}


@pytest.fixture(autouse=True)
def french_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's texts in French whatever the machine's locale (LANG=en_GB.UTF-8 would pick
    English: api/cli/_texts.py); `--lang en` still picks English."""
    monkeypatch.setenv("SALON_LANG", "fr")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "salon": tmp_path / "salon.json",
        "schedule": tmp_path / "schedule.json",
        "changes": tmp_path / "changes.json",
    }
    for name, data in (("salon", SALON), ("schedule", SCHEDULE), ("changes", CHANGES)):
        paths[name].write_text(json.dumps(data), "utf-8")
    return paths


def _args(files: dict[str, Path], *extra: str, now: str = "09:10") -> list[str]:
    return [
        "repair",
        str(files["salon"]),
        str(files["schedule"]),
        str(files["changes"]),
        "--now",
        _at(now)[:16],
        *extra,
    ]


def test_repair_writes_the_schedule_and_prints_the_change_list(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output, changed = tmp_path / "new.json", tmp_path / "salon2.json"
    code = main(_args(files, "-o", str(output), "--salon-output", str(changed)))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == (
        f"Planning réparé écrit dans {output} : 1 déplacé(s), 0 annulé(s), 1 ajouté(s)."
    )
    assert lines[1:5] == [
        "Changements :",
        "  - maintenu  C1 – D1 : 09:00 T1 (absent au rendez-vous)",
        "  - déplacé   C2 – D1 : 09:15 T1 → 09:45 T1 (participant indisponible)",
        "  - ajouté    C3 – D1 : 09:30 T1 (liste d'attente)",
    ]
    assert "Participants à prévenir : 3 (C2, C3, D1)" in out
    repaired = load_schedule(output)
    assert [c.kind for c in repaired.changes or []] == ["kept", "moved", "added"]
    assert validate(load_salon(changed), repaired).violations == []


def test_repair_in_english(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(files, "-o", str(tmp_path / "new.json"), "--lang", "en")) == 0
    out = capsys.readouterr().out
    assert "  - moved     C2 – D1: 09:15 T1 → 09:45 T1 (participant unavailable)" in out
    assert "Participants to tell: 3 (C2, C3, D1)" in out


def test_bad_changes_exit_2_naming_the_path(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files["changes"].write_text(
        json.dumps({"changes": [{"kind": "participant_cancelled", "participant": "X9"}]}), "utf-8"
    )
    output = tmp_path / "new.json"
    assert main(_args(files, "-o", str(output))) == 2
    err = capsys.readouterr().err
    assert f"Fichier de changements invalide : {files['changes']} (1 problème(s))" in err
    assert "$.changes[0].participant [known_participant]" in err
    assert not output.exists()


def test_a_bad_schedule_file_exits_2(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files["schedule"].write_text("{", "utf-8")
    assert main(_args(files, "-o", str(tmp_path / "new.json"))) == 2
    assert f"Fichier de planning invalide : {files['schedule']}" in capsys.readouterr().err


@pytest.mark.parametrize("now", ["demain", "2024-03-14T09:10+01:00"])
def test_a_bad_now_exits_2(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], now: str
) -> None:
    args = _args(files, "-o", str(tmp_path / "new.json"))
    args[args.index("--now") + 1] = now
    assert main(args) == 2
    assert f"--now invalide : {now}" in capsys.readouterr().err


def test_a_missing_output_folder_exits_2(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(files, "-o", str(tmp_path / "nope" / "new.json"))) == 2
    assert "n'existe pas" in capsys.readouterr().err


def test_a_dropped_required_meeting_is_reported_as_a_broken_rule(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    salon = json.loads(files["salon"].read_text("utf-8"))
    salon["wishes"][3]["required"] = True
    files["salon"].write_text(json.dumps(salon), "utf-8")
    files["changes"].write_text(
        json.dumps(
            {
                "changes": [
                    {
                        "kind": "participant_unavailable",
                        "participant": "D2",
                        "start": _at("09:15"),
                        "end": _at("10:00"),
                    }
                ]
            }
        ),
        "utf-8",
    )
    assert main(_args(files, "-o", str(tmp_path / "new.json"))) == 0
    out, err = capsys.readouterr()
    assert "annulé    C1 – D2 : 09:30 T2 (participant indisponible)" in out
    assert "Attention : le planning réparé enfreint ces règles du salon :" in err
    assert "[required_meeting]" in err


def test_the_console_script(files: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "new.json"
    done = subprocess.run(
        [str(SALON_SCRIPT), *_args(files, "-o", str(output), "--lang", "en")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Repaired schedule written to" in done.stdout
    assert load_schedule(output).changes
