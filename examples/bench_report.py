"""Benchmark of the post-event report: the AGIR example's day, recorded in a real SQLite
database, then its report built the ways the organiser asks for it.

`bench_report()` is a section of `make bench`; run alone with `python -m examples.bench_report`.
examples/agir-2023.json is placed greedily (this measures the report, not the solver) and
published; on the day 90 % of the participants check in, every meeting is marked (those of an
absent participant missed), and each side of two held meetings in three gives feedback. Then,
timed: the figures (reading the database), the page (figures and SVG charts), the PDF and the
XLSX, twice: the first build pays for imports (matplotlib, fonts), the second is what a
running server answers. Targets (the second build): the page in <= 2 s, the PDF in <= 10 s.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from examples.bench import Check
from examples.generate import EXAMPLES_DIR
from examples.greedy import greedy_schedule
from scheduler.loading import load_salon

PAGE_TARGET = 2.0
PDF_TARGET = 10.0
ARRIVED = 0.9
SEED = 13


def timed(label: str, work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = work()
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.2f} s")
    return value, seconds


def recorded_day(url: str) -> tuple[Any, int]:
    """The AGIR day in the database at `url`: its organiser and salon id."""
    from api.auth import organiser_for_key
    from api.dayof import storage as dayof_storage
    from api.db import make_engine, make_session_factory, migrate
    from api.feedback import storage as feedback_storage
    from api.organisers.service import create_organiser
    from api.salons import convert
    from api.salons import service as salons
    from api.salons import storage as salon_storage
    from api.timestamps import utc_now

    migrate(url)
    salon = load_salon(EXAMPLES_DIR / "agir-2023.json")
    schedule = greedy_schedule(salon)
    rng = random.Random(SEED)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        organiser = organiser_for_key(
            session, create_organiser(session, email="bench@example.org").key
        )
        assert organiser is not None
        salon_id = salons.import_salon(session, organiser=organiser, document=salon).id
        people, _ = salon_storage.list_participants(session, salon_id=salon_id)
        ids = {p.code: p.id for p in people}
        tables = {t.code: t.id for t in salon_storage.list_tables(session, salon_id=salon_id)}
        stored = convert.store_schedule(
            session, salon_id=salon_id, job_id=None, document=schedule, participant_ids=ids,
            table_ids=tables, now=utc_now(),
        )
        stored.published_at = utc_now()
        arrived = set(rng.sample(sorted(ids), round(ARRIVED * len(ids))))
        first = min(m.start for m in schedule.meetings)
        for code in sorted(arrived):
            local = first + dt.timedelta(minutes=rng.randint(-40, 120))
            at = local - dt.timedelta(hours=1)  # naive UTC: Paris is UTC+1 in November
            dayof_storage.insert_arrival(
                session, salon_id=salon_id, participant_id=ids[code], at=at
            )
        now = utc_now()
        for m in schedule.meetings:
            absent = next((c for c in (m.from_, m.to) if c not in arrived), None)
            dayof_storage.upsert_attendance(
                session, salon_id=salon_id, from_id=ids[m.from_], to_id=ids[m.to],
                start=m.start, table_code=m.table, status="no_show" if absent else "held",
                absent_id=ids[absent] if absent else None, marked_by="table", at=now,
            )
            if absent is None and rng.random() < 2 / 3:
                for author, other in ((m.from_, m.to), (m.to, m.from_)):
                    feedback_storage.save_feedback(
                        session, salon_id=salon_id, author_id=ids[author], other_id=ids[other],
                        start=m.start, rating=rng.choice((3, 4, 4, 5, 5, 2)),
                        follow_up=rng.random() < 0.4, note="", now=now,
                    )
        session.commit()
    engine.dispose()
    return organiser, salon_id


def build_once(url: str, organiser: Any, salon_id: int, label: str) -> dict[str, float]:
    """The report built as the organiser asks for it: each part's seconds."""
    from api.db import make_engine, make_session_factory
    from api.report import documents, service

    print(label)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        made, figures = timed(
            "figures (database read + computation)",
            lambda: service.salon_report(session, organiser=organiser, salon_id=salon_id),
        )
    engine.dispose()
    report = made.report
    _, charts = timed(
        "charts (matplotlib SVG)", lambda: documents.report_context(report, "fr", made.labels)
    )
    _, pdf = timed("PDF (WeasyPrint)", lambda: documents.report_pdf(report, "fr", made.labels))
    _, xlsx = timed("XLSX (openpyxl)", lambda: documents.report_xlsx(report, "fr", made.labels))
    print(
        f"  {report.totals.planned} meetings planned, {report.totals.held} held, "
        f"{report.totals.missed} missed; {report.arrived} arrivals, {report.expected} "
        f"expected; {report.rating_count} ratings"
    )
    return {
        "page": figures + charts,
        "pdf": figures + pdf,
        "xlsx": figures + xlsx,
        "unknown": float(report.totals.unknown),
    }


def bench_report() -> list[Check]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        print("recording the AGIR day (greedy schedule, 90 % arrivals, every meeting marked)...")
        organiser, salon_id = recorded_day(url)
        cold = build_once(url, organiser, salon_id, "first build (imports matplotlib, fonts):")
        warm = build_once(url, organiser, salon_id, "again, as a running server does:")
    for name, times in (("first", cold), ("running server", warm)):
        print(
            f"report for the AGIR example, {name}: page {times['page']:.2f} s, "
            f"PDF {times['pdf']:.2f} s, XLSX {times['xlsx']:.2f} s"
        )
    page, pdf = warm["page"], warm["pdf"]
    return [
        Check(f"report page <= {PAGE_TARGET:g} s", page <= PAGE_TARGET, f"{page:.2f} s"),
        Check(f"report PDF <= {PDF_TARGET:g} s", pdf <= PDF_TARGET, f"{pdf:.2f} s"),
        Check("every meeting recorded", warm["unknown"] == 0, f"{warm['unknown']:.0f} unrecorded"),
    ]


if __name__ == "__main__":
    for check in bench_report():
        print(check.line())
