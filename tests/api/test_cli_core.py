"""`salon solve`, `salon check` and `salon stats`: exit codes, messages and files, in-process
(api.cli.main with capsys) and once through the `salon` console script."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from service_helpers import crowded_salon

from api.cli import main
from api.cli._shared import Texts
from api.cli.solve import LiveProgress, PlainProgress, ProgressState
from scheduler.loading import load_salon, load_schedule
from scheduler.progress import Progress
from scheduler.stats import salon_statistics
from scheduler.validator import validate

SALON_SCRIPT = Path(sys.executable).parent / "salon"
DAY = "2024-03-14"
FAST = ["--time-limit", "2", "--workers", "1"]


def _at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00"


def salon_data(**changes: Any) -> dict[str, Any]:
    """Two directors at home tables, three industrials; one session of four 15-minute slots.

    C3 is only free at 09:45 and asked by nobody but D1, who declined; C1 is asked twice as
    much as it can hold (max_meetings 1).
    """
    data: dict[str, Any] = {
        "format": "salon/v1",
        "name": "Salon de démonstration",
        "meeting_minutes": 15,
        "sessions": [{"date": DAY, "start": "09:00", "end": "10:00"}],
        "tables": ["T1", "T2", "P1"],
        "participants": [
            {"id": "D1", "name": "Claire", "role": "director", "table": "T1"},
            {"id": "D2", "name": "Julien", "role": "director", "table": "T2"},
            {"id": "C1", "name": "Camille", "role": "industrial", "max_meetings": 1},
            {"id": "C2", "name": "Thomas", "role": "industrial"},
            {
                "id": "C3",
                "name": "Isabelle",
                "role": "industrial",
                "unavailable": [{"start": _at("09:00"), "end": _at("09:45")}],
            },
        ],
        "wishes": [
            {"from": "C1", "to": "D1", "priority": 1},
            {"from": "C1", "to": "D2", "priority": 3},
            {"from": "C2", "to": "D1"},
            {"from": "C2", "to": "D2"},
            {"from": "C3", "to": "D1", "declined": True},
        ],
    }
    data.update(changes)
    return data


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture(autouse=True)
def french_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's texts in French whatever the machine's locale (LANG=en_GB.UTF-8 would pick
    English: api/cli/_texts.py); `--lang en` still picks English."""
    monkeypatch.setenv("SALON_LANG", "fr")


@pytest.fixture
def salon_file(tmp_path: Path) -> Path:
    return write(tmp_path / "salon.json", salon_data())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ------------------------------------------------------------------------ solve


