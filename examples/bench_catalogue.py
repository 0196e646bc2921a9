"""Benchmark of the catalogue search: faceted searches over 10,000 published events (SQLite).

`bench_catalogue_search()` is a section of `make bench`; run alone with
`python -m examples.bench_catalogue`. It builds the events with the seeded generator of
examples.make_catalogue in a temporary SQLite database (migrated like production, so the FTS5
index and its triggers are the real ones), then times `search_events` (count, first page and
all nine facets) over a fixed mix of queries. Target: p95 <= 100 ms.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from api.catalogue import service, storage, validation
from api.catalogue.schemas import EditionCreate, EventFields, FormatCreate, TrackCreate
from api.catalogue.search import SearchQuery, search_events
from api.catalogue.tables import Event
from api.db import make_engine, make_session_factory, migrate
from api.timestamps import utc_now
from examples.make_catalogue import EDITION, FORMATS, TRACKS, generate_events

EVENTS = 10_000
TARGET_P95_MS = 100.0
SEED = 10_000
QUERIES = [
    SearchQuery(),
    SearchQuery(q="climat"),
    SearchQuery(q="données publiques"),
    SearchQuery(q="atelier", region=("84",)),
    SearchQuery(region=("11",), format=("atelier", "conference")),
    SearchQuery(mode=("online",), theme=("Données et IA",)),
    SearchQuery(accessibility=("hearing", "visual"), audience=("elus",)),
    SearchQuery(date_from=dt.date(2023, 11, 13), date_to=dt.date(2023, 11, 17)),
    SearchQuery(departement=("69", "38"), date_from=dt.date(2023, 11, 6)),
    SearchQuery(q="numérique", mode=("on_site", "mixed"), region=("76", "75"), offset=40),
    SearchQuery(when="upcoming", format=("webinaire",)),
    SearchQuery(track=(TRACKS[0]["slug"],)),
    SearchQuery(offset=780),
    SearchQuery(q="simplifier formulaires", theme=("Simplification administrative",)),
]


def build_catalogue(session: Session, count: int, seed: int = SEED) -> None:
    """An edition, its formats and tracks, and `count` published events (bulk, no audit)."""
    actor = service.SYSTEM
    service.create_edition(session, actor=actor, data=EditionCreate.model_validate(EDITION))
    for entry in FORMATS:
        service.create_format(session, actor=actor, data=FormatCreate.model_validate(entry))
    for track in TRACKS:
        service.create_track(
            session,
            actor=actor,
            data=TrackCreate(slug=track["slug"], title=track["title"], edition=EDITION["slug"]),
        )
    edition = storage.get_edition(session, slug=EDITION["slug"])
    assert edition is not None
    formats = {f.slug: f for f in storage.list_formats(session)}
    tracks = [storage.get_track(session, slug=t["slug"]) for t in TRACKS]
    rng = random.Random(seed)
    first = dt.date.fromisoformat(EDITION["starts_on"])
    last = dt.date.fromisoformat(EDITION["ends_on"])
    now = utc_now()
    raw_events = generate_events(rng, count, first=first, last=last, prefix="bench")
    for index, raw in enumerate(raw_events):
        fields = EventFields.model_validate(
            {k: v for k, v in raw.items() if k not in ("ref", "state")}
        )
        fields = fields.model_copy(update={"place": validation.normalised_place(fields.place)})
        event = Event(
            edition=edition,
            edition_id=edition.id,
            external_ref=raw["ref"],
            state="published",
            created_at=now,
            updated_at=now,
            submitted_at=now,
            published_at=now,
            timings=[],
            tags=[],
        )
        step_of = tracks[(index // 50) % 2] if index % 50 == 0 else None
        if step_of is not None:
            fields = fields.model_copy(
                update={"track": step_of.slug, "track_step": index // 100 + 1}
            )
        service.write_fields(event, fields, event_format=formats[fields.format], track=step_of)
        session.add(event)
        if index % 1000 == 999:
            session.commit()
    session.commit()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_searches(session: Session, rounds: int) -> list[float]:
    """Milliseconds of each search (count + page + facets), every query `rounds` times."""
    now = dt.datetime(2023, 11, 10, 12, 0)
    for query in QUERIES:  # warm-up: caches, prepared statements
        search_events(session, query, now=now)
    timings = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            result = search_events(session, query, now=now)
            timings.append((time.perf_counter() - start) * 1000)
            assert result.count >= 0
    return timings


def time_api(url: str, rounds: int) -> list[float]:
    """Milliseconds of `GET /catalogue/api/events?...` (search, facets, JSON) in the real app."""
    import warnings

    from api.app import create_app
    from api.settings import Settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    paths = ["/catalogue/api/events?" + urlencode(query.as_params()) for query in QUERIES]
    timings = []
    app = create_app(Settings(database_url=url, base_url="http://bench.example"))
    with TestClient(app) as client:
        for path in paths:
            assert client.get(path).status_code == 200
        for _ in range(rounds):
            for path in paths:
                start = time.perf_counter()
                answer = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200
    return timings


def report(label: str, timings: list[float]) -> None:
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    verdict = "PASS" if p95 <= TARGET_P95_MS else "MISS"
    print(
        f"  {label:<34} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {max(timings):6.1f} ms   "
        f"(target p95 <= {TARGET_P95_MS:.0f} ms: {verdict})"
    )


def bench_catalogue_search(events: int = EVENTS, rounds: int = 15) -> None:
    """Print p50/p95 of faceted searches over `events` published events on SQLite: the search
    function (count, page, nine facets) and the JSON API answer through the whole app."""
    with tempfile.TemporaryDirectory(prefix="salon-bench-catalogue-") as folder:
        url = f"sqlite:///{Path(folder) / 'catalogue.db'}"
        migrate(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        started = time.perf_counter()
        with factory() as session:
            build_catalogue(session, events)
        built = time.perf_counter() - started
        with factory() as session:
            total = search_events(session, SearchQuery(), with_facets=False).count
            timings = time_searches(session, rounds)
        engine.dispose()
        api_timings = time_api(url, max(1, rounds // 2))
    print(
        f"catalogue search: {total} published events on SQLite (built in {built:.1f} s), "
        f"{len(QUERIES)} kinds of query, nine facets each"
    )
    report(f"search_events ({len(timings)} searches)", timings)
    report(f"GET /catalogue/api/events ({len(api_timings)})", api_timings)


if __name__ == "__main__":
    bench_catalogue_search()
