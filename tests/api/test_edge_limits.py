"""The service's edge (api/edge.py): body caps per route family, enforced before parsing and
before authentication, and the row and size caps of every import format."""

from __future__ import annotations

import io
import json
import select
import socket
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from service_helpers import SESSIONS, World, running_server

from api.db import make_engine, make_session_factory
from api.edge import UPLOAD_ALLOWANCE, body_cap
from api.organisers.service import create_organiser
from api.pages.organiser import salons as organiser_pages
from api.salons import importers
from api.settings import Settings

MEGABYTE = 1024 * 1024
HUGE = 300 * MEGABYTE
SOCKET_BUFFERS = 32 * MEGABYTE
"""What loopback socket buffers and uvicorn's own buffer may take in before the server answers
(a streamed body is refused once the app has read past its cap; the client may have pushed
that much more by then)."""


# ------------------------------------------------------------------ route families


def test_each_route_family_has_its_cap() -> None:
    settings = Settings(max_body_bytes=MEGABYTE)
    salon_file = importers.MAX_SALON_BYTES + UPLOAD_ALLOWANCE
    participant_file = importers.MAX_BYTES + UPLOAD_ALLOWANCE
    expected = {
        "/salons/import": salon_file,
        "/o/import": salon_file,
        "/salons/7/participants/import": participant_file,
        "/o/salons/7/participants": participant_file,
        "/salons/7/participants": MEGABYTE,
        "/salons": MEGABYTE,
        "/me/wishes": MEGABYTE,
        "/p/token/wishes": MEGABYTE,
        "/catalogue/api/me/events": MEGABYTE,
        "/catalogue/my/events/new": MEGABYTE,
    }
    assert {path: body_cap(path, settings).limit for path in expected} == expected
    assert body_cap("/salons", Settings(max_body_bytes=4096)).limit == 4096


def test_the_salon_file_cap_is_the_import_pages_cap() -> None:
    assert importers.MAX_SALON_BYTES == organiser_pages.MAX_UPLOAD == 20 * MEGABYTE


# ------------------------------------------------------------------ through the app