def test_solve_writes_a_valid_schedule_and_a_summary(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "planning.json"
    code, out, err = run(capsys, "solve", str(salon_file), "-o", str(output), *FAST)
    assert code == 0
    schedule = load_schedule(output)
    assert validate(load_salon(salon_file), schedule).valid
    text = output.read_text("utf-8")
    assert text.startswith('{\n  "format": "schedule/v1",')
    assert "Salon de démonstration" in text  # UTF-8, not \u escapes
    assert json.loads(text) == schedule.to_json_dict()
    # C1 (cap 1) meets D1, C2 meets D1 and D2; C3 was declined by D1.
    assert f"Planning écrit dans {output} (optimal)." in out
    assert "  couverture : 4 (borne supérieure 4)" in out
    assert "  score : 7 (borne supérieure 7)" in out  # weights 3 + 2 + 2
    assert "  créneaux d'attente : 0 (borne inférieure 0)" in out
    assert "Rendez-vous : 3" in out
    assert "Demandes non planifiées : 2" in out
    assert "  participant complet [cap_reached] : 1" in out
    assert "  demande déclinée [declined_never_scheduled] : 1" in out
    assert "Durée : " in out
    # Progress, as plain lines since stderr is not a terminal here.
    assert "choix des rendez-vous" in err
    assert "terminé · couverture 4 (borne 4), score 7 (borne 7)" in err


def test_solve_in_english(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "schedule.json"
    code, out, err = run(
        capsys, "solve", str(salon_file), "-o", str(output), *FAST, "--lang", "en"
    )
    assert code == 0
    assert f"Schedule written to {output} (optimal)." in out
    assert "  coverage: 4 (upper bound 4)" in out
    assert "  idle slots: 0 (lower bound 0)" in out
    assert "Unscheduled requests: 2" in out
    assert "  declined request [declined_never_scheduled]: 1" in out
    assert "done · coverage 4 (bound 4)" in err


def test_solve_records_the_seed_and_workers(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "schedule.json"
    args = ["solve", str(salon_file), "-o", str(output), "--time-limit", "2"]
    code, _, _ = run(capsys, *args, "--workers", "1", "--seed", "5")
    assert code == 0
    stats = load_schedule(output).stats
    assert (stats["seed"], stats["workers"]) == (5, 1)


def test_solve_uses_every_core_by_default_and_reproducible_repeats_itself(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    """No --workers: as many workers as the machine has cores. --reproducible: budgets in
    deterministic work, so the same seed and workers give the same schedule again."""
    schedules = []
    for name in ("first.json", "second.json"):
        output = tmp_path / name
        code, _, _ = run(
            capsys, "solve", str(salon_file), "-o", str(output), "--time-limit", "2",
            "--reproducible",
        )
        assert code == 0
        schedules.append(load_schedule(output))
    assert schedules[0].stats["workers"] == max(8, os.cpu_count() or 1)
    assert schedules[0].meetings == schedules[1].meetings


def test_solve_help_names_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["solve", "--help"])
    assert caught.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for code in ("0 planning écrit", "2 fichier invalide", "3 règles impossibles à respecter",
                 "4 aucun planning trouvé dans le temps imparti", "130 interrompu"):
        assert code in text, text
    assert "--reproducible" in text and f"au moins 8, ici {max(8, os.cpu_count() or 1)}" in text


def test_solve_a_bad_salon_prints_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = salon_data(timezone="Europe/Lutece")
    data["wishes"].append({"from": "C2", "to": "D9"})
    data["wishes"].append({"from": "C2", "to": "C2", "priority": 5})
    salon = write(tmp_path / "bad.json", data)
    output = tmp_path / "schedule.json"
    code, out, err = run(capsys, "solve", str(salon), "-o", str(output), *FAST)
    assert code == 2
    assert out == ""
    assert not output.exists()
    assert f"Fichier de salon invalide : {salon} (1 problème(s))" in err
    assert "$.wishes[6].priority [schema] valeur invalide" in err
    # The schema error comes first; once fixed, the semantic problems are all listed.
    data["wishes"][-1]["priority"] = 1
    write(salon, data)
    code, _, err = run(capsys, "solve", str(salon), "-o", str(output), *FAST)
    assert code == 2
    assert "(3 problème(s))" in err
    assert "  - $.timezone [timezone] fuseau horaire inconnu : unknown IANA timezone" in err
    assert "  - $.wishes[5].to [known_participant] participant inconnu : unknown" in err
    assert "  - $.wishes[6] [not_oneself] demande à soi-même : " in err


def test_solve_invalid_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    salon = tmp_path / "broken.json"
    salon.write_text('{"name": "x", }', "utf-8")
    code, _, err = run(capsys, "solve", str(salon), "-o", str(tmp_path / "s.json"), *FAST)
    assert code == 2
    assert "  - $ [json] JSON invalide : not valid JSON" in err
    assert "line 1, column 15" in err


def test_solve_wrong_format_tag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    salon = write(tmp_path / "s.json", salon_data(format="salon/v2"))
    code, _, err = run(capsys, "solve", str(salon), "-o", str(tmp_path / "o.json"), *FAST)
    assert code == 2
    assert "$.format [format]" in err


def test_solve_a_missing_file_or_a_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    output = str(tmp_path / "s.json")
    code, _, err = run(capsys, "solve", str(tmp_path / "absent.json"), "-o", output, *FAST)
    assert code == 2
    assert "[file] fichier illisible : file not found" in err
    code, _, err = run(capsys, "solve", str(tmp_path), "-o", output, *FAST, "--lang", "en")
    assert code == 2
    assert "[file] unreadable file: cannot read" in err


def test_solve_into_a_missing_folder_fails_before_solving(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "nowhere" / "s.json"
    code, out, err = run(capsys, "solve", str(salon_file), "-o", str(output), *FAST)
    assert code == 2
    assert f"Impossible d'écrire le planning dans {output}" in err
    assert "n'existe pas" in err
    assert "choix des rendez-vous" not in err  # no solve was started


def test_solve_infeasible_names_the_clashing_requirements(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # One slot, and C2 must meet both directors in it.
    data = salon_data(sessions=[{"date": DAY, "start": "09:00", "end": "09:15"}])
    for wish in data["wishes"]:
        if wish["from"] == "C2":
            wish["required"] = True
    salon = write(tmp_path / "salon.json", data)
    output = tmp_path / "schedule.json"
    code, out, err = run(capsys, "solve", str(salon), "-o", str(output), *FAST)
    assert code == 3
    assert not output.exists()
    assert "Les règles ne peuvent pas toutes être respectées" in err
    clashes = [line for line in err.splitlines() if line.startswith("  - [required_meeting]")]
    assert len(clashes) == 2
    assert any("C2-D1" in line for line in clashes)
    assert any("C2-D2" in line for line in clashes)
    assert "rendez-vous obligatoire" in clashes[0]
    lines = err.splitlines()
    for line in clashes:  # the core's French sentence, then its English one below
        assert ": le rendez-vous obligatoire C2-D" in line, line
        english = lines[lines.index(line) + 1]
        assert english.startswith("    the required meeting C2-D"), english
    code, _, err = run(capsys, "solve", str(salon), "-o", str(output), *FAST, "--lang", "en")
    assert code == 3
    assert "le rendez-vous obligatoire C2-D1" in err and "the required meeting C2-D1" in err


def test_solve_without_a_schedule_in_time_exits_4_and_proves_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A salon too big for 1 ms: no schedule, nothing proven. Exit 4 (not 3), the core's sentence
    in French then in English, and what to do; never the wording of an impossible salon."""
    salon = write(tmp_path / "salon.json", crowded_salon())
    output = tmp_path / "schedule.json"
    args = ["solve", str(salon), "-o", str(output), "--time-limit", "0.001", "--workers", "1"]
    code, out, err = run(capsys, *args)
    assert code == 4
    assert not output.exists()
    lines = err.splitlines()
    french = lines.index(
        "aucun planning trouvé dans le temps imparti (0.001 s) ; le salon n'est PAS prouvé "
        "impossible : donnez plus de temps au calcul"
    )
    assert lines[french + 1] == (
        "no schedule was found within the time limit (0.001 s); the salon is NOT proven "
        "impossible: give the solver more time"
    )
    assert lines[french + 2] == "Relancez avec un --time-limit plus grand."
    assert "Les règles ne peuvent pas toutes être respectées" not in err
    assert "Planning écrit" not in out
    code, _, err = run(capsys, *args, "--lang", "en")
    assert code == 4
    assert "le salon n'est PAS prouvé impossible" in err
    assert "the salon is NOT proven impossible" in err
    assert "Run it again with a larger --time-limit." in err
    assert "The rules cannot all be met" not in err


@pytest.mark.parametrize(
    ("option", "value"),
    [("--time-limit", "0"), ("--time-limit", "abc"), ("--workers", "0"), ("--lang", "de")],
)
def test_solve_rejects_bad_options(
    capsys: pytest.CaptureFixture[str], salon_file: Path, option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["solve", str(salon_file), "-o", "x.json", option, value])
    assert caught.value.code == 2
    assert option in capsys.readouterr().err


def test_solve_requires_an_output(capsys: pytest.CaptureFixture[str], salon_file: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["solve", str(salon_file)])
    assert caught.value.code == 2
    assert "-o/--output" in capsys.readouterr().err


# ------------------------------------------------------------------------ check


def _schedule(meetings: list[dict[str, str]], salon: str = "Salon de démonstration") -> dict:
    return {"format": "schedule/v1", "salon": salon, "meetings": meetings}


def _meeting(asker: str, asked: str, start: str, end: str, table: str) -> dict[str, str]:
    return {"from": asker, "to": asked, "start": _at(start), "end": _at(end), "table": table}


def test_check_a_valid_schedule(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    schedule = write(
        tmp_path / "planning.json",
        _schedule(
            [
                _meeting("C1", "D1", "09:00", "09:15", "T1"),
                _meeting("C2", "D2", "09:00", "09:15", "T2"),
                _meeting("C2", "D1", "09:30", "09:45", "T1"),
            ]
        ),
    )
    code, out, err = run(capsys, "check", str(salon_file), str(schedule))
    assert code == 0
    assert err == ""
    assert out.splitlines() == [
        "Planning valide : toutes les règles sont respectées.",
        "Objectifs :",
        "  couverture : 4",
        "  score : 7",
        "  créneaux d'attente : 2",  # C2 and D1 wait at 09:15
        "  équité : 12600",  # C2 and D1 meet twice (2520 + 1260), C1 and D2 once (2520)
        "  pauses : 2",
    ]


def test_check_prints_each_violation_with_its_rule(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    schedule = write(
        tmp_path / "planning.json",
        _schedule(
            [
                _meeting("C1", "D1", "09:00", "09:15", "T1"),
                _meeting("C1", "D2", "09:15", "09:30", "T2"),  # C1 may hold one meeting
                _meeting("C3", "D1", "09:45", "10:00", "T1"),  # declined
                _meeting("C2", "D2", "09:05", "09:20", "T2"),  # off the grid
                _meeting("C2", "C3", "09:30", "09:45", "P1"),  # nobody asked
            ]
        ),
    )
    code, out, _ = run(capsys, "check", str(salon_file), str(schedule))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "Planning non valide : 4 infraction(s)."
    rules = sorted(line.split("]")[0].split("[")[1] for line in lines[1:5])
    assert rules == [
        "declined_never_scheduled",
        "max_meetings",
        "meeting_has_wish",
        "on_slot_grid",
    ]
    assert any(
        line.startswith("  - [max_meetings] maximum de rendez-vous dépassé : C1: 2 > 1")
        for line in lines
    )
    assert "Objectifs :" in lines


def test_check_in_english(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    schedule = write(
        tmp_path / "planning.json",
        _schedule([_meeting("C3", "D1", "09:00", "09:15", "T2")]),
    )
    code, out, _ = run(capsys, "check", str(salon_file), str(schedule), "--lang", "en")
    assert code == 1
    assert out.startswith("Invalid schedule: 3 violation(s).")
    assert "  - [right_table] wrong table: meeting C3-D1" in out
    assert "  - [participant_available] participant unavailable: " in out
    assert "  coverage: 2" in out


def test_check_a_schedule_of_another_salon_warns(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    schedule = write(tmp_path / "planning.json", _schedule([], salon="Autre salon"))
    code, out, err = run(capsys, "check", str(salon_file), str(schedule))
    assert code == 0
    assert "« Autre salon »" in err
    assert out.startswith("Planning valide")


def test_check_a_bad_schedule_file(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    schedule = write(
        tmp_path / "planning.json",
        _schedule([{"from": "C1", "to": "D1", "start": "9h", "table": "T1"}]),
    )
    code, out, err = run(capsys, "check", str(salon_file), str(schedule))
    assert code == 2
    assert out == ""
    assert f"Fichier de planning invalide : {schedule} (2 problème(s))" in err
    assert "  - $.meetings[0].start [schema]" in err
    assert "  - $.meetings[0].end [schema]" in err


def test_check_a_bad_salon_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = salon_data()
    data["participants"][1]["table"] = "T9"
    salon = write(tmp_path / "salon.json", data)
    schedule = write(tmp_path / "planning.json", _schedule([]))
    code, _, err = run(capsys, "check", str(salon), str(schedule))
    assert code == 2
    assert "  - $.participants[1].table [home_table_exists] table attitrée inconnue" in err


def test_check_reads_the_schedule_solve_wrote(
    capsys: pytest.CaptureFixture[str], salon_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "planning.json"
    assert run(capsys, "solve", str(salon_file), "-o", str(output), *FAST)[0] == 0
    code, out, _ = run(capsys, "check", str(salon_file), str(output))
    assert code == 0
    assert "  couverture : 4" in out


# ------------------------------------------------------------------------ stats


def test_stats_text(capsys: pytest.CaptureFixture[str], salon_file: Path) -> None:
    code, out, _ = run(capsys, "stats", str(salon_file), *FAST)
    assert code == 0
    assert out.splitlines() == [
        "Salon « Salon de démonstration »",
        "Taille :",
        "  participants : 5 (director 2, industrial 3)",
        "  avec table attitrée : 2",
        "  tables : 3 (dont 1 libres pour les rendez-vous sans table)",
        "  sessions : 1, créneaux : 4",
        "  demandes : 5 (déclinées : 1)",
        "  paires : 5 (mutuelles : 0, obligatoires : 0, épinglées : 0, "
        "sans créneau commun : 0)",
        "Bornes (relaxation) : prouvées",
        "  couverture ≤ 4 participant(s) sur 5",
        "  score ≤ 7",
        "  rendez-vous ≤ 3",
        "  créneaux d'attente ≥ 0 (rendez-vous obligatoires)",
        "Participants trop demandés :",
        "  C1 : 2 demandes pour 1 rendez-vous possibles",
    ]


def test_stats_json(capsys: pytest.CaptureFixture[str], salon_file: Path) -> None:
    code, out, _ = run(capsys, "stats", str(salon_file), "--json", *FAST)
    assert code == 0
    assert out.startswith('{\n  "salon": "Salon de démonstration",')  # indented, UTF-8
    # The figures themselves are tested with scheduler.stats (tests/scheduler/test_stats.py).
    assert json.loads(out) == salon_statistics(load_salon(salon_file), 2, 1)


def test_stats_bound_fairness_when_the_salon_lists_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    salon = write(
        tmp_path / "salon.json", salon_data(objectives=["coverage", "fairness", "score"])
    )
    code, out, _ = run(capsys, "stats", str(salon), *FAST)
    assert code == 0
    assert "  équité ≤ 12600" in out.splitlines()


def test_stats_when_the_required_meetings_clash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = salon_data(sessions=[{"date": DAY, "start": "09:00", "end": "09:15"}])
    data["wishes"] = [
        {"from": "C2", "to": "D1", "required": True},
        {"from": "C2", "to": "D2", "required": True},
    ]
    salon = write(tmp_path / "salon.json", data)
    code, out, _ = run(capsys, "stats", str(salon), *FAST, "--lang", "en")
    assert code == 0
    assert "The required meetings cannot all take place" in out
    assert "coverage ≤" not in out


def test_stats_a_bad_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    salon = write(tmp_path / "salon.json", salon_data(objectives=["idle", "score"]))
    code, out, err = run(capsys, "stats", str(salon), "--json")
    assert code == 2
    assert out == ""
    assert "$.objectives [objectives]" in err


# --------------------------------------------------------------------- progress


def test_plain_progress_prints_each_event_and_a_line_while_nothing_happens() -> None:
    stream = io.StringIO()
    with PlainProgress(ProgressState(Texts("fr")), lambda: stream, interval=0.05) as progress:
        progress(Progress("selection", 0.1, {"coverage": 3}, {"coverage": 4}))
        deadline = stream.getvalue().count("\n") + 2
        for _ in range(100):  # wait for two heartbeat lines, at most ~5 s
            if stream.getvalue().count("\n") >= deadline:
                break
            threading.Event().wait(0.05)
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("] choix des rendez-vous · couverture 3 (borne 4)")
    assert len(lines) >= 3
    assert all("couverture 3 (borne 4)" in line for line in lines)


def test_live_progress_renders_phase_values_and_bounds() -> None:
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=100, color_system=None)
    live = LiveProgress(ProgressState(Texts("en")), console)
    live(Progress("selection", 0.2, {"coverage": 12, "score": 40}, {"coverage": 12}))
    live(Progress("timetable", 1.0, {"idle": 3}, {"idle": 0}, message="1/2 sessions placed"))
    console.print(live)
    text = output.getvalue()
    assert "placing them in slots (1/2 sessions placed)" in text
    assert "coverage" in text and "≤ 12" in text
    assert "score" in text and "40" in text
    assert "idle slots" in text and "≥ 0" in text


def test_live_display_runs_around_a_solve(salon_file: Path, tmp_path: Path) -> None:
    """The rich display is used when stderr is a terminal: check it through a pseudo-terminal."""
    pty = pytest.importorskip("pty")
    output = tmp_path / "planning.json"
    command = [str(SALON_SCRIPT), "solve", str(salon_file), "-o", str(output), *FAST]
    primary, secondary = pty.openpty()
    process = subprocess.run(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=secondary,
        text=True, timeout=120, check=False,
    )
    os.close(secondary)
    captured = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        captured += chunk
    os.close(primary)
    assert process.returncode == 0
    assert "Planning écrit" in process.stdout
    terminal = captured.decode("utf-8", "replace")
    assert "\x1b[" in terminal  # drawn with terminal control sequences
    assert "choix des rendez-vous" in terminal
    assert not re.search(r"\[ *[\d,]+ s\]", terminal)  # no plain progress line


# ------------------------------------------------------------------ console script


def test_the_console_script_exit_codes(salon_file: Path, tmp_path: Path) -> None:
    assert SALON_SCRIPT.exists(), f"console script missing: {SALON_SCRIPT}"
    output = tmp_path / "planning.json"

    def salon(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SALON_SCRIPT), *argv], capture_output=True, text=True, timeout=120,
            check=False, env={**os.environ, "SALON_LANG": "en"},
        )

    solved = salon("solve", str(salon_file), "-o", str(output), *FAST)
    assert solved.returncode == 0, solved.stderr
    assert "Schedule written" in solved.stdout  # $SALON_LANG picks English
    assert salon("check", str(salon_file), str(output)).returncode == 0
    broken = write(tmp_path / "broken.json", _schedule([_meeting("C1", "C2", "09:00",
                                                                  "09:15", "P1")]))
    checked = salon("check", str(salon_file), str(broken))
    assert checked.returncode == 1
    assert "[meeting_has_wish]" in checked.stdout
    bad = salon("solve", str(tmp_path / "absent.json"), "-o", str(output), *FAST)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "[file]" in bad.stderr


@pytest.mark.slow
def test_ctrl_c_stops_the_solve_and_keeps_the_best_schedule(tmp_path: Path) -> None:
    """Ctrl-C during the timetable stage of the AGIR example (a minute's budget): the solver
    stops early and the best schedule found is written, checked valid."""
    example = Path(__file__).resolve().parents[2] / "examples" / "agir-2023.json"
    output = tmp_path / "planning.json"
    process = subprocess.Popen(
        [str(SALON_SCRIPT), "solve", str(example), "-o", str(output), "--time-limit", "60",
         "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    seen = []
    for line in process.stderr:  # plain progress lines: wait for the selection's score
        seen.append(line)
        if "score" in line:
            break
    threading.Event().wait(1.0)  # into the timetable stage, after several CP-SAT solves
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, "".join(seen) + err
    assert "Arrêt demandé" in err
    assert "Planning écrit" in out
    schedule = load_schedule(output)
    assert schedule.meetings
    assert validate(load_salon(example), schedule).valid
    assert schedule.stats["seconds"] < 30
