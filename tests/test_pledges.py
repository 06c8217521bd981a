"""Pledges in the store, the register built from them, and its CSV, JSON and web page."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone

import httpx
import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.cli import main
from bot.reports.cells import safe_cell
from bot.reports.register import CharterRegister, build_register, register_csv, register_json
from bot.server import create_app
from bot.settings import Settings
from bot.store import pledges, repository
from bot.store.db import unit_of_work
from bot.store.models import Pledge

PARENT = "web-parent"
OFFICER = "telegram-officer"


def sign(kind: str, pseudonym: str = PARENT, charter: str = "birmingham", **details):
    with unit_of_work() as session:
        return pledges.sign_pledge(
            session, pseudonym=pseudonym, channel="web", charter=charter, kind=kind, **details
        )


def sign_council(pseudonym: str = OFFICER, name: str = "Birmingham City Council"):
    return sign(
        "organisation",
        pseudonym,
        organisation=name,
        representative="Asha Khan",
        representative_role="Head of SEND",
    )


def rows() -> list[Pledge]:
    with unit_of_work() as session:
        return list(session.scalars(select(Pledge).order_by(Pledge.id)))


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("  Birmingham   City Council ", "Birmingham City Council"),
        ("St Mary's C of E School", "St Mary's C of E School"),
        ("Smith & Sons Care", "Smith & Sons Care"),
        ("Café Ünïcode 😊 Group", "Café Ünïcode 😊 Group"),
    ],
)
def test_names_are_tidied(typed, expected):
    assert pledges.clean_name(typed) == expected


@pytest.mark.parametrize(
    "typed,problem",
    [
        ("", "blank"),
        ("   \n\t ", "blank"),
        ("😀😀🎉", "no_letters"),
        ("!!! ???", "no_letters"),
        ("<script>alert(1)</script>", "markup"),
        ("<b>Council</b>", "markup"),
        ("A" * 2000, "too_long"),
        ("Council " * 30, "too_long"),
    ],
)
def test_names_that_cannot_be_saved_say_why(typed, problem):
    with pytest.raises(pledges.NameProblem) as raised:
        pledges.clean_name(typed)
    assert str(raised.value) == problem


@pytest.mark.parametrize(
    "typed,first",
    [
        ("Sam", "Sam"),
        ("Sam Jones", "Sam"),
        ("my name is Priya Patel", "Priya"),
        ("I'm Jo.", "Jo"),
        ("  zoë  ", "zoë"),
    ],
)
def test_families_keep_only_a_first_name(typed, first):
    assert pledges.clean_first_name(typed) == first


def test_an_organisation_pledge_is_saved_with_its_details(database):
    signed = sign_council()
    assert not signed.already
    [row] = rows()
    assert (row.charter, row.signer_kind, row.channel) == ("birmingham", "organisation", "web")
    assert (row.organisation, row.representative, row.representative_role) == (
        "Birmingham City Council",
        "Asha Khan",
        "Head of SEND",
    )
    assert row.first_name is None and row.withdrawn_at is None
    assert row.signed_at.date() == datetime.now(timezone.utc).date()


def test_a_family_pledge_never_keeps_organisation_details(database):
    sign("parents_and_carers", first_name="Sam", organisation="Ignored", representative="x")
    [row] = rows()
    assert row.first_name == "Sam"
    assert row.organisation is None and row.representative is None


def test_signing_the_same_pledge_twice_keeps_one(database):
    first = sign("young_people")
    again = sign("young_people")
    assert again.already and again.pledge_id == first.pledge_id
    sign_council()
    # The same organisation, typed differently by someone else: still one pledge.
    assert sign_council("web-colleague", "  birmingham city COUNCIL. ").already
    assert len(rows()) == 2
    # A different charter or kind is a different pledge.
    assert not sign("young_people", charter="wirral").already
    assert not sign("parents_and_carers").already
    assert len(rows()) == 4


def test_the_database_refuses_a_second_active_pledge_even_if_asked_directly(database):
    sign("young_people")
    with pytest.raises(IntegrityError):
        with unit_of_work() as session:
            session.add(
                Pledge(
                    pseudonym=PARENT,
                    channel="web",
                    charter="birmingham",
                    signer_kind="young_people",
                    signer_key=pledges.signer_key("young_people", PARENT, None),
                )
            )


def test_withdrawing_keeps_the_pledge_with_a_date_and_allows_signing_again(database):
    signed = sign("parents_and_carers")
    with unit_of_work() as session:
        assert pledges.withdraw_pledge(session, "web-someone-else", signed.pledge_id) is None
        withdrawn = pledges.withdraw_pledge(session, PARENT, signed.pledge_id)
        assert withdrawn is not None and withdrawn.withdrawn_at is not None
        assert pledges.withdraw_pledge(session, PARENT, signed.pledge_id) is None
        assert pledges.pledges_of(session, PARENT) == []
        assert len(pledges.pledges_of(session, PARENT, active_only=False)) == 1
    again = sign("parents_and_carers")
    assert not again.already
    assert [r.withdrawn_at is None for r in rows()] == [False, True]


def test_the_register_lists_organisations_and_counts_families(database):
    council = sign_council()
    sign(
        "parent_carer_forum",
        "web-forum",
        organisation="Birmingham Parent Carer Forum",
        representative="Lee",
        representative_role="Chair",
    )
    sign("parents_and_carers", "web-p1", first_name="Sam")
    sign("parents_and_carers", "web-p2")
    sign("young_people", "web-y1", first_name="Jo")
    withdrawn = sign("young_people", "web-y2")
    with unit_of_work() as session:
        pledges.withdraw_pledge(session, "web-y2", withdrawn.pledge_id)
        pledges.withdraw_pledge(session, OFFICER, council.pledge_id)
        [register] = build_register(session, "birmingham", min_group=1)
    assert [(s.organisation, s.status) for s in register.signatories] == [
        ("Birmingham City Council", "withdrawn"),
        ("Birmingham Parent Carer Forum", "active"),
    ]
    assert register.signatories[0].withdrawn_on == date.today().isoformat()
    assert register.family_pledges == {"parents_and_carers": 2, "young_people": 1}
    text = register_json([register]) + register_csv([register])
    for private in ("Sam", "Jo", "web-p1", "web-y1", PARENT):
        assert private not in text


def test_small_family_pledge_counts_are_never_shown_exactly(database):
    for n in range(5):
        sign("parents_and_carers", f"web-many-{n}")
    sign("young_people", "web-one")
    with unit_of_work() as session:
        [register] = build_register(session, "birmingham", min_group=5)
    assert register.family_pledges == {"parents_and_carers": 5, "young_people": None}
    data = json.loads(register_json([register]))["charters"][0]
    assert data["family_pledges"] == {"parents_and_carers": 5, "young_people": None}
    assert data["family_pledges_withheld"] == ["young_people"]
    rows = list(csv.DictReader(io.StringIO(register_csv([register]))))
    assert {r["kind"]: r["pledges"] for r in rows} == {
        "parents_and_carers": "5",
        "young_people": "fewer than 5",
    }


def test_register_csv_and_json_match_the_stored_rows(database, capsys):
    sign_council()
    sign("parents_and_carers", "web-p1")
    assert main(["pledges", "--format", "csv", "--charter", "birmingham"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    [row] = rows()[:1]
    assert table[0] == {
        "charter": "birmingham",
        "kind": "organisation",
        "organisation": row.organisation,
        "representative": row.representative,
        "role": row.representative_role,
        "signed_on": row.signed_at.date().isoformat(),
        "status": "active",
        "withdrawn_on": "",
        "pledges": "1",
    }
    assert {(r["kind"], r["pledges"]) for r in table[1:]} == {
        ("parents_and_carers", "fewer than 5"),
        ("young_people", "0"),
    }
    assert main(["pledges", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["charter"] for c in data["charters"]] == [
        "birmingham",
        "halton",
        "warrington",
        "wirral",
        "wokingham",
    ]
    [signatory] = data["charters"][0]["signatories"]
    assert signatory["organisation"] == "Birmingham City Council"
    assert signatory["representative"] == "Asha Khan"


def test_an_unknown_charter_gets_a_clear_message(database, capsys):
    assert main(["pledges", "--charter", "atlantis"]) == 2
    assert "atlantis" in capsys.readouterr().err


def registers_on(day: date) -> dict[str, CharterRegister]:
    with unit_of_work() as session:
        return {r.charter: r for r in build_register(session, today=day, min_group=1)}


def test_birmingham_s_framework_is_reviewed_six_months_after_the_first_signature_then_yearly(
    database,
):
    # Before anyone signs, there is nothing to review yet.
    assert registers_on(date(2025, 1, 1))["birmingham"].framework_review_due is None
    sign_council()
    sign("organisation", "web-s", organisation="Bordesley Primary School")
    sign("organisation", "web-w", charter="wirral", organisation="Wirral Council")
    january, march = (
        datetime(2025, month, day, tzinfo=timezone.utc) for month, day in [(1, 15), (3, 2)]
    )
    with unit_of_work() as session:
        rows_in_order = session.scalars(select(Pledge).order_by(Pledge.id))
        for row, when in zip(rows_in_order, [january, march, january], strict=True):
            row.signed_at = when
    before = registers_on(date(2025, 7, 14))
    # One clock for the charter, from its first signature; not one per signer.
    assert before["birmingham"].framework_review_due == "2025-07-15"
    assert not before["birmingham"].framework_review_overdue
    # Wirral's charter sets no review clock.
    assert before["wirral"].framework_review_due is None
    assert registers_on(date(2025, 7, 15))["birmingham"].framework_review_overdue
    with unit_of_work() as session:
        pledges.record_framework_review(
            session, "birmingham", datetime(2025, 7, 20, tzinfo=timezone.utc)
        )
    after = registers_on(date(2026, 7, 19))["birmingham"]
    assert (after.framework_review_due, after.framework_review_overdue) == ("2026-07-20", False)


def test_a_framework_review_is_recorded_from_the_command_line(database, capsys):
    sign_council()
    assert main(["pledges", "--framework-reviewed", "birmingham"]) == 0
    assert "Birmingham charter's framework is recorded today" in capsys.readouterr().out
    due = registers_on(date.today())["birmingham"].framework_review_due
    assert due == (date.today() + relativedelta(months=12)).isoformat()
    assert main(["pledges", "--framework-reviewed", "atlantis"]) == 2
    assert "atlantis" in capsys.readouterr().err
    assert main(["pledges", "--format", "json", "--charter", "birmingham"]) == 0
    [charter] = json.loads(capsys.readouterr().out)["charters"]
    assert charter["framework_review"] == {"due": due, "overdue": False}


@pytest.mark.parametrize(
    "value,safe",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 7700", "'+44 7700"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        # A carriage return becomes a new line (text is cleaned), which no program runs.
        ("\rCR", "\nCR"),
        ("\x0bVT", "VT"),
        ("Council", "Council"),
        (3, 3),
    ],
)
def test_spreadsheet_formulas_are_neutralised(value, safe):
    assert safe_cell(value) == safe


def test_the_register_csv_neutralises_formulas_typed_as_names(database):
    sign("organisation", OFFICER, organisation="=cmd|' /C calc'!A0", representative="@Bob")
    with unit_of_work() as session:
        text = register_csv(build_register(session, "birmingham", min_group=1))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["organisation"] == "'=cmd|' /C calc'!A0"
    assert row["representative"] == "'@Bob"


def test_forgetting_a_person_deletes_family_pledges_and_anonymises_organisation_ones(database):
    sign_council()
    sign("young_people", OFFICER, first_name="Jo")
    with unit_of_work() as session:
        forgotten = repository.forget_person(session, OFFICER)
    assert (forgotten.pledges_deleted, forgotten.pledges_anonymised) == (1, 1)
    [kept] = rows()
    assert kept.organisation == "Birmingham City Council"
    assert (kept.pseudonym, kept.representative, kept.representative_role) == (None, None, None)
    with unit_of_work() as session:
        [register] = build_register(session, "birmingham", min_group=1)
        assert repository.held_about(session, OFFICER).empty
    assert register.signatories[0].representative.startswith("(name removed")


async def test_the_register_page_shows_signatories_and_escapes_what_people_typed(database):
    sign_council()
    sign("organisation", "web-x", organisation="Smith & Sons")
    with unit_of_work() as session:
        session.add(
            Pledge(
                pseudonym="web-y",
                channel="web",
                charter="wirral",
                signer_kind="organisation",
                signer_key="org:html",
                organisation='<script>alert("x")</script>',
            )
        )
    sign("parents_and_carers", "web-p1", first_name="Secretname")
    app = create_app(Settings(secret_key="s", database_url=database))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get("/pledges")
        data = await client.get("/pledges.json")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Birmingham City Council" in html and "Asha Khan" in html and "Head of SEND" in html
    assert "Smith &amp; Sons" in html
    today = date.today()
    assert f"<td>{today.day} {today:%B %Y}</td>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)" in html
    # One family pledge: a small number, never shown exactly.
    assert "Fewer than 5 parents and carers have signed." in " ".join(html.split())
    assert "Secretname" not in html and "web-p1" not in html
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert data.status_code == 200
    names = [s["organisation"] for c in data.json()["charters"] for s in c["signatories"]]
    assert "Birmingham City Council" in names


async def test_the_register_page_says_kindly_when_the_store_is_down(tmp_path):
    app = create_app(Settings(secret_key="s", database_url=f"sqlite:///{tmp_path}/no/such.db"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get("/pledges")
        data = await client.get("/pledges.json")
    assert page.status_code == 503 and "try again later" in page.text
    assert data.status_code == 503


# ---- Names on the public register: one form, one alphabet a word, no look-alikes ---------


@pytest.mark.parametrize(
    "typed",
    [
        "Wirral C\u043euncil",  # a Cyrillic о
        "Birmingham \u0421ity Council",  # a Cyrillic С
        "P\u03b1rent Carer Forum",  # a Greek α
        "\u0412irmingham",  # a Cyrillic В
    ],
)
def test_a_word_that_mixes_alphabets_is_refused(typed):
    with pytest.raises(pledges.NameProblem) as raised:
        pledges.clean_name(typed)
    assert str(raised.value) == "mixed_script"


@pytest.mark.parametrize(
    "typed,kept",
    [
        ("انجمن والدین بیرمنگام", "انجمن والدین بیرمنگام"),  # Urdu
        ("Stowarzyszenie Rodziców Łódź", "Stowarzyszenie Rodziców Łódź"),  # Polish
        ("Ελληνική Κοινότητα", "Ελληνική Κοινότητα"),  # Greek, wholly
        ("Wirral Рада", "Wirral Рада"),  # two words, one alphabet each
        ("東京都 トヨタ自動車", "東京都 トヨタ自動車"),  # Japanese writes three scripts together
        ("\uff37\uff49\uff52\uff52\uff41\uff4c Council", "Wirral Council"),  # full-width letters
        ("Wirral\u200b Coun\u200dcil\u202e", "Wirral Council"),  # invisible characters
        ("\U0001d416irral Council", "Wirral Council"),  # a mathematical bold W
    ],
)
def test_names_in_one_alphabet_a_word_are_kept_in_one_form(typed, kept):
    assert pledges.clean_name(typed) == kept


@pytest.mark.parametrize(
    "lookalike",
    [
        "Birmingham City Counci1",  # the digit one for a small L
        "BIRMINGHAM CITY C0UNCIL",  # the digit zero for O
        "\u0410\u0441\u0435 \u0421\u0430\u0433\u0435",  # "Асе Саге": Cyrillic, wholly
    ],
)
def test_a_name_that_only_looks_like_one_on_the_register_is_refused(database, lookalike):
    sign_council()
    sign("organisation", "web-ace", organisation="Ace Care")
    existing = "Ace Care" if lookalike.startswith("\u0410") else "Birmingham City Council"
    with unit_of_work() as session:
        assert pledges.lookalike_organisation(session, lookalike) == existing
    with pytest.raises(pledges.LookalikeName) as raised:
        sign("organisation", "web-spoof", organisation=lookalike)
    assert str(raised.value) == "lookalike" and raised.value.existing == existing
    assert [row.organisation for row in rows()] == ["Birmingham City Council", "Ace Care"]


def test_the_same_organisation_written_differently_is_the_same_signer(database):
    sign_council()
    with unit_of_work() as session:
        assert pledges.lookalike_organisation(session, "birmingham  city COUNCIL") is None
    assert sign_council("web-colleague", "birmingham  city COUNCIL").already
    assert sign("organisation", "web-other", organisation="Birmingham City Councillors")
    assert len(rows()) == 2


def test_a_lookalike_saved_before_the_check_never_blocks_the_real_name(database):
    with unit_of_work() as session:
        session.add(
            Pledge(
                pseudonym="web-old",
                channel="web",
                charter="birmingham",
                signer_kind="organisation",
                signer_key="org:spoof",
                organisation="Birmingham City C\u043euncil",
            )
        )
    assert not sign_council().already
