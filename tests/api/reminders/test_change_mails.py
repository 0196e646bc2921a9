"""After a published repair, the participants whose agenda changed (and only they) get the
change with their new calendar attached (issue 13, item 5), once: the meetings they lost are
cancelled events of that calendar."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from icalendar import Calendar
from pages_helpers import wishes_and_solve
from service_helpers import World, make_salon, new_organiser, settings_for

from api.app import create_app
from api.mail import read_outbox


def test_a_repairs_mail_carries_the_new_calendar(database_url: str, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    with TestClient(create_app(settings_for(database_url, outbox_dir=outbox))) as client:
        organiser = new_organiser(client)
        salon_id, ids, tokens = make_salon(client, organiser)
        world = World(client, organiser, salon_id, ids, tokens)
        for code in ("D1", "D2", "I1", "I2", "I3"):
            answer = client.patch(
                world.url(f"/participants/{ids[code]}"),
                json={"email": f"{code.lower()}@example.org"},
                headers=organiser,
            )
            assert answer.status_code == 200, answer.text
        version = wishes_and_solve(world)  # I1 and I2 each meet D1 and D2
        client.post(world.url(f"/schedules/{version}/publish"), headers=organiser)
        change = {"kind": "participant_cancelled", "participant": "I1"}
        repair = client.post(
            world.url("/repairs"), json={"now": "2023-11-28T08:00:00", "changes": [change]},
            headers=organiser,
        ).json()
        published = client.post(world.url(f"/repairs/{repair['id']}/publish"), headers=organiser)
        assert published.status_code == 200, published.text
        again = client.post(world.url(f"/repairs/{repair['id']}/publish"), headers=organiser)
        assert again.status_code == 200
        meetings = client.get("/me/agenda", headers=world.me("D1")).json()["meetings"]
    mails = {str(m["To"]): m for m in read_outbox(outbox)}
    assert "i3@example.org" not in mails and "i2@example.org" not in mails  # unchanged agendas
    assert {"d1@example.org", "d2@example.org", "i1@example.org"} == set(mails)
    [attachment] = list(mails["d1@example.org"].iter_attachments())
    assert attachment.get_filename() == "agenda.ics"
    events = list(Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT"))
    confirmed = [e for e in events if e["STATUS"] == "CONFIRMED"]
    assert len(confirmed) == len(meetings) == 1  # D1 keeps its meeting with I2 only
    assert "Nom I2" in str(confirmed[0]["SUMMARY"])
    assert confirmed[0].walk("VALARM")
    assert str(confirmed[0]["URL"]).startswith("http://testserver/p/")
    [gone] = [e for e in events if e["STATUS"] == "CANCELLED"]  # its meeting with I1
    assert "Nom I1" in str(gone["SUMMARY"]) and not gone.walk("VALARM")
    [withdrawn] = list(mails["i1@example.org"].iter_attachments())
    events = list(Calendar.from_ical(withdrawn.get_payload(decode=True)).walk("VEVENT"))
    assert len(events) == 2 and {str(e["STATUS"]) for e in events} == {"CANCELLED"}
    assert {"Nom D1", "Nom D2"} == {str(e["SUMMARY"]).rsplit(" : ", 1)[1] for e in events}
