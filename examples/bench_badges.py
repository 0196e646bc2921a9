"""Benchmark of the badge batch: the 370 badges of a generated AGIR-size salon in one PDF (8 per
A4 sheet with cut marks), timed beside the 370 agendas' batch in the same run, so that the
target (badges no slower than agendas) compares them on the same machine and load.

`bench_badge_batch()` is a section of `make bench`; run alone with
`python -m examples.bench_badges`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any


def bench_badge_batch() -> list[Any]:
    """Seconds and pages of the badges' PDF and of the agendas' PDF; the target."""
    from api.documents import DocumentOptions, SalonDocuments, agendas_pdf
    from api.documents.badges import PER_SHEET, badges_pdf
    from examples.bench import Check
    from examples.bench_print import generated_salon, greedy_schedule

    salon = generated_salon()
    schedule = greedy_schedule(salon)
    base = "https://salon.example.org"
    agenda_docs = SalonDocuments(
        salon,
        schedule,
        DocumentOptions(
            published_at=dt.datetime(2023, 11, 21, 18, 0),
            links={p.id: f"{base}/p/{p.id}-0123456789abcdef" for p in salon.participants},
        ),
    )
    started = time.perf_counter()
    agendas = agendas_pdf(agenda_docs, agenda_docs.agendas())
    agenda_seconds = time.perf_counter() - started

    from api.dayof.codes import checkin_codes

    codes = checkin_codes(p.id for p in salon.participants)
    badge_docs = SalonDocuments(
        salon,
        schedule,
        DocumentOptions(
            links={pid: f"{base}/o/salons/1/checkin/{code}" for pid, code in codes.items()}
        ),
    )
    started = time.perf_counter()
    badges = badges_pdf(badge_docs)
    badge_seconds = time.perf_counter() - started
    count = len(salon.participants)
    sheets = -(-count // PER_SHEET)
    print(
        f"  {count} badges: {badges.pages} A4 sheets, {len(badges.pdf) / 1e6:.1f} MB in "
        f"{badge_seconds:.1f} s; {count} agendas: {agendas.pages} pages in {agenda_seconds:.1f} s"
    )
    return [
        Check(
            "370 badges no slower than the 370 agendas",
            badge_seconds <= agenda_seconds,
            f"{badge_seconds:.1f} s vs {agenda_seconds:.1f} s",
        ),
        Check("8 badges per A4 sheet", badges.pages == sheets, f"{badges.pages} sheets"),
    ]


if __name__ == "__main__":
    for check in bench_badge_batch():
        print(check.line())
