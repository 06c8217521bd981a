"""Optional questions: staff choose, when they create a review, which of the charter's
optional questions it asks too. The default set stays short; other reviews are unchanged.

The packs are swapped for ones with two optional questions, so these tests do not depend
on which optional questions a charter has today.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.content import get_pack, list_packs, loader
from bot.content.model import Question
from bot.staff import reviews
from bot.staff.export import build_export
from bot.store import repository
from bot.store.db import unit_of_work
from bot.store.models import Review
from tests.test_review_actions import answer, ask, saved_answers, start

MISSING = Question("anyone_missing", "", "Was anyone missing?", "Was anyone missing?")
CHAIR = Question("chair_included", "", "Did the chair include everyone?", "Were all included?")


@pytest.fixture(autouse=True)
def packs_with_optional_questions(monkeypatch):
    packs = {pack.id: pack for pack in list_packs()}
    wirral = packs["wirral"]
    principle = wirral.principles[0].id
    extra = tuple(dataclasses.replace(q, principle=principle) for q in (MISSING, CHAIR))
    packs["wirral"] = dataclasses.replace(wirral, optional_questions=extra)
    monkeypatch.setattr(loader, "_all_packs", lambda: packs)


def create(code: str, optional: tuple[str, ...] = ()) -> None:
    with unit_of_work() as session:
        repository.create_review(session, code, "Transport forum", "wirral", None, None, optional)


def start_with_code(database: str, code: str) -> dict:
    entities = [{"entity": "review_code", "value": code}]
    slots, _ = start(database, f"code {code}", entities=entities)
    return slots


def test_staff_choose_optional_questions_of_the_charter_in_its_order():
    chosen = ["chair_included", "anyone_missing"]
    checked = reviews.check_new_review("Forum", "wirral", None, None, chosen)
    assert checked.optional_questions == ("anyone_missing", "chair_included")
    assert reviews.check_new_review("Forum", "wirral").optional_questions == ()


def test_an_optional_question_of_another_charter_or_none_is_refused_naming_it():
    with pytest.raises(reviews.ReviewProblem) as problem:
        reviews.check_new_review("Forum", "wirral", None, None, ["anyone_missin"])
    assert problem.value.field == "questions"
    assert "no optional question anyone_missin" in str(problem.value)
    assert "It has: anyone_missing, chair_included." in str(problem.value)


def test_a_review_asks_its_optional_questions_after_the_others_and_counts_them(database):
    create("OPT-234", ("anyone_missing",))
    pack = get_pack("wirral")
    slots = start_with_code(database, "OPT-234")
    assert slots["review_optional"] == ["anyone_missing"]
    # Every question, then the question about hearing back.
    total = len(pack.questions) + 1 + 1
    for number, question in enumerate(pack.questions, start=1):
        [asked] = ask(slots)
        assert (asked["number"], asked["total"]) == (number, total)
        assert asked["question"] == question.text
        slots, _ = answer(slots, "affirm", "/affirm")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    [asked] = ask(slots)
    assert asked["question"] == "Was anyone missing?"
    assert (asked["number"], asked["total"]) == (len(pack.questions) + 1, total)
    slots, _ = answer(slots, "deny", "/deny")
    assert saved_answers()["anyone_missing"].value == "no"
    # The question it was not given is never asked.
    slots, _ = answer(slots, "skip_question", "/skip_question")
    [after] = ask(slots)
    assert after.get("question") != CHAIR.text


def test_a_review_without_optional_questions_is_as_before(database):
    create("STD-234")
    slots = start_with_code(database, "STD-234")
    assert slots["review_optional"] == []
    [first] = ask(slots)
    assert first["total"] == len(get_pack("wirral").questions) + 1


def test_the_export_lists_the_optional_questions_of_that_review_only(database):
    create("OPT-567", ("chair_included",))
    create("STD-567")
    with unit_of_work() as session:
        results = {r.code: r for r in build_export(session, min_group=5)}
    with_extra = [q.id for q in results["OPT-567"].questions]
    assert with_extra[-1] == "chair_included" and "anyone_missing" not in with_extra
    assert "chair_included" not in [q.id for q in results["STD-567"].questions]


def test_copro_lists_the_optional_questions_and_creates_a_review_with_them(database, capsys):
    assert main(["charters", "questions", "--charter", "wirral"]) == 0
    listed = capsys.readouterr().out
    assert "Optional (copro review create --question ID):" in listed
    assert "anyone_missing" in listed and "Was anyone missing?" in listed
    create_args = ["review", "create", "--title", "Forum", "--charter", "wirral"]
    assert main([*create_args, "--question", "anyone_missing"]) == 0
    code = capsys.readouterr().out.split("Review code: ")[1].split()[0]
    with unit_of_work() as session:
        review = session.scalar(select(Review).where(Review.code == code))
        assert review.optional_question_ids == ("anyone_missing",)
    assert main(["review", "create", "--title", "Forum", "--question", "nope"]) == 2
    assert "no optional question nope" in capsys.readouterr().err


def test_the_json_export_names_the_optional_question(database, capsys):
    create("OPT-890", ("anyone_missing",))
    assert main(["export", "--format", "json", "--review", "OPT-890"]) == 0
    [review] = json.loads(capsys.readouterr().out)["reviews"]
    assert review["questions"][-1]["id"] == "anyone_missing"
    assert review["questions"][-1]["text"] == "Was anyone missing?"


def test_staff_tick_optional_questions_on_the_dashboard(database):
    from starlette.testclient import TestClient

    from bot.server import create_app
    from tests.test_dashboard import add_account, log_in, post, settings_for

    add_account()
    with TestClient(create_app(settings_for(database))) as staff:
        log_in(staff)
        form = staff.get("/staff").text
        assert 'value="wirral:anyone_missing"' in form and "Wirral: Was anyone missing?" in form
        chair = "wirral:chair_included"
        made = post(staff, "/staff/reviews", title="Forum", charter="wirral", question=chair)
        assert made.status_code == 303
        code = made.headers["location"].split("/")[-1].split("?")[0]
        with unit_of_work() as session:
            assert repository.review_by_code(session, code).optional_question_ids == (
                "chair_included",
            )
        # A box ticked for another charter is shown as a mistake, and nothing is saved.
        wrong = post(staff, "/staff/reviews", title="Forum 2", charter="halton", question=chair)
        assert wrong.status_code == 400
        assert "Choose optional questions from the charter you chose" in wrong.text
        assert 'value="wirral:chair_included" checked' in wrong.text
