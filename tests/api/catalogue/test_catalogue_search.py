"""Search over a hand-built set: facet counts, AND across facets and OR within, full text,
dates, periods, sorting, pagination; on SQLite (FTS5) and PostgreSQL (tsvector 'french')."""

from __future__ import annotations

import datetime as dt
from typing import Any

from catalogue_helpers import event_payload
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.catalogue import service
from api.catalogue.schemas import EventCreate
from api.catalogue.search import SearchQuery, search_events
from api.catalogue.tables import Event

NOW = dt.datetime(2030, 11, 6, 11, 0)  # naive UTC: 12:00 in Paris


def place(departement: str, commune: str, postal_code: str) -> dict[str, str]:
    return {"name": "Salle", "address": "1 rue de la Paix", "postal_code": postal_code,
            "commune": commune, "departement": departement}


SET: dict[str, dict[str, Any]] = {
    "E1": dict(title="Atelier climat et design", format="atelier", attendance_mode="on_site",
               place=place("69", "Lyon", "69001"), themes=["Design", "Numérique"],
               audiences=["agents_publics"], accessibility=["motor", "hearing"],
               timings=[{"start": "2030-11-05T10:00", "end": "2030-11-05T12:00"}],
               track="climat", track_step=1, keywords=["fresque"]),
    "E2": dict(title="Webinaire ouverture des données", format="webinaire",
               attendance_mode="online", place=None, online_url="https://visio.example/e2",
               themes=["Numérique"], audiences=["agents_publics", "elus"], accessibility=[],
               keywords=["open data"],
               timings=[{"start": "2030-11-06T14:00", "end": "2030-11-06T15:00"},
                        {"start": "2030-11-20T14:00", "end": "2030-11-20T15:00"}]),
    "E3": dict(title="Conférence sur l'adaptation au changement climatique",
               format="conference", attendance_mode="mixed", place=place("75", "Paris", "75012"),
               online_url="https://visio.example/e3", themes=["Design"],
               audiences=["grand_public"], accessibility=["visual"], keywords=[],
               timings=[{"start": "2030-11-06T09:00", "end": "2030-11-07T18:00"}],
               track="climat", track_step=2),
    "E4": dict(title="Fresque du climat pour les élus", format="atelier",
               attendance_mode="on_site", place=place("38", "Grenoble", "38000"),
               themes=["Écologie"], audiences=["elus"], accessibility=["motor"], keywords=[],
               timings=[{"start": "2030-11-10T09:00", "end": "2030-11-10T12:00"}]),
    "E5": dict(title="Atelier climat non publié", format="atelier", attendance_mode="on_site",
               place=place("13", "Marseille", "13001"), themes=["Design"], keywords=[],
               timings=[{"start": "2030-11-12T09:00", "end": "2030-11-12T12:00"}]),
    "E6": dict(title="Conférence climat retirée", format="conference", attendance_mode="on_site",
               place=place("35", "Rennes", "35000"), themes=["Écologie"], keywords=[],
               timings=[{"start": "2030-11-13T09:00", "end": "2030-11-13T12:00"}]),
}


def build_set(session: Session) -> dict[str, Event]:
    """E1..E4 published, E5 submitted, E6 published then withdrawn by its contributor."""
    from api.catalogue.accounts import contributor_actor, ensure_contributor

    contributor = contributor_actor(ensure_contributor(session, email="agent@admin.example"))
    events = {}
    for name, fields in SET.items():
        data = EventCreate.model_validate(event_payload(**fields))
        events[name] = service.create_event(session, actor=contributor, data=data)
        if name != "E5":
            service.transition(session, actor=contributor, event_id=events[name].id,
                               action="submit")
            service.transition(session, actor=service.SYSTEM, event_id=events[name].id,
                               action="publish")
        else:
            service.transition(session, actor=contributor, event_id=events[name].id,
                               action="submit")
    service.transition(session, actor=contributor, event_id=events["E6"].id, action="withdraw")
    return events


def names(events: dict[str, Event], found: Any) -> list[str]:
    by_id = {event.id: name for name, event in events.items()}
    return [by_id[event.id] for event in found]


def counts(result: Any) -> dict[str, dict[str, int]]:
    return {
        facet: {value.value: value.count for value in values}
        for facet, values in result.facets.items()
    }


