"""The bench harness: sections, child processes and their measures (not the speed targets)."""

from __future__ import annotations

import pytest

from examples.bench import SECTIONS, Check, main, run_in_child


def test_run_in_child_returns_the_value_time_and_peak_memory() -> None:
    run = run_in_child(sum, [1, 2, 3])
    assert (run.value, run.error) == (6, None)
    assert run.seconds >= 0
    assert run.peak_bytes > 1_000_000  # a Python process holds at least a few megabytes


def test_run_in_child_reports_an_exception_instead_of_raising() -> None:
    run = run_in_child(int, "not a number")
    assert run.value is None
    assert run.error is not None and run.error.startswith("ValueError")


def test_scheduling_sections_are_registered_in_order() -> None:
    assert list(SECTIONS)[:4] == ["small", "brokerage", "agir-2023", "10x"]


def test_list_names_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in SECTIONS)


def test_unknown_section_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--only", "nope"])
    assert exit_info.value.code == 2
    assert "unknown section nope" in capsys.readouterr().err


def test_check_lines() -> None:
    assert Check("a", True, "1").line() == "  PASS  a: 1"
    assert Check("b", False).line() == "  MISS  b"
    assert Check("c", None, "no solver").line() == "  SKIP  c: no solver"


def test_small_section_runs_greedy_and_solver(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--only", "small", "--workers", "1", "--time-limit", "5"])
    out = capsys.readouterr().out
    assert "== small" in out
    assert "PASS  greedy schedule valid" in out
    assert "coverage" in out and "peak memory" in out
    if "scheduler.solver is not available" in out:
        assert "SKIP  solver targets" in out
    else:
        assert "PASS  solver schedule valid" in out
    assert status == 0
