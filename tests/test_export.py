"""Aggregated, suppressed exports: hand-built small groups, the JSON contract, CSV parsed back."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from bot.cli import main
from bot.content import get_pack
from bot.names import ANSWER_VALUES
from bot.staff.export import build_export, suppress_counts
from bot.staff.export_files import export_csv, export_json
from bot.store import repository
from bot.store.db import unit_of_work
from bot.store.models import AnswerTally, ResponseTally, utcnow
from bot.store.retention import purge

QUESTIONS = get_pack("wirral").questions
COUNTS = dict.fromkeys(ANSWER_VALUES, 0)


@pytest.mark.parametrize(
    "counts,shown,withheld",
    [
        # Nothing small: everything shown, zeros too.
        ({"yes": 6}, {"yes": 6}, []),
        ({"yes": 7, "no": 5}, {"yes": 7, "no": 5}, []),
        # Two small counts hide each other.
        (
            {"yes": 8, "no": 2, "unsure": 1},
            {"yes": 8, "no": None, "unsure": None},
            ["no", "unsure"],
        ),
        # One small count: the smallest other non-zero count is withheld too.
        (
            {"yes": 9, "no": 6, "partly": 3},
            {"yes": 9, "no": None, "partly": None},
            ["partly", "no"],
        ),
        ({"yes": 12, "skipped": 1}, {"yes": None, "skipped": None}, ["yes", "skipped"]),
    ],
)
def test_small_counts_are_withheld_with_secondary_suppression(counts, shown, withheld):
    full = {**COUNTS, **counts}
    result, names = suppress_counts(full, 5)
    assert result == {**COUNTS, **shown}
    assert sorted(names) == sorted(withheld)
    # Whatever is shown, each withheld count is hidden among at least two.
    assert len(names) != 1


def test_a_lone_small_count_with_nothing_to_hide_it_withholds_the_question():
    assert suppress_counts({**COUNTS, "no": 3}, 5) == (None, [])


def answer(review, sender: str, values: list[str], channel: str = "web") -> None:
    with unit_of_work() as session:
        review = repository.review_by_code(session, review)
        ref = repository.start_or_resume(session, review, sender, channel)
        repository.set_profile(session, sender, channel, role="parent_carer")
        for question, value in zip(QUESTIONS, values, strict=False):
            comment = "my name is Sam" if value == "no" else None
            repository.record_answer(session, ref.response_id, question.id, value, channel, comment)


def make_review(code: str, held_on: str | None = None) -> str:
    with unit_of_work() as session:
        repository.create_review(session, code, f"Meeting {code}", "wirral", "consulting", held_on)
    return code


def exported(**filters) -> list:
    with unit_of_work() as session:
        return build_export(session, 5, **filters)


def test_six_people_show_up_and_four_are_suppressed(database):
    six, four = make_review("SIX-234"), make_review("FOR-234")
    for n in range(6):
        answer(six, f"web-six-{n}", ["yes", "no" if n < 2 else "yes", "partly"])
    for n in range(4):
        answer(four, f"web-four-{n}", ["yes"] * 7)
    results = {r.code: r for r in exported()}
    shown = results["SIX-234"]
    assert shown.responses == 6
    first, second, third = shown.questions[:3]
    assert first.counts == {**COUNTS, "yes": 6}
    # 4 yes and 2 no: both small, both withheld.
    assert second.counts == {**COUNTS, "yes": None, "no": None} and second.withheld == ["yes", "no"]
    assert third.counts == {**COUNTS, "partly": 6}
    # Nobody answered the later questions: zeros, shown.
    assert shown.questions[3].counts == COUNTS
    hidden = results["FOR-234"]
    # Four people: how many is not given either (a small number), nor any count.
    assert hidden.responses is None and all(q.suppressed for q in hidden.questions)


def test_the_json_export_keeps_the_contract(database):
    review = make_review("JSN-234")
    for n in range(5):
        answer(review, f"web-j-{n}", ["yes"])
    data = json.loads(export_json(exported(code="jsn-234"), 5))
    [item] = data["reviews"]
    assert {"code", "title", "charter", "responses", "questions"} <= set(item)
    assert (item["code"], item["charter"], item["responses"]) == ("JSN-234", "wirral", 5)
    for question, pack_question in zip(item["questions"], QUESTIONS, strict=True):
        assert (question["id"], question["text"], question["principle"]) == (
            pack_question.id,
            pack_question.text,
            pack_question.principle,
        )
        assert set(question["counts"]) == set(ANSWER_VALUES)
    assert item["questions"][0]["counts"]["yes"] == 5
    four = make_review("FEW-234")
    answer(four, "web-few", ["yes"])
    [few] = json.loads(export_json(exported(code="FEW-234"), 5))["reviews"]
    assert all(q == {**q, "suppressed": True} and "counts" not in q for q in few["questions"])


def test_the_csv_export_parses_back_and_never_holds_comments_or_formulas(database):
    review = make_review("CSV-234")
    with unit_of_work() as session:
        found = repository.review_by_code(session, review)
        found.title = '=HYPERLINK("http://x")'
    for n in range(7):
        answer(review, f"web-c-{n}", ["no" if n < 5 else "yes"])
    text = export_csv(exported(code="CSV-234"), 5)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(QUESTIONS)
    assert rows[0]["title"].startswith("'=")
    # Only one small count (2 yes): the next smallest (5 no) is withheld with it.
    assert (rows[0]["no"], rows[0]["yes"], rows[0]["partly"]) == ("withheld", "withheld", "0")
    assert rows[1]["yes"] == "0" and rows[1]["suppressed"] == "no"
    assert "Sam" not in text and "web-c-" not in text


def test_counts_kept_after_the_retention_policy_still_count(database):
    review = make_review("OLD-234")
    for n in range(5):
        answer(review, f"web-o-{n}", ["yes"])
    with unit_of_work() as session:
        purge(session, utcnow() + timedelta(days=1))  # everything counts as old
        assert session.query(AnswerTally).count() == 1
        assert session.query(ResponseTally).count() == 1
    answer(review, "web-o-new", ["yes"])
    [result] = exported(code="OLD-234")
    assert result.responses == 6 and result.questions[0].counts["yes"] == 6


def test_filters_by_review_charter_and_period(database, capsys):
    make_review("MAR-234", "2026-03-10")
    make_review("JUN-234", "2026-06-10")
    assert [r.code for r in exported(since=date(2026, 4, 1))] == ["JUN-234"]
    assert [r.code for r in exported(until=date(2026, 4, 1))] == ["MAR-234"]
    assert exported(charter="halton") == []
    assert main(["export", "--format", "json", "--since", "2026-06-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in data["reviews"]] == ["JUN-234"] and data["min_group"] == 5
    assert main(["export", "--review", "NOP-234"]) == 1
    assert "No review with the code NOP-234" in capsys.readouterr().err
    assert main(["export", "--since", "2026-07-01", "--until", "2026-01-01"]) == 2
    with pytest.raises(SystemExit):
        main(["export", "--since", "last tuesday"])


def test_copro_export_writes_a_file(database, tmp_path, capsys):
    make_review("FIL-234")
    out = tmp_path / "feedback.csv"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    assert "Wrote 1 reviews" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["review"] for r in rows} == {"FIL-234"}


def test_people_by_role_and_channel_are_suppressed_like_the_answers(database):
    review = make_review("ROL-234")
    for n in range(6):
        answer(review, f"web-r-{n}", ["yes"], channel="web" if n < 5 else "telegram")
    [result] = exported(code="ROL-234")
    assert result.by_role == {"parent_carer": 6, "young_person": 0, "practitioner": 0, "unknown": 0}
    # 5 on the web and 1 on Telegram: the 1 is withheld, and the 5 with it.
    assert result.by_channel == {"web": None, "telegram": None, "rest": 0}
    few = make_review("FEW-345")
    answer(few, "web-f", ["yes"])
    [hidden] = exported(code="FEW-345")
    assert hidden.by_role is None and hidden.by_channel is None


def test_the_xlsx_export_has_a_readme_and_parses_back(database, tmp_path, capsys):
    from openpyxl import load_workbook

    review = make_review("XLS-234")
    with unit_of_work() as session:
        repository.review_by_code(session, review).title = "@SUM(A1:A9)"
    for n in range(6):
        answer(review, f"web-x-{n}", ["yes"])
    out = tmp_path / "feedback.xlsx"
    assert main(["export", "--format", "xlsx"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == [
        "Readme",
        "Questions",
        "Principles",
        "Ladder gap",
        "People by role",
        "People by channel",
    ]
    readme = " ".join(str(row[0].value) for row in book["Readme"].iter_rows())
    assert "fewer than 5 people" in readme and "from 1 to 4 is withheld" in readme
    rows = list(book["Questions"].iter_rows(values_only=True))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:4] == ("review", "title", "charter", "responses")
    assert (first["review"], first["title"], first["yes"], first["responses"]) == (
        "XLS-234",
        "'@SUM(A1:A9)",
        6,
        6,
    )
    roles = list(book["People by role"].iter_rows(values_only=True))
    assert dict(zip(roles[0], roles[1], strict=True))["parent_carer"] == 6


def test_control_characters_kept_from_before_never_break_the_xlsx_export(database, tmp_path):
    """Rows saved before text was cleaned on the way in: the workbook still opens."""
    from openpyxl import load_workbook

    from bot.store.models import ReviewUpdate

    review = make_review("VTB-234")
    for n in range(5):
        answer(review, f"web-v-{n}", ["yes"])
    with unit_of_work() as session:
        found = repository.review_by_code(session, review)
        found.title = "Bad\x0btitle\x00"
        session.add(ReviewUpdate(review_id=found.id, text="We moved\x0b rooms\x1b"))
    out = tmp_path / "feedback.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    book = load_workbook(out)
    [row] = list(book["You said, we did"].iter_rows(values_only=True))[1:]
    assert row[1] == "Badtitle" and row[3] == "We moved rooms"


def test_principles_add_up_the_answers_to_their_questions(database):
    review = make_review("PRI-234")
    # Wirral: "place" and "time" are both about value_and_include.
    for n in range(6):
        answer(review, f"web-p-{n}", ["yes", "yes", "no" if n < 3 else "yes"])
    [result] = exported(code="PRI-234")
    by_id = {p.id: p for p in result.principles}
    assert by_id["welcome_and_care"].counts == {**COUNTS, "yes": 6}
    include = by_id["value_and_include"]
    # 9 yes (6 + 3) and 3 no: the 3 is small, and the 9 is withheld with it.
    assert include.counts == {**COUNTS, "yes": None, "no": None}
    assert include.withheld == ["yes", "no"]
    data = json.loads(export_json([result], 5))
    assert {p["id"] for p in data["reviews"][0]["principles"]} == set(by_id)


def test_comments_only_when_asked_redacted_and_only_for_big_enough_groups(database, capsys):
    from bot.store import pledges

    big, small = make_review("COM-234"), make_review("COM-345")
    with unit_of_work() as session:
        pledges.sign_pledge(
            session,
            pseudonym="web-m-0",
            channel="web",
            charter="wirral",
            kind="parents_and_carers",
            first_name="Priya",
        )
    for n in range(5):
        answer(big, f"web-m-{n}", ["yes"])
    with unit_of_work() as session:
        review = repository.review_by_code(session, big)
        for n, words in enumerate(
            [
                "Priya here, ring me on 07700 900123",
                "email jo@example.org or see www.example.org",
                "we live at CH41 6RT",
                "my name is Sam and the tea was nice",
            ]
        ):
            ref = repository.start_or_resume(session, review, f"web-m-{n}", "web")
            repository.add_comment(session, ref.response_id, QUESTIONS[0].id, words)
    for n in range(2):
        answer(small, f"web-s-{n}", ["no"])  # "my name is Sam" comments, in a group of 2
    assert main(["export", "--format", "json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert all("comments" not in r for r in plain["reviews"])
    assert main(["export", "--format", "json", "--comments"]) == 0
    data = {r["code"]: r for r in json.loads(capsys.readouterr().out)["reviews"]}
    words = [c["words"] for c in data["COM-234"]["comments"]]
    assert words == sorted(words)
    assert set(words) == {
        "[name] here, ring me on [phone]",
        "email [email] or see [link]",
        "we live at [postcode]",
        "my name is [name] and the tea was nice",
    }
    assert "comments" not in data["COM-345"] and all(
        q.get("suppressed") for q in data["COM-345"]["questions"]
    )
    assert main(["export", "--format", "csv", "--comments"]) == 2
    assert "json or xlsx" in capsys.readouterr().err


@pytest.mark.parametrize(
    "level, raw, total, families, withheld, gap",
    [
        # Staff said consulting (done for, step 1); 6 said with us (2), 2 for us (1): withheld.
        (
            "consulting",
            {"doing_to": 0, "doing_for": 2, "doing_with": 6, "not_sure": 0},
            8,
            {"doing_to": 0, "doing_for": None, "doing_with": None, "not_sure": 0},
            ["doing_for", "doing_with"],
            None,
        ),
        # Every count shown: 5 to us (0), 5 with us (2): average 1.0, staff co-producing (2).
        (
            "co-producing",
            {"doing_to": 5, "doing_for": 0, "doing_with": 5, "not_sure": 0},
            10,
            {"doing_to": 5, "doing_for": 0, "doing_with": 5, "not_sure": 0},
            [],
            -1.0,
        ),
        # Families put it higher than staff: 6 for us (1), 6 with us (2) = 1.5 over 0.
        (
            "instructing",
            {"doing_to": 0, "doing_for": 6, "doing_with": 6, "not_sure": 5},
            17,
            {"doing_to": 0, "doing_for": 6, "doing_with": 6, "not_sure": 5},
            [],
            1.5,
        ),
        # Too few people: nothing shown.
        (
            "consulting",
            {"doing_to": 0, "doing_for": 4, "doing_with": 0, "not_sure": 0},
            4,
            None,
            [],
            None,
        ),
    ],
)
def test_the_ladder_gap_is_shown_only_when_nothing_is_withheld(
    level, raw, total, families, withheld, gap
):
    from bot.staff.export import ladder_result

    result = ladder_result(level, raw, total, 5)
    assert (result.families, result.withheld, result.gap) == (families, withheld, gap)
    assert result.staff_level == level


def test_a_review_with_no_level_and_no_places_has_no_ladder():
    from bot.staff.export import ladder_result

    assert (
        ladder_result(
            None, dict.fromkeys(("doing_to", "doing_for", "doing_with", "not_sure"), 0), 9, 5
        )
        is None
    )


def test_the_exports_carry_the_ladder_gap(database, tmp_path, capsys):
    code = make_review("LDG-234")  # staff placed it at consulting: done for (step 1)
    for n in range(6):
        answer(code, f"web-ladder-{n}", ["yes"])
        with unit_of_work() as session:
            ref = repository.start_or_resume(
                session, repository.review_by_code(session, code), f"web-ladder-{n}", "web"
            )
            repository.record_answer(session, ref.response_id, "ladder", "doing_with", "web")
    [review] = json.loads(export_json(exported(code=code), 5))["reviews"]
    assert review["ladder"] == {
        "staff_level": "consulting",
        "staff_place": "doing_for",
        "families": {"doing_to": 0, "doing_for": 0, "doing_with": 6, "not_sure": 0},
        "withheld": [],
        "gap": 1.0,
    }
    out = tmp_path / "ladder.xlsx"
    assert main(["export", "--format", "xlsx", "--review", code, "--out", str(out)]) == 0
    from openpyxl import load_workbook

    rows = list(load_workbook(out)["Ladder gap"].iter_rows(values_only=True))
    assert rows[1] == (code, f"Meeting {code}", "consulting", "doing_for", 0, 0, 6, 0, 1, "no")


def only_started(review: str, sender: str, channel: str = "web", role: str | None = None) -> None:
    """Someone who opened the review (and perhaps said who they are) but answered nothing."""
    with unit_of_work() as session:
        found = repository.review_by_code(session, review)
        repository.start_or_resume(session, found, sender, channel)
        if role is not None:
            repository.set_profile(session, sender, channel, role=role)


def place_on_ladder(review: str, sender: str, place: str) -> None:
    with unit_of_work() as session:
        found = repository.review_by_code(session, review)
        ref = repository.start_or_resume(session, found, sender, "web")
        repository.record_answer(session, ref.response_id, "ladder", place, "web")


def test_people_who_answered_nothing_never_make_up_the_group(database, capsys):
    """As found: 3 answered and 2 only started; 'answers from 5 people' unlocked the words of 3."""
    review = make_review("EMP-234")
    for n in range(3):
        answer(review, f"web-e-{n}", ["no", "yes"])  # "no" comes with words
    only_started(review, "web-e-role", role="parent_carer")
    only_started(review, "web-e-nothing")  # never even said who they are
    [result] = exported(code="EMP-234", comments=True)
    assert result.responses is None
    assert all(q.suppressed for q in result.questions)
    assert result.by_role is None and result.by_channel is None
    assert result.comments is None
    assert main(["export", "--format", "json", "--review", review, "--comments"]) == 0
    [item] = json.loads(capsys.readouterr().out)["reviews"]
    assert item["responses"] is None and item["responses_fewer_than"] == 5
    assert "comments" not in item
    assert main(["export", "--format", "csv", "--review", review]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {row["responses"] for row in rows} == {"fewer than 5"}


def test_five_who_answered_count_five_whoever_else_only_started(database):
    review = make_review("FIV-234")
    for n in range(5):
        answer(review, f"web-five-{n}", ["yes"])
    only_started(review, "telegram-five-role", channel="telegram", role="young_person")
    only_started(review, "web-five-nothing")
    [result] = exported(code="FIV-234")
    assert result.responses == 5
    assert result.questions[0].counts == {**COUNTS, "yes": 5}
    assert result.by_role == {"parent_carer": 5, "young_person": 0, "practitioner": 0, "unknown": 0}
    assert result.by_channel == {"web": 5, "telegram": 0, "rest": 0}
    assert json.loads(export_json([result], 5))["reviews"][0]["responses"] == 5


def test_a_skip_counts_as_an_answer_and_a_ladder_place_alone_does_not(database):
    review = make_review("SKP-234")  # staff placed it at consulting
    for n in range(4):
        answer(review, f"web-k-{n}", ["yes"])
        place_on_ladder(review, f"web-k-{n}", "doing_with")
    answer(review, "web-k-skipper", ["skipped"])
    place_on_ladder(review, "web-k-skipper", "doing_with")
    place_on_ladder(review, "web-k-ladder-only", "doing_to")
    [result] = exported(code="SKP-234")
    assert result.responses == 5
    # 4 yes and 1 skipped: both small, both withheld; the ladder place alone is not a person.
    assert result.questions[0].withheld == ["yes", "skipped"]
    assert result.ladder.families == {"doing_to": 0, "doing_for": 0, "doing_with": 5, "not_sure": 0}