def test_facet_counts_without_filters(plain_session: Session) -> None:
    events = build_set(plain_session)
    result = search_events(plain_session, SearchQuery(), now=NOW)
    assert result.count == 4
    assert names(events, result.events) == ["E1", "E3", "E2", "E4"]  # by date
    assert counts(result) == {
        "region": {"84": 2, "11": 1},
        "departement": {"69": 1, "38": 1, "75": 1},
        "format": {"conference": 1, "atelier": 2, "webinaire": 1},
        "theme": {"Design": 2, "Numérique": 2, "Écologie": 1},
        "track": {"climat": 2},
        "mode": {"on_site": 2, "online": 1, "mixed": 1},
        "audience": {"agents_publics": 2, "elus": 2, "grand_public": 1},
        "accessibility": {"hearing": 1, "visual": 1, "motor": 2},
        "day": {"2030-11-05": 1, "2030-11-06": 2, "2030-11-07": 1, "2030-11-10": 1,
                "2030-11-20": 1},
    }
    labels = {v.value: v.label for v in result.facets["region"]}
    assert labels == {"84": "Auvergne-Rhône-Alpes", "11": "Île-de-France"}


def test_filters_and_across_facets_or_within(plain_session: Session) -> None:
    events = build_set(plain_session)
    result = search_events(plain_session, SearchQuery(region=("84",), theme=("Design",)), now=NOW)
    assert names(events, result.events) == ["E1"]
    facets = counts(result)
    assert facets["region"] == {"84": 1, "11": 1}  # Design events by région
    assert facets["theme"] == {"Design": 1, "Numérique": 1, "Écologie": 1}  # région 84 by theme
    assert facets["format"] == {"atelier": 1}
    assert facets["mode"] == {"on_site": 1}
    assert facets["day"] == {"2030-11-05": 1}
    assert [(v.value, v.selected) for v in result.facets["region"]] == [
        ("84", True), ("11", False)]
    either = search_events(plain_session, SearchQuery(region=("84", "11")), now=NOW)
    assert names(events, either.events) == ["E1", "E3", "E4"]
    both = search_events(plain_session, SearchQuery(mode=("on_site",), audience=("elus",)),
                         now=NOW)
    assert names(events, both.events) == ["E4"]
    access = search_events(plain_session, SearchQuery(accessibility=("motor", "visual")),
                           now=NOW)
    assert names(events, access.events) == ["E1", "E3", "E4"]
    assert counts(access)["accessibility"] == {"hearing": 1, "visual": 1, "motor": 2}
    track = search_events(plain_session, SearchQuery(track=("climat",), format=("conference",)),
                          now=NOW)
    assert names(events, track.events) == ["E3"]
    nothing = search_events(plain_session, SearchQuery(region=("94",)), now=NOW)
    assert nothing.count == 0  # sorted by name: Auvergne, Corse, Île-de-France
    assert [v.value for v in nothing.facets["region"]] == ["84", "94", "11"]
    assert counts(nothing)["format"] == {}


def test_full_text(plain_session: Session) -> None:
    events = build_set(plain_session)

    def found(q: str, **filters: Any) -> list[str]:
        result = search_events(plain_session, SearchQuery(q=q, **filters), now=NOW)
        return names(events, result.events)

    assert found("climat") == ["E1", "E3", "E4"]  # E3 says "climatique"; E5, E6 unpublished
    assert found("climat", region=("84",)) == ["E1", "E4"]
    assert found("fresque") == ["E1", "E4"]  # E1 by its keyword, E4 by its title
    assert found("open data") == ["E2"]  # keywords
    assert found("numérique") == ["E1", "E2"]  # themes
    assert found("adaptation changement") == ["E3"]  # every word
    assert found("zzzz") == []
    assert found('"climat*" -(:') == ["E1", "E3", "E4"]  # search syntax is not interpreted
    assert found("climat OR zzzz") == []  # OR is a word like any other
    climat = search_events(plain_session, SearchQuery(q="climat"), now=NOW)
    assert counts(climat)["format"] == {"atelier": 2, "conference": 1}


def test_full_text_ignores_accents(plain_session: Session) -> None:
    events = build_set(plain_session)
    for q in ("ecologie", "ÉCOLOGIE", "conference", "elus"):
        result = search_events(plain_session, SearchQuery(q=q), now=NOW)
        expected = {"ecologie": ["E4"], "ÉCOLOGIE": ["E4"], "conference": ["E3"],
                    "elus": ["E4"]}[q]
        assert names(events, result.events) == expected, q


def test_dates_periods_and_pages(plain_session: Session) -> None:
    events = build_set(plain_session)

    def found(**filters: Any) -> list[str]:
        return names(events, search_events(plain_session, SearchQuery(**filters), now=NOW).events)

    day = dt.date(2030, 11, 6)
    assert found(date_from=day, date_to=day) == ["E3", "E2"]
    assert found(date_from=dt.date(2030, 11, 7), date_to=dt.date(2030, 11, 7)) == ["E3"]
    assert found(date_from=dt.date(2030, 11, 11)) == ["E2"]  # its second date, 20 November
    assert found(date_to=dt.date(2030, 11, 5)) == ["E1"]
    assert found(when="upcoming") == ["E2", "E4"]
    assert found(when="ongoing") == ["E3"]
    assert found(when="past") == ["E1"]
    assert found(limit=2, offset=2) == ["E2", "E4"]
    assert found(limit=2, offset=1) == ["E3", "E2"]
    assert found(limit=2, offset=4) == []
    ranged = search_events(plain_session, SearchQuery(date_from=day, date_to=day), now=NOW)
    assert counts(ranged)["day"]["2030-11-05"] == 1  # the day facet ignores the date filter
    assert counts(ranged)["format"] == {"conference": 1, "webinaire": 1}


