"""api.deps: the dependency aliases and id types defined in one module, and the one paging
convention of the JSON lists (`?offset=&limit=`, limit 1 to 500, `{data, count}`), through the
app on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
from pathlib import Path

from service_helpers import World

from api.deps import MAX_ID, MAX_LIMIT, page_count, page_number, page_window

API = Path(__file__).resolve().parents[2] / "api"
SHARED = {
    "SettingsDep", "LanguageDep", "OrganiserDep", "ParticipantDep",
    "MAX_ID", "SalonId", "ParticipantId", "LinkId", "WishId", "JobId", "Version", "RepairId",
    "EventId", "Offset", "Limit", "MAX_LIMIT", "DEFAULT_LIMIT", "Page",
}


def defined_names(path: Path) -> set[str]:
    """The names a module assigns at its top level (aliases, constants), and `Page` classes
    (api.documents.views has a `Version` class of its own: another thing)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ClassDef) and node.name == "Page":
            names.add(node.name)
    return names


def test_shared_aliases_are_defined_once() -> None:
    found: dict[str, list[str]] = {}
    for path in sorted(API.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for name in defined_names(path) & (SHARED | {"SessionDep"}):
            found.setdefault(name, []).append(path.relative_to(API.parent).as_posix())
    expected = {name: ["api/deps.py"] for name in SHARED} | {"SessionDep": ["api/db.py"]}
    assert found == expected


def test_page_numbers_and_offsets_agree() -> None:
    assert page_window(1, 20) == (0, 20)
    assert page_window(3, 20) == (40, 20)
    assert page_window(0, 20) == (0, 20)  # before the first page: the first page
    assert page_window(2, 10_000) == (MAX_LIMIT, MAX_LIMIT)  # pages hold at most MAX_LIMIT
    assert [page_number(*page_window(n, 20)) for n in (1, 2, 7)] == [1, 2, 7]
    assert page_number(25, 20) == 2  # an offset inside a page belongs to it
    assert [page_count(n, 20) for n in (0, 1, 20, 21, 400)] == [1, 1, 1, 2, 20]


def test_every_organiser_list_pages_with_offset_and_limit(world: World) -> None:
    client, organiser = world.client, world.organiser
    lists = ["/salons", *(world.url(p) for p in ("/participants", "/wishes", "/solves",
                                                 "/schedules", "/repairs"))]
    for url in lists:
        whole = client.get(url, params={"limit": MAX_LIMIT}, headers=organiser)
        assert whole.status_code == 200, (url, whole.text)
        assert set(whole.json()) == {"data", "count"}
        assert len(whole.json()["data"]) == whole.json()["count"]
        for params, field in (
            ({"limit": MAX_LIMIT + 1}, "query.limit"),
            ({"limit": 0}, "query.limit"),
            ({"offset": -1}, "query.offset"),
            ({"page": 2}, "query.page"),  # the catalogue's old parameters: unknown here
            ({"per_page": 10}, "query.per_page"),
        ):
            refused = client.get(url, params=params, headers=organiser)
            assert refused.status_code == 422, (url, params)
            assert [e["field"] for e in refused.json()["detail"]["errors"]] == [field]
    participants = world.url("/participants")
    second = client.get(participants, params={"offset": 1, "limit": 2}, headers=organiser).json()
    assert second["count"] == 5 and [p["code"] for p in second["data"]] == ["D2", "I1"]


def test_the_directory_pages_like_the_organiser_lists(world: World) -> None:
    client, me = world.client, world.me("I1")
    whole = client.get("/me/directory", params={"limit": MAX_LIMIT}, headers=me).json()
    assert whole["count"] == 4 and len(whole["data"]) == 4
    last = client.get("/me/directory", params={"offset": 3, "limit": 1}, headers=me).json()
    assert last["count"] == 4 and [p["code"] for p in last["data"]] == [whole["data"][3]["code"]]
    assert client.get("/me/directory", params={"limit": MAX_LIMIT + 1}, headers=me).status_code \
        == 422


def test_ids_past_max_id_are_refused_in_paths(world: World) -> None:
    client, organiser, too_big = world.client, world.organiser, MAX_ID + 1
    for url in (
        f"/salons/{too_big}",
        world.url(f"/participants/{too_big}"),
        world.url(f"/solves/{too_big}"),
        world.url(f"/schedules/{too_big}"),
        world.url(f"/repairs/{too_big}"),
    ):
        refused = client.get(url, headers=organiser)
        assert refused.status_code == 422, (url, refused.text)
        assert refused.json()["detail"]["code"] == "invalid_request"
    assert client.get(f"/catalogue/api/events/{too_big}").status_code == 422
    assert client.get(f"/catalogue/api/events/{MAX_ID}").status_code == 404
