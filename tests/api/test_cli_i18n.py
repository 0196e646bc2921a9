"""The `salon` command's language: its texts come from the Babel catalogues (cli.po), in the
language of `--lang`, else $SALON_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG), else
French; exit codes and machine-readable outputs are the same in both languages."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from test_cli_core import _meeting, _schedule, salon_data, write
from test_i18n_catalogues import CLI, cli_messages
from test_service_cli import salon as salon_with_database

from api.cli import main
from api.cli._texts import argv_language, cli_language
from api.i18n import environment_language, get_translations
from api.settings import PROJECT_ROOT

SALON_SCRIPT = Path(sys.executable).parent / "salon"
CLI_PO = PROJECT_ROOT / "api" / "locale" / "en" / "LC_MESSAGES" / "cli.po"
LANGUAGE_VARIABLES = ("SALON_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def environment(**variables: str) -> dict[str, str]:
    """This process's environment without any language setting, plus `variables`."""
    clean = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    return {**clean, **variables}


def salon(*argv: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """The `salon` console script in an environment that sets only `variables`."""
    return subprocess.run(
        [str(SALON_SCRIPT), *argv], capture_output=True, text=True, timeout=120, check=False,
        env=environment(**variables),
    )


@pytest.fixture
def locale(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """This process with no language setting: each test sets the one it means."""
    for variable in LANGUAGE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """A salon and a valid schedule of it (test_cli_core's)."""
    schedule = _schedule(
        [
            _meeting("C1", "D1", "09:00", "09:15", "T1"),
            _meeting("C2", "D2", "09:00", "09:15", "T2"),
            _meeting("C2", "D1", "09:30", "09:45", "T1"),
        ]
    )
    return (
        write(tmp_path / "salon.json", salon_data()),
        write(tmp_path / "planning.json", schedule),
    )


# ----------------------------------------------------------------- which language


@pytest.mark.parametrize(
    ("option", "variables", "language"),
    [
        (None, {}, "fr"),
        (None, {"LANG": "en_GB.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "fr"),
        (None, {"LANG": "de_DE.UTF-8"}, "fr"),  # not one of ours: French
        (None, {"LANG": "C.UTF-8"}, "fr"),
        (None, {"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "en_GB.UTF-8", "LC_ALL": "C.UTF-8"}, "fr"),  # LC_ALL decides
        (None, {"LANG": "en_GB.UTF-8", "LC_ALL": "fr_CA.UTF-8@euro"}, "fr"),
        (None, {"LANG": "en_GB.UTF-8", "SALON_LANG": "fr"}, "fr"),  # ours before the locale
        (None, {"LANG": "fr_FR.UTF-8", "SALON_LANG": "en"}, "en"),
        (None, {"LANG": "en_GB.UTF-8", "SALON_LANG": "de"}, "en"),  # not ours: passed over
        ("en", {"SALON_LANG": "fr", "LANG": "fr_FR.UTF-8"}, "en"),  # --lang first
        ("fr", {"LANG": "en_GB.UTF-8"}, "fr"),
    ],
)
def test_the_language_is_lang_then_salon_lang_then_the_locale_then_french(
    option: str | None, variables: Mapping[str, str], language: str
) -> None:
    assert cli_language(option, variables) == language


def test_the_locale_alone() -> None:
    assert environment_language({"LANG": "en_US.UTF-8"}) == "en"
    assert environment_language({"LANG": "POSIX"}) is None
    assert environment_language({"LC_ALL": "", "LANG": "fr_BE"}) == "fr"  # empty is unset
    assert environment_language({}) is None


def test_the_lang_option_is_read_before_parsing_for_the_help() -> None:
    assert argv_language(["solve", "s.json", "--lang", "en", "-h"]) == "en"
    assert argv_language(["check", "--lang=en", "a", "b", "--lang", "fr"]) == "fr"
    assert argv_language(["solve", "--lang"]) is None
    assert argv_language(["solve", "--", "--lang", "en"]) is None


# ------------------------------------------------------------- messages and help


def test_check_in_french_and_in_english(
    locale: pytest.MonkeyPatch, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The same check, in French by default, in English from the locale, in French again with
    --lang fr: same exit code, same figures."""
    outputs = {}
    for name, variables, option in [
        ("default", {}, []),
        ("locale", {"LANG": "en_GB.UTF-8"}, []),
        ("option", {"LANG": "en_GB.UTF-8"}, ["--lang", "fr"]),
    ]:
        for variable, value in variables.items():
            locale.setenv(variable, value)
        assert main(["check", *map(str, files), *option]) == 0
        outputs[name] = capsys.readouterr().out.splitlines()
    french = [
        "Planning valide : toutes les règles sont respectées.",
        "Objectifs :",
        "  couverture : 4",
        "  score : 7",
        "  créneaux d'attente : 2",
        "  équité : 12600",
        "  pauses : 2",
    ]
    assert outputs["default"] == french
    assert outputs["locale"] == [
        "Valid schedule: every rule is kept.",
        "Objectives:",
        "  coverage: 4",
        "  score: 7",
        "  idle slots: 2",
        "  fairness: 12600",
        "  breaks: 2",
    ]
    assert outputs["option"] == french


def test_solve_on_a_missing_file_in_french_and_in_english(tmp_path: Path) -> None:
    """The console script, its language from the environment only: exit 2 every time."""
    absent, output = tmp_path / "absent.json", tmp_path / "planning.json"
    args = ["solve", str(absent), "-o", str(output), "--time-limit", "1", "--workers", "1"]
    french = salon(*args)
    english = salon(*args, LANG="en_GB.UTF-8")
    assert (french.returncode, english.returncode) == (2, 2)
    assert french.stderr.splitlines() == [
        f"Fichier de salon invalide : {absent} (1 problème(s))",
        f"  - $ [file] fichier illisible : file not found: {absent}",
    ]
    assert english.stderr.splitlines() == [
        f"Invalid salon file: {absent} (1 problem(s))",
        f"  - $ [file] unreadable file: file not found: {absent}",
    ]
    assert "Fichier de salon invalide" in salon(*args, LANG="en_GB.UTF-8", LC_ALL="C.UTF-8").stderr
    assert "Invalid salon file" in salon(*args, LANG="fr_FR.UTF-8", SALON_LANG="en").stderr
    assert "Fichier de salon invalide" in salon(*args, "--lang", "fr", SALON_LANG="en").stderr
    assert not output.exists()


def test_help_in_french_and_in_english() -> None:
    french = salon("solve", "--help")
    english = salon("solve", "--lang", "en", "--help")
    assert (french.returncode, english.returncode) == (0, 0)
    french_text, english_text = (" ".join(r.stdout.split()) for r in (french, english))
    assert "Codes de sortie : 0 planning écrit, 2 fichier invalide" in french_text
    assert "-h, --help afficher cette aide et quitter" in french_text
    assert "arguments positionnels:" in french_text
    assert "Exit codes: 0 schedule written, 2 invalid file" in english_text
    assert "-h, --help show this help message and exit" in english_text
    assert "positional arguments:" in english_text
    # argparse's %(default)s, translated first
    assert f"at least 8, here {max(8, os.cpu_count() or 1)}" in english_text
    assert "$SALON_LANG" in english_text  # --lang's help says where the language comes from
    # The commands' list, and a command without --lang, from the locale.
    listing = " ".join(salon("--help", LANG="en_GB.UTF-8").stdout.split())
    assert "Scheduler for B2B meeting salons" in listing
    assert "serve the JSON API and pages (uvicorn)" in listing
    assert "repair a published schedule after the day's changes" in listing
    serve = " ".join(salon("serve", "--help").stdout.split())
    assert "Sert le service. DATABASE_URL choisit la base" in serve


def test_stats_json_is_the_same_in_both_languages(
    locale: pytest.MonkeyPatch, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["stats", str(files[0]), "--json", "--time-limit", "2", "--workers", "1"]
    outputs = []
    for language in ("fr", "en"):
        assert main([*args, "--lang", language]) == 0
        outputs.append(capsys.readouterr().out)
    assert json.loads(outputs[0]) == json.loads(outputs[1])
    assert json.loads(outputs[0])["salon"] == "Salon de démonstration"


def test_print_documents_stay_french_without_lang_its_messages_follow_the_locale(
    locale: pytest.MonkeyPatch,
    files: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`salon print`'s --lang is the documents' language (French without it, whatever the
    locale) and the messages'; without it the messages follow the environment."""
    locale.setenv("LANG", "en_GB.UTF-8")
    french, english = tmp_path / "rendez-vous.csv", tmp_path / "meetings.csv"
    assert main(["print", *map(str, files), "-o", str(french)]) == 0
    assert capsys.readouterr().out.startswith(f"{french} written (")
    assert main(["print", *map(str, files), "-o", str(english), "--lang", "en"]) == 0
    assert french.read_text("utf-8-sig").startswith("Date;Début;Fin")
    assert english.read_text("utf-8-sig").startswith("Date,Start,End")
    locale.setenv("LANG", "fr_FR.UTF-8")
    assert main(["print", *map(str, files), "-o", str(tmp_path / "x.ics")]) == 2
    assert "donnez un et un seul --participant" in capsys.readouterr().err


def test_admin_follows_the_environment(database_url: str) -> None:
    """A command without --lang: SALON_LANG (or the locale) picks English."""
    created = salon_with_database(
        database_url, "admin", "create-organiser", "--email", "eve@example.org", SALON_LANG="en"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("organiser: eve@example.org\nAPI key (shown once): ")
    again = salon_with_database(
        database_url, "admin", "create-organiser", "--email", "eve@example.org",
        SALON_LANG="", LC_ALL="", LC_MESSAGES="", LANG="en_GB.UTF-8",
    )
    assert again.returncode == 1
    assert again.stderr.strip() == "salon admin: An organiser eve@example.org already exists."


# -------------------------------------------------------------------- catalogue


def cli_po() -> dict[str, str]:
    with CLI_PO.open("rb") as file:
        catalog = read_po(file, locale="en")
    errors = [(message.id, error) for message, errors in catalog.check() for error in errors]
    assert errors == []  # each English keeps the French text's %(name)s placeholders
    return {str(m.id): str(m.string) for m in catalog if m.id}


def test_cli_po_is_what_the_cli_shows() -> None:
    """Every entry is translated, and no other catalogue gives one of its texts another English
    (all the catalogues are merged: the last one read would win)."""
    english = get_translations("en")
    entries = cli_po()
    assert all(entries.values())
    assert {
        text: english.gettext(text) for text in entries if english.gettext(text) != entries[text]
    } == {}


def test_cli_po_has_no_text_the_cli_lost() -> None:
    used = {text for path in CLI.glob("*.py") for _, text, _ in cli_messages(path)}
    assert sorted(set(cli_po()) - used) == []


def test_no_hand_written_translation_is_left_in_the_cli() -> None:
    """No dictionary keyed by language (`{"fr": ..., "en": ...}`) in api/cli/: one mechanism."""
    found = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if {"fr", "en"} <= keys:
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []
