"""You said, we did: staff say what changed; only people who asked to hear back are told."""

from __future__ import annotations

import io
import json

import httpx
from openpyxl import load_workbook

from bot.cli import main
from bot.server import create_app
from bot.settings import Settings
from bot.staff.export import build_export
from bot.staff.export_files import export_json, export_xlsx
from bot.store import concerns, repository, updates
from bot.store.db import unit_of_work
from tests.test_export import answer, make_review
from tests.test_web_chat import StandInRasa

CHANGE = "You said the papers came late. We now post them two weeks before."


def answered(code: str, sender: str, hear_back: bool | None, channel: str = "web") -> None:
    answer(code, sender, ["yes", "no"], channel)
    if hear_back is not None:
        with unit_of_work() as session:
            review = repository.review_by_code(session, code)
            ref = repository.start_or_resume(session, review, sender, channel)
            updates.set_hear_back(session, ref.response_id, hear_back)


def waiting(sender: str) -> list[str]:
    with unit_of_work() as session:
        return concerns.take_messages(session, sender)


def test_only_people_who_said_yes_are_told(database):
    code = make_review("YSW-234")
    answered(code, "web-yes", True)
    answered(code, "telegram-yes", True, channel="telegram")
    answered(code, "web-no", False)
    answered(code, "web-never-asked", None)
    answered(make_review("OTH-234"), "web-other-review", True)
    with unit_of_work() as session:
        update = updates.post_update(session, repository.review_by_code(session, code), CHANGE)
        assert update.people_told == 2
    [message] = waiting("web-yes")
    assert CHANGE in message and "You said, we did" in message and "Meeting YSW-234" in message
    assert len(waiting("telegram-yes")) == 1
    for sender in ("web-no", "web-never-asked", "web-other-review"):
        assert waiting(sender) == []
    # Each message is given once.
    assert waiting("web-yes") == []


def test_someone_who_asked_to_be_forgotten_is_not_told(database):
    code = make_review("FGT-234")
    answered(code, "web-gone", True)
    with unit_of_work() as session:
        repository.forget_person(session, "web-gone")
    with unit_of_work() as session:
        review = repository.review_by_code(session, code)
        assert updates.post_update(session, review, CHANGE).people_told == 0
    assert waiting("web-gone") == []


def test_someone_who_answered_nothing_is_not_told_or_counted(database):
    code = make_review("NTH-234")
    answered(code, "web-yes", True)
    with unit_of_work() as session:
        review = repository.review_by_code(session, code)
        ref = repository.start_or_resume(session, review, "web-said-nothing", "web")
        updates.set_hear_back(session, ref.response_id, True)
    with unit_of_work() as session:
        review = repository.review_by_code(session, code)
        assert updates.post_update(session, review, CHANGE).people_told == 1
    assert len(waiting("web-yes")) == 1 and waiting("web-said-nothing") == []


def test_the_command_line_saves_and_sends(database, capsys):
    code = make_review("CLI-234")
    answered(code, "web-yes", True)
    assert main(["review", "update", code.lower(), "--text", CHANGE]) == 0
    out = capsys.readouterr().out
    # One person: a small number, never given exactly.
    assert "It goes to fewer than 5 people who asked to hear back." in out
    assert "next message" in out
    assert CHANGE in waiting("web-yes")[0]


def test_bad_staff_input_gets_a_clear_message_and_sends_nothing(database, capsys):
    code = make_review("BAD-234")
    answered(code, "web-yes", True)
    assert main(["review", "update", "NOPE-999", "--text", CHANGE]) == 1
    assert "No review with the code NOPE-999" in capsys.readouterr().err
    assert main(["review", "update", code, "--text", "   "]) == 2
    assert main(["review", "update", code, "--text", "x" * (updates.UPDATE_MAX + 1)]) == 2
    assert "up to 2000 characters" in capsys.readouterr().err
    assert waiting("web-yes") == []
    with unit_of_work() as session:
        assert repository.review_by_code(session, code).updates == []


def test_the_exports_include_what_was_done(database):
    code = make_review("EXP-234")
    for n in range(6):
        answered(code, f"web-{n}", n % 2 == 0)
    with unit_of_work() as session:
        updates.post_update(session, repository.review_by_code(session, code), "=HYPERLINK(1)")
        updates.post_update(session, repository.review_by_code(session, code), CHANGE)
    with unit_of_work() as session:
        results = build_export(session, 5, code=code)
    [review] = json.loads(export_json(results, 5))["reviews"]
    assert [u["text"] for u in review["you_said_we_did"]] == ["=HYPERLINK(1)", CHANGE]
    assert all(len(u["date"]) == 10 for u in review["you_said_we_did"])
    sheet = load_workbook(io.BytesIO(export_xlsx(results, 5)))["You said, we did"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["review", "title", "date", "what we did"]
    # A formula typed by staff is kept as words, never run by the spreadsheet.
    assert rows[1][3] == "'=HYPERLINK(1)" and rows[2][3] == CHANGE


async def test_a_web_chat_person_gets_it_on_their_next_message(database):
    rasa = StandInRasa()
    app = create_app(Settings(secret_key="s", rasa_url="http://rasa", database_url=database))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await client.post("/api/chat", json={"text": "hello"})
        sender = rasa.received[0]["sender"]
        code = make_review("WEB-234")
        answered(code, sender, True)
        assert main(["review", "update", code, "--text", CHANGE]) == 0
        first = (await client.post("/api/chat", json={"text": "hi again"})).json()["messages"]
        second = (await client.post("/api/chat", json={"text": "and again"})).json()["messages"]
    assert CHANGE in first[-1]["text"] and len(second) == 1


def test_my_data_says_they_asked_to_hear_back(database):
    from actions.privacy import describe

    code = make_review("MYD-234")
    answered(code, "web-yes", True)
    answered(code, "web-no", False)
    with unit_of_work() as session:
        said_yes = describe(repository.held_about(session, "web-yes"))
        said_no = describe(repository.held_about(session, "web-no"))
    assert "You asked to hear what changes." in said_yes
    assert "hear what changes" not in said_no
