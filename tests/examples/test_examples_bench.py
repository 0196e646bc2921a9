"""The bench harness: sections, child processes and their measures (not the speed targets)."""

from __future__ import annotations

import pytest

from examples.bench import SECTIONS, BenchOptions, Check, Section, main, run_in_child


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
    names = list(SECTIONS)
    scheduling = ["small", "brokerage", "agir-2023", "10x"]
    assert [n for n in names if n in scheduling] == scheduling


def _no_options() -> None:
    print("ran without options")


def _with_options(options: BenchOptions) -> list[Check]:
    return [Check("workers", options.workers == 3, str(options.workers))]


def test_sections_take_options_or_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    options = BenchOptions(workers=3)
    assert Section("a", "", _no_options).run(options) == []
    assert "ran without options" in capsys.readouterr().out
    assert Section("b", "", _with_options).run(options) == [Check("workers", True, "3")]


def test_lazy_section_is_imported_when_run() -> None:
    section = Section("lazy", "", "examples.generate:SCALED_BENCH_SEED")
    checks = section.run(BenchOptions())  # not callable: reported, not raised
    assert [c.passed for c in checks] == [False]
    assert Section("lazy", "", f"{__name__}:_with_options").run(BenchOptions(workers=3))[0].passed


def test_a_failing_section_is_a_miss_and_the_others_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(SECTIONS, "broken", Section("broken", "raises", "examples.nowhere:f"))
    monkeypatch.setitem(SECTIONS, "fine", Section("fine", "prints", _no_options))
    assert main(["--only", "broken", "--only", "fine"]) == 1
    out = capsys.readouterr().out
    assert "MISS  section broken ran: ModuleNotFoundError" in out
    assert "ran without options" in out


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