def test_index_follows_changes(plain_session: Session) -> None:
    events = build_set(plain_session)
    assert search_events(plain_session, SearchQuery(), now=NOW).count == 4
    service.transition(plain_session, actor=service.SYSTEM, event_id=events["E5"].id,
                       action="publish")
    result = search_events(plain_session, SearchQuery(region=("93",)), now=NOW)
    assert names(events, result.events) == ["E5"]
    from api.catalogue.schemas import EventUpdate

    service.update_event(plain_session, actor=service.SYSTEM, event_id=events["E5"].id,
                         data=EventUpdate(themes=["Numérique"]))
    result = search_events(plain_session, SearchQuery(theme=("Numérique",)), now=NOW)
    assert names(events, result.events) == ["E1", "E2", "E5"]
    assert counts(result)["theme"] == {"Design": 2, "Numérique": 3, "Écologie": 1}


def test_search_api_and_page(client: TestClient, session: Session) -> None:
    events = build_set(session)
    answer = client.get("/catalogue/api/events", params=[("region", "84"), ("theme", "Design")])
    body = answer.json()
    assert answer.status_code == 200 and body["count"] == 1
    assert [e["id"] for e in body["data"]] == [events["E1"].id]
    assert {v["value"]: v["count"] for v in body["facets"]["theme"]} == {
        "Design": 1, "Numérique": 1, "Écologie": 1}
    english = client.get("/catalogue/api/events", params={"lang": "en"}).json()
    assert {v["value"]: v["label"] for v in english["facets"]["mode"]} == {
        "on_site": "On site", "online": "Online", "mixed": "Mixed (on site and online)"}
    page = client.get("/catalogue/", params=[("region", "84"), ("q", "climat")])
    assert "2 événements" in page.text
    assert 'name="region" value="84" checked' in page.text
    assert "Auvergne-Rhône-Alpes <span class=\"meta\">(2)</span>" in page.text
    assert events["E1"].title in page.text and events["E4"].title in page.text
    assert events["E2"].title not in page.text


def test_search_api_pages_with_offset_and_limit(client: TestClient, session: Session) -> None:
    """The JSON API takes offset/limit (the service's convention) and refuses page/per_page;
    the search page keeps page numbers in its links, turned into the same offset and limit."""
    events = build_set(session)
    answer = client.get("/catalogue/api/events", params={"offset": 2, "limit": 2})
    body = answer.json()
    assert answer.status_code == 200, answer.text
    assert set(body) == {"data", "count", "facets"}
    assert body["count"] == 4
    assert [e["id"] for e in body["data"]] == [events["E2"].id, events["E4"].id]
    assert client.get("/catalogue/api/events", params={"limit": 500}).json()["count"] == 4
    for params, field in (({"limit": 501}, "limit"), ({"limit": 0}, "limit"),
                          ({"offset": -1}, "offset"), ({"page": 2}, "page"),
                          ({"per_page": 10}, "per_page")):
        refused = client.get("/catalogue/api/events", params=params)
        assert refused.status_code == 422, params
        assert refused.json()["detail"]["code"] == "invalid_search"
        assert [e["field"] for e in refused.json()["detail"]["errors"]] == [field]
    english = client.get("/catalogue/api/events", params={"page": 2, "lang": "en"}).json()
    assert english["detail"]["errors"][0]["message"] == "Parameter replaced by offset and limit."
    page = client.get("/catalogue/", params={"page": 1})
    assert page.status_code == 200 and "4 événements" in page.text
    assert client.get("/catalogue/", params={"page": 0}).status_code == 422


def test_search_state_row_is_recreated(plain_session: Session) -> None:
    """A harness that empties every table also removes the search state: search still works."""
    from sqlalchemy import delete

    from api.catalogue.tables import SearchState

    events = build_set(plain_session)
    assert search_events(plain_session, SearchQuery(), now=NOW).count == 4
    plain_session.execute(delete(SearchState))
    plain_session.commit()
    assert names(events, search_events(plain_session, SearchQuery(q="climat"), now=NOW).events) == [
        "E1", "E3", "E4"]
    service.transition(plain_session, actor=service.SYSTEM, event_id=events["E5"].id,
                       action="publish")
    assert search_events(plain_session, SearchQuery(), now=NOW).count == 5