def test_a_declared_length_over_the_cap_is_refused_before_authentication(
    client: TestClient,
) -> None:
    """No API key: 413, not 401 (the request never reaches the route)."""
    response = client.post(
        "/salons/import",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": str(HUGE)},
    )
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert response.json() == {
        "detail": {"code": "body_too_large", "message": "Fichier trop volumineux : 20 Mo au plus."}
    }
    response = client.post(
        "/salons",
        content=b"{}",
        headers={"Content-Length": str(2 * MEGABYTE), "Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == {
        "code": "body_too_large",
        "message": "Request too large: 1 MB at most.",
    }


def test_a_streamed_json_body_over_the_cap_is_refused_and_nothing_stored(world: World) -> None:
    body = json.dumps({"name": "x" * (2 * MEGABYTE), "sessions": SESSIONS, "tables": 2})

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked
        data = body.encode()
        for start in range(0, len(data), 65536):
            yield data[start : start + 65536]

    before = world.client.get("/salons", headers=world.organiser).json()["count"]
    response = world.client.post(
        "/salons",
        content=chunks(),
        headers={**world.organiser, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "body_too_large"
    assert "1 Mo au plus" in response.json()["detail"]["message"]
    assert world.client.get("/salons", headers=world.organiser).json()["count"] == before


def test_pages_get_a_short_page_in_their_language(client: TestClient) -> None:
    response = client.post(
        "/o/salons/1/participants",
        content=b"x",
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(HUGE),
            "Cookie": "lang=en",
        },
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "File too large: 10 MB at most." in response.text
    assert '<html lang="en">' in response.text
    response = client.post(
        "/p/anything/wishes", content=b"x", headers={"Content-Length": str(2 * MEGABYTE)}
    )
    assert response.status_code == 413
    assert "Requête trop volumineuse : 1 Mo au plus." in response.text


def test_a_participant_file_just_over_its_cap_is_the_importers_422(world: World) -> None:
    """Within the upload's allowance the body passes the edge; the importer names the file cap."""
    content = b"id,name\n" + b"Z" * importers.MAX_BYTES
    response = world.client.post(
        world.url("/participants/import"),
        files={"file": ("big.csv", content)},
        headers=world.organiser,
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["errors"][0]["message"] == (
        "Fichier trop volumineux (10 Mo au plus)."
    )


def test_a_salon_file_within_its_cap_passes_the_edge(world: World) -> None:
    """A salon/v1 of 2 MB (over the 1 MB of other requests) is imported."""
    document = {
        "format": "salon/v1",
        "name": "Gros salon",
        "meeting_minutes": 20,
        "sessions": SESSIONS,
        "tables": 2,
        "participants": [
            {"id": f"I{i:05d}", "name": f"Industriel {i}", "role": "x" * 1000} for i in range(1500)
        ],
    }
    body = json.dumps(document).encode()
    assert 2 * MEGABYTE > len(body) > MEGABYTE
    response = world.client.post(
        "/salons/import",
        content=body,
        headers={**world.organiser, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text[:300]


# ------------------------------------------------------------------ row and size caps


def upload(world: World, name: str, content: bytes) -> Any:
    return world.client.post(
        world.url("/participants/import"),
        files={"file": (name, content)},
        headers=world.organiser,
    )


def refused(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text[:500]
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_import"
    errors: list[dict[str, str]] = detail["errors"]
    return errors


def test_a_json_participants_file_has_a_row_cap(world: World) -> None:
    rows = [{"id": f"Z{i}", "name": "A"} for i in range(importers.MAX_ROWS + 1)]
    assert refused(upload(world, "p.json", json.dumps(rows).encode())) == [
        {"field": "participants", "message": "Trop de participants (20 000 au plus)."}
    ]
    salon_file = {"format": "salon/v1", "participants": rows}
    errors = refused(upload(world, "salon.json", json.dumps(salon_file).encode()))
    assert errors[0]["field"] == "participants"
    assert len(upload_participants(world)) == 5


def test_a_csv_file_has_a_row_cap(world: World) -> None:
    lines = ["id,name"] + [f"Z{i},A" for i in range(importers.MAX_ROWS + 1)]
    assert refused(upload(world, "p.csv", "\n".join(lines).encode())) == [
        {"field": "file", "message": "Trop de lignes (20 000 au plus)."}
    ]
    assert len(upload_participants(world)) == 5


def upload_participants(world: World) -> list[dict[str, Any]]:
    page = world.client.get(world.url("/participants"), headers=world.organiser).json()
    data: list[dict[str, Any]] = page["data"]
    return data


def sheet_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "name"])
    sheet.append(["Z1", "Zoé"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def inflated(xlsx: bytes, member: str, padding: int) -> bytes:
    """The workbook with `padding` bytes of spaces at the end of `member` (still valid XML):
    a zip bomb, a few hundred kilobytes that unzip to `padding` bytes."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != member:
                target.writestr(info, data)
                continue
            bomb = zipfile.ZipInfo(member)
            bomb.compress_type = zipfile.ZIP_DEFLATED
            with target.open(bomb, "w") as out:
                out.write(data)
                block = b" " * MEGABYTE
                for _ in range(padding // MEGABYTE):
                    out.write(block)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def sheet_bomb() -> bytes:
    return inflated(sheet_xlsx(), "xl/worksheets/sheet1.xml", 200 * MEGABYTE)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STRINGS_RELATION = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)


def shared_strings_xlsx() -> bytes:
    """The workbook with its texts in `xl/sharedStrings.xml`, as spreadsheet programs write
    them (openpyxl writes inline strings)."""
    source = zipfile.ZipFile(io.BytesIO(sheet_xlsx()))
    texts = ["id", "name", "Z1", "Zoé"]
    parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for index, text in enumerate(texts):
        sheet = sheet.replace(
            f'<c r="{"ABAB"[index]}{index // 2 + 1}" t="inlineStr"><is><t>{text}</t></is></c>',
            f'<c r="{"ABAB"[index]}{index // 2 + 1}" t="s"><v>{index}</v></c>',
        )
    assert "inlineStr" not in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN}" count="4" uniqueCount="4">{items}</sst>'.encode()
    )
    types = parts["[Content_Types].xml"].decode()
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    relation = (
        f'<Relationship Id="rIdStrings" Type="{STRINGS_RELATION}" Target="sharedStrings.xml"/>'
    )
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", relation + "</Relationships>"
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def strings_bomb() -> bytes:
    return inflated(shared_strings_xlsx(), "xl/sharedStrings.xml", 30 * MEGABYTE)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unzipped(world: World, sheet_bomb: bytes) -> None:
    assert len(sheet_bomb) < MEGABYTE
    assert refused(upload(world, "bomb.xlsx", sheet_bomb)) == [
        {
            "field": "file",
            "message": "Fichier XLSX refusé : 201 Mo une fois décompressé (50 Mo au plus).",
        }
    ]
    response = world.client.post(
        world.url("/participants/import"),
        files={"file": ("bomb.xlsx", sheet_bomb)},
        headers={**world.organiser, "Accept-Language": "en"},
    )
    assert refused(response)[0]["message"] == (
        "XLSX file refused: 201 MB once unzipped (50 MB at most)."
    )
    assert len(upload_participants(world)) == 5


def test_an_xlsx_with_too_many_shared_strings_is_refused(world: World, strings_bomb: bytes) -> None:
    assert refused(upload(world, "strings.xlsx", strings_bomb)) == [
        {
            "field": "file",
            "message": (
                "Fichier XLSX refusé : textes de 31 Mo une fois décompressés (20 Mo au plus)."
            ),
        }
    ]


def test_an_xlsx_with_too_many_members_is_refused(world: World) -> None:
    source = zipfile.ZipFile(io.BytesIO(sheet_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        for number in range(importers.MAX_XLSX_MEMBERS):
            target.writestr(f"xl/media/empty{number}.bin", b"")
    count = len(source.infolist()) + importers.MAX_XLSX_MEMBERS
    assert refused(upload(world, "many.xlsx", buffer.getvalue())) == [
        {
            "field": "file",
            "message": f"Fichier XLSX refusé : {count} fichiers dans l'archive (1000 au plus).",
        }
    ]


@pytest.mark.parametrize("make", [sheet_xlsx, shared_strings_xlsx])
def test_a_small_xlsx_is_still_read(world: World, make: Any) -> None:
    response = upload(world, "ok.xlsx", make())
    assert response.status_code == 200, response.text
    names = {p["code"]: p["name"] for p in upload_participants(world)}
    assert names["Z1"] == "Zoé"


# ------------------------------------------------------------------ a real server


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def read_answer(sock: socket.socket) -> Answer:
    """The server's whole answer (it closes the connection after a 413)."""
    sock.setblocking(True)
    sock.settimeout(60)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:  # the server closed with our unread body in its buffer
            break
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(lines[0].split()[1]), headers, body)


def connect(base_url: str) -> socket.socket:
    parts = urlsplit(base_url)
    return socket.create_connection((parts.hostname, parts.port), timeout=60)


def stream_until_answered(sock: socket.socket, frames: Iterator[bytes]) -> int:
    """Push the frames as fast as the server takes them, until it answers (or hangs up);
    how many bytes were sent."""
    sock.setblocking(False)
    sent, pending = 0, b""
    while True:
        readable, writable, _ = select.select([sock], [sock], [], 60)
        if readable:
            return sent
        assert writable, "the server neither reads the body nor answers"
        if not pending:
            pending = next(frames, b"")
            if not pending:
                return sent
        try:
            count = sock.send(pending)
        except (BrokenPipeError, ConnectionResetError):
            return sent
        sent += count
        pending = pending[count:]


def test_a_real_server_refuses_a_300_mb_anonymous_post_before_reading_it(
    tmp_path: Path,
) -> None:
    """Only the headers are sent: the 413 comes back without a byte of the body."""
    with running_server(f"sqlite:///{tmp_path / 'salon.db'}") as server:
        sock = connect(server.base_url)
        sock.sendall(
            b"POST /salons/import HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nAccept-Language: en\r\n"
            + f"Content-Length: {HUGE}\r\n\r\n".encode()
        )
        answer = read_answer(sock)
        sock.close()
        assert answer.status == 413
        assert answer.json() == {
            "detail": {"code": "body_too_large", "message": "File too large: 20 MB at most."}
        }
        assert "Traceback" not in server.log_tail(20000)


def multipart_frames(boundary: str, total: int) -> Iterator[bytes]:
    """A chunked multipart upload of a `total`-byte CSV file, in 64 KB chunks."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nid,name\n"
    ).encode()
    yield f"{len(head):x}\r\n".encode() + head + b"\r\n"
    block = b"Z1,A\n" * 13107  # 65,535 bytes
    for _ in range(total // len(block)):
        yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
    tail = f"\r\n--{boundary}--\r\n".encode()
    yield f"{len(tail):x}\r\n".encode() + tail + b"\r\n0\r\n\r\n"


def test_a_real_server_stops_a_streamed_upload_at_its_cap(database_url: str) -> None:
    """A chunked 300 MB participants upload (no Content-Length) is cut at the 10 MB cap: the
    server answers 413 long before the client could push the rest, and imports nothing."""
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        key = create_organiser(session, email="edge@example.org").key
    engine.dispose()
    auth = {"Authorization": f"Bearer {key}"}
    with running_server(database_url) as server:
        with httpx.Client(base_url=server.base_url, headers=auth, timeout=60) as api:
            salon = api.post("/salons", json={"name": "S", "sessions": SESSIONS, "tables": 2})
            assert salon.status_code == 201, salon.text
            salon_id = salon.json()["id"]
            sock = connect(server.base_url)
            boundary = "edgeboundary"
            sock.sendall(
                f"POST /salons/{salon_id}/participants/import HTTP/1.1\r\nHost: localhost\r\n"
                f"Authorization: Bearer {key}\r\nTransfer-Encoding: chunked\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n".encode()
            )
            sent = stream_until_answered(sock, multipart_frames(boundary, HUGE))
            answer = read_answer(sock)
            sock.close()
            assert answer.status == 413, answer.body[:300]
            assert answer.json()["detail"] == {
                "code": "body_too_large",
                "message": "Fichier trop volumineux : 10 Mo au plus.",
            }
            cap = importers.MAX_BYTES + UPLOAD_ALLOWANCE
            assert cap < sent < cap + SOCKET_BUFFERS, sent
            listed = api.get(f"/salons/{salon_id}/participants").json()
            assert listed["count"] == 0
        assert "Traceback" not in server.log_tail(20000)
