"""Quality indicators: staff's self-assessment of organisations (store, report, dashboard, CLI)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.cli import main
from bot.content import get_pack
from bot.server import create_app
from bot.staff import accounts, quality, quality_files, quality_sums
from bot.store import repository
from bot.store.db import engine_for, unit_of_work
from bot.store.staff_models import QualityAssessment, QualityNextSteps, QualityRating
from tests import test_store
from tests.test_dashboard import NAME, PNG, Tables, add_account, log_in, post, settings_for

store_url = test_store.store_url  # SQLite, and PostgreSQL when it is there

PACK = get_pack("wokingham")
HEADINGS = {h.principle: h for h in PACK.quality_indicators}
STATEMENTS = {p: [s.id for s in h.statements] for p, h in HEADINGS.items()}
WELCOME, VALUED, TIMELY, TOGETHER = STATEMENTS.values()
ALL_IDS = [i for ids in STATEMENTS.values() for i in ids]
ORG = "Wokingham SEND Team"
FIRST, SECOND = "2025-03-01", "2025-09-01"


def scores(values: dict[str, object]) -> dict[str, dict[str, object]]:
    return {indicator: {"score": score} for indicator, score in values.items()}


def count(model) -> int:
    with unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(model))


def nothing_saved() -> bool:
    return (count(QualityAssessment), count(QualityRating), count(QualityNextSteps)) == (0, 0, 0)


def save(organisation=ORG, assessed_on=FIRST, ratings=None, steps=None, **extra) -> int:
    with unit_of_work() as session:
        return quality.save_assessment(
            session,
            "wokingham",
            organisation,
            assessed_on,
            ratings if ratings is not None else scores({WELCOME[0]: 7}),
            steps,
            **extra,
        )


# ---- Saving and checking ---------------------------------------------------------------------


def test_an_assessment_is_saved_and_read_back(database):
    ratings = {
        WELCOME[0]: {"score": "7", "going_well": "  The forum says so.\r\nMinutes show it.  "},
        WELCOME[1]: {"score": 0, "could_be_better": "Agendas late."},
        VALUED[0]: {"score": "", "going_well": "A note, no score."},
        TIMELY[0]: {"score": None, "going_well": "", "could_be_better": "   "},
    }
    steps = {"welcome_care_respect": {"needs_now": "Send agendas a week ahead.", "involves": ""}}
    assessment_id = save("  Wokingham SEND Team  ", "2025-03-01", ratings, steps)
    with unit_of_work() as session:
        saved = session.get(QualityAssessment, assessment_id)
        assert (saved.charter, saved.organisation, saved.assessed_on) == (
            "wokingham",
            ORG,
            "2025-03-01",
        )
        assert saved.staff_account_id is None and saved.created_at is not None
        rows = {
            r.indicator_id: (r.score, r.going_well, r.could_be_better)
            for r in session.scalars(select(QualityRating))
        }
        steps_saved = session.scalars(select(QualityNextSteps)).all()
    # Trimmed, CR LF as a new line; a statement with nothing in it is not stored.
    assert rows == {
        WELCOME[0]: (7, "The forum says so.\nMinutes show it.", None),
        WELCOME[1]: (0, None, "Agendas late."),
        VALUED[0]: (None, "A note, no score.", None),
    }
    assert [(s.principle, s.needs_now, s.involves, s.how_coproduced) for s in steps_saved] == [
        ("welcome_care_respect", "Send agendas a week ahead.", None, None)
    ]
    with unit_of_work() as session:
        report = quality_sums.organisation_report(session, "wokingham send team")
    assert report.organisation == ORG and [c.assessed_on for c in report.assessments] == [FIRST]
    welcome = report.headings[0]
    assert welcome.statements[0].latest == quality_sums.Rated(
        7, "The forum says so.\nMinutes show it.", None
    )
    assert welcome.statements[2].latest == quality_sums.NOT_RATED
    assert welcome.averages[0] == quality_sums.Average(Decimal("3.5"), 2)
    assert welcome.next_steps[0].needs_now == "Send agendas a week ahead."
    assert report.headings[1].averages[0] == quality_sums.Average(None, 0)


# Two days ahead, not one: the cases are made when the tests are collected, and
# a run that passes midnight would see "tomorrow" become today.
A_FUTURE_DAY = (date.today() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    "change,field,words",
    [
        ({"organisation": "   "}, "organisation", "Give the name of the organisation"),
        ({"organisation": "x" * 201}, "organisation", "keep it to 200 characters"),
        ({"organisation": "Two\nlines"}, "organisation", "on one line"),
        ({"assessed_on": A_FUTURE_DAY}, "assessed_on", "cannot be in the future"),
        ({"assessed_on": "20/11/2025"}, "assessed_on", "a date like 2026-11-20"),
        ({"assessed_on": "2025-02-30"}, "assessed_on", "a date like 2026-11-20"),
        ({"assessed_on": ""}, "assessed_on", "a date like 2026-11-20"),
        ({"ratings": scores({WELCOME[0]: "11"})}, f"score-{WELCOME[0]}", "from 0 to 10"),
        ({"ratings": scores({WELCOME[0]: "-1"})}, f"score-{WELCOME[0]}", "from 0 to 10"),
        ({"ratings": scores({WELCOME[0]: "x"})}, f"score-{WELCOME[0]}", "from 0 to 10"),
        ({"ratings": scores({WELCOME[0]: 11})}, f"score-{WELCOME[0]}", "from 0 to 10"),
        ({"ratings": scores({WELCOME[0]: -1})}, f"score-{WELCOME[0]}", "from 0 to 10"),
        ({"ratings": scores({WELCOME[0]: "7.5"})}, f"score-{WELCOME[0]}", "whole number"),
        ({"ratings": scores({WELCOME[0]: True})}, f"score-{WELCOME[0]}", "whole number"),
        ({"ratings": scores({"flying_pigs": 5})}, "indicator", "nothing called 'flying_pigs'"),
        (
            {"ratings": scores({WELCOME[0]: 5}), "steps": {"kindness": {"needs_now": "x"}}},
            "indicator",
            "nothing called 'kindness'",
        ),
        (
            {"ratings": {WELCOME[0]: {"score": 5, "going_well": "a" * 2001}}},
            f"going_well-{WELCOME[0]}",
            "is too long: 2,001 characters. Keep it to 2,000.",
        ),
        (
            {"ratings": {TOGETHER[3]: {"could_be_better": "b" * 2500}}},
            f"could_be_better-{TOGETHER[3]}",
            'What could be better? ("Partners work well together',
        ),
        (
            {"steps": {"working_together": {"how_coproduced": "c" * 2001}}},
            "how_coproduced-working_together",
            "next steps for WORKING TOGETHER: the best outcome) is too long",
        ),
        ({"ratings": {}}, "ratings", "Rate at least one statement, or write a note"),
        ({"ratings": scores({WELCOME[0]: ""})}, "ratings", "Rate at least one statement"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(
    database, change, field, words
):
    with pytest.raises(quality.QualityProblem) as refused:
        save(**change)
    assert field in refused.value.problems, refused.value.problems
    assert words in refused.value.problems[field]
    assert words in str(refused.value)
    assert nothing_saved()


def test_every_bad_field_is_named_at_once(database):
    with pytest.raises(quality.QualityProblem) as refused:
        save("", A_FUTURE_DAY, scores({WELCOME[0]: "11", VALUED[2]: "x", TIMELY[6]: 4}))
    assert list(refused.value.problems) == [
        "organisation",
        "assessed_on",
        f"score-{WELCOME[0]}",
        f"score-{VALUED[2]}",
    ]
    assert nothing_saved()


def test_an_unknown_charter_or_one_without_indicators_is_refused(database):
    for charter in ("atlantis", "wirral"):
        with pytest.raises(quality.QualityProblem) as refused:
            with unit_of_work() as session:
                quality.save_assessment(session, charter, ORG, FIRST, scores({WELCOME[0]: 1}))
        assert "have: wokingham" in refused.value.problems["charter"]
    assert nothing_saved()


def test_text_of_exactly_2000_characters_is_kept_even_with_browser_new_lines(database):
    typed = ("a" * 9 + "\r\n") * 199 + "a" * 10  # 2,000 characters once CR LF is a new line
    save(ratings={WELCOME[0]: {"going_well": typed}})
    with unit_of_work() as session:
        kept = session.scalar(select(QualityRating.going_well))
    assert len(kept) == 2000 and "\r" not in kept


def test_today_is_allowed_and_one_assessment_per_organisation_and_date(database):
    today = date.today().isoformat()
    save(assessed_on=today)
    with pytest.raises(quality.QualityProblem) as refused:
        save("WOKINGHAM   send team", today)  # the same organisation, however it is typed
    assert "already has an assessment on" in refused.value.problems["assessed_on"]
    save("Another Org", today)
    assert count(QualityAssessment) == 2


def test_a_removed_staff_account_leaves_its_assessments(database):
    add_account()
    with unit_of_work() as session:
        member_id = accounts.find(session, NAME).id
    assessment_id = save(staff_account_id=member_id)
    with unit_of_work() as session:
        assert accounts.remove_account(session, NAME)
    with unit_of_work() as session:
        assert session.get(QualityAssessment, assessment_id).staff_account_id is None
    assert count(QualityRating) == 1


# ---- Bands and averages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,words",
    [
        (0, "Emerging"),
        (3, "between Emerging and Established"),
        (5, "Established"),
        (7, "between Established and Embedded"),
        (10, "Embedded"),
        (1, "between Emerging and Established"),
        (4, "between Emerging and Established"),
        (6, "between Established and Embedded"),
        (9, "between Established and Embedded"),
        # Averages: rounded as shown (one decimal), then to a whole number.
        (Decimal("0.4"), "Emerging"),
        (Decimal("0.5"), "between Emerging and Established"),
        (Decimal("4.4"), "between Emerging and Established"),
        (Decimal("4.5"), "Established"),
        (Decimal("5.4"), "Established"),
        (Decimal("5.5"), "between Established and Embedded"),
        (Decimal("9.4"), "between Established and Embedded"),
        (Decimal("9.5"), "Embedded"),
        (None, None),
    ],
)
def test_band_words(value, words):
    assert quality.band(value) == words


def assess_twice(engine=None) -> None:
    """Two assessments of one organisation; the later one saved first."""
    later = {
        **scores({WELCOME[0]: 8, WELCOME[1]: 8, WELCOME[2]: 9, WELCOME[3]: 10}),
        **scores({VALUED[0]: 5, TIMELY[0]: 0, TOGETHER[1]: 10}),
        WELCOME[4]: {"going_well": "A note only: not in the average."},
    }
    earlier = {
        **scores({WELCOME[0]: 7, WELCOME[1]: 4, WELCOME[2]: 9}),
        **scores({VALUED[0]: 2, VALUED[1]: 3}),
        **scores({TOGETHER[0]: 10, TOGETHER[1]: 10, TOGETHER[2]: 5, TOGETHER[3]: 5}),
    }
    steps = {"respectful_and_timely": {"needs_now": "Reply within 10 days."}}
    for day, ratings, organisation in ((SECOND, later, ORG.upper()), (FIRST, earlier, ORG)):
        with unit_of_work(engine) as session:
            quality.save_assessment(session, "wokingham", organisation, day, ratings, steps)
    with unit_of_work(engine) as session:
        quality.save_assessment(session, "wokingham", "Other Org", FIRST, scores({VALUED[6]: 1}))


# Worked out by hand from assess_twice():
# first:  welcome (7 + 4 + 9) / 3 = 6.67 -> 6.7; valued (2 + 3) / 2 = 2.5; timely none;
#         together (10 + 10 + 5 + 5) / 4 = 7.5
# second: welcome (8 + 8 + 9 + 10) / 4 = 8.75 -> 8.8; valued 5.0; timely 0.0; together 10.0
EXPECTED_AVERAGES = {
    "welcome_care_respect": [("6.7", 3), ("8.8", 4)],
    "equally_valued_and_included": [("2.5", 2), ("5.0", 1)],
    "respectful_and_timely": [(None, 0), ("0.0", 1)],
    "working_together": [("7.5", 4), ("10.0", 1)],
}
EXPECTED_BANDS = {
    "welcome_care_respect": ["between Established and Embedded"] * 2,
    "equally_valued_and_included": ["between Emerging and Established", "Established"],
    "respectful_and_timely": [None, "Emerging"],
    "working_together": ["between Established and Embedded", "Embedded"],
}


def test_the_report_over_two_dates_on_both_stores(store_url):
    engine = engine_for(store_url)
    assess_twice(engine)
    with unit_of_work(engine) as session:
        report = quality_sums.organisation_report(session, "  wokingham send TEAM ")
        listed = quality_sums.list_organisations(session)
        assert quality_sums.organisation_report(session, "Nobody") is None
        assert quality_sums.organisation_report(session, ORG, "wirral") is None
    assert [c.assessed_on for c in report.assessments] == [FIRST, SECOND]
    # The name as typed in the latest assessment.
    assert report.organisation == ORG.upper() and report.charter == "wokingham"
    for h in report.headings:
        shown = [(None if a.value is None else f"{a.value:.1f}", a.rated) for a in h.averages]
        assert shown == EXPECTED_AVERAGES[h.principle], h.principle
        assert [a.band for a in h.averages] == EXPECTED_BANDS[h.principle]
    welcome = report.headings[0]
    assert [cell.score for cell in welcome.statements[0].cells] == [7, 8]
    assert [cell.score for cell in welcome.statements[3].cells] == [None, 10]
    assert welcome.statements[4].cells[1].going_well == "A note only: not in the average."
    assert [s.id for s in welcome.latest_notes] == [WELCOME[4]]
    assert report.headings[2].next_steps[1].needs_now == "Reply within 10 days."
    assert [(o.organisation, o.assessments, o.latest_on) for o in listed] == [
        ("Other Org", 1, FIRST),
        (ORG.upper(), 2, SECOND),
    ]
    assert [h.average.shown for h in listed[1].headings] == ["8.8", "5.0", "0.0", "10.0"]
    assert [h.average.shown for h in listed[0].headings] == ["Not rated", "1.0"] + ["Not rated"] * 2


def test_the_json_report_has_every_assessment(database):
    assess_twice()
    with unit_of_work() as session:
        data = quality_files.report_data(quality_sums.organisation_report(session, ORG))
    assert [a["assessed_on"] for a in data["assessments"]] == [FIRST, SECOND]
    first = data["assessments"][0]["headings"][0]
    assert (first["name"], first["average"], first["band"], first["rated"]) == (
        "WELCOME, CARE, RESPECT",
        6.7,
        "between Established and Embedded",
        3,
    )
    assert first["statements"][1] == {
        "id": WELCOME[1],
        "text": "Expectations are communicated clearly and with clarity",
        "score": 4,
        "band": "between Emerging and Established",
        "going_well": None,
        "could_be_better": None,
    }
    assert len(first["statements"]) == 7


# ---- The dashboard ---------------------------------------------------------------------------


@pytest.fixture
def app(database):
    add_account()
    return create_app(settings_for(database))


@pytest.fixture
def staff(app):
    with TestClient(app, base_url="http://testserver") as client:
        assert log_in(client).status_code == 303
        yield client


def filled_form(**fields) -> dict[str, str]:
    form = {"charter": "wokingham", "organisation": ORG, "assessed_on": FIRST}
    form.update({f"score-{i}": "" for i in ALL_IDS})
    form.update({f"{n}-{i}": "" for i in ALL_IDS for n in quality.NOTE_FIELDS})
    form.update({f"{n}-{p}": "" for p in STATEMENTS for n in quality.STEP_FIELDS})
    form.update(fields)
    return form


def test_the_form_has_a_fieldset_per_heading_and_statement_and_a_select_per_score(staff):
    page = staff.get("/staff/quality/new")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert 'name="csrftoken"' in html and 'value="wokingham"' in html
    assert html.count("<fieldset") == 4 + 25 + 4
    for h in PACK.quality_indicators:
        assert f"<legend><h2>{h.name.replace('&', '&amp;')}</h2></legend>" in html
        for s in h.statements:
            assert f"<legend>{s.text.replace(chr(39), '&#39;')}</legend>" in html
            assert f'<label for="score-{s.id}">How are we doing?</label>' in html
            for name in quality.NOTE_FIELDS:
                assert f'<textarea id="{name}-{s.id}" name="{name}-{s.id}"' in html
        for name in quality.STEP_FIELDS:
            assert f'id="{name}-{h.principle}"' in html
    assert '<option value="" selected>Not rated</option>' in html
    for words in ("0 Emerging", "5 Established", "10 Embedded"):
        assert f">{words}</option>" in html
    assert f'value="{date.today().isoformat()}"' in html  # the date defaults to today
    assert 'aria-current="page">Quality</a>' in html


def test_with_more_than_one_charter_with_indicators_the_form_offers_a_choice(staff, monkeypatch):
    elsewhere = dataclasses.replace(PACK, id="elsewhere", area="Elsewhere", title="Our charter")
    monkeypatch.setattr(quality, "packs_with_indicators", lambda: [elsewhere, PACK])
    page = staff.get("/staff/quality/new")  # the default charter's (wirral) has none: the first
    assert "New self-assessment: Elsewhere quality indicators" in page.text
    assert '<select id="charter-choice" name="charter">' in page.text
    chosen = staff.get("/staff/quality/new?charter=wokingham")
    assert "New self-assessment: Wokingham quality indicators" in chosen.text
    assert '<option value="wokingham" selected>Wokingham: ' in chosen.text
    assert '<input type="hidden" name="charter" value="wokingham">' in chosen.text


def test_the_form_round_trip_saves_and_shows_the_report(staff):
    fields = filled_form(
        **{
            f"score-{WELCOME[0]}": "7",
            f"score-{WELCOME[1]}": "4",
            f"going_well-{WELCOME[0]}": "The forum <b>says</b> so.",
            f"could_be_better-{WELCOME[1]}": "Agendas come late.",
            f"score-{TOGETHER[0]}": "10",
            "needs_now-welcome_care_respect": "Send agendas a week ahead.",
            "how_coproduced-welcome_care_respect": "Planned with the parent carer forum.",
        }
    )
    saved = post(staff, "/staff/quality", **fields)
    assert saved.status_code == 303
    assert saved.headers["location"] == (
        "/staff/quality/report?organisation=Wokingham+SEND+Team&charter=wokingham&saved=1"
    )
    with unit_of_work() as session:
        assessment = session.scalar(select(QualityAssessment))
        assert assessment.staff_account_id == accounts.find(session, NAME).id
    assert count(QualityRating) == 3 and count(QualityNextSteps) == 1
    page = staff.get(saved.headers["location"])
    assert page.status_code == 200 and "The self-assessment is saved." in page.text
    assert "The forum &lt;b&gt;says&lt;/b&gt; so." in page.text  # shown as text, never markup
    tables = Tables(page.text).tables
    day = "1 March 2025"
    assert tables["Average score for each heading, by date of assessment"] == [
        ["Heading", day],
        ["WELCOME, CARE, RESPECT", "5.5 (between Established and Embedded)"],
        ["EQUALLY VALUED & INCLUDED", "Not rated"],
        ["COMMUNICATION: Respectful and Timely", "Not rated"],
        ["WORKING TOGETHER: the best outcome", "10.0 (Embedded)"],
    ]
    welcome = tables[
        "WELCOME, CARE, RESPECT: how are we doing? Scores for each statement, by date of assessment"
    ]
    assert welcome[0] == ["What should it feel like?", day]
    assert welcome[1] == ["All voices are heard and valued", "7 (between Established and Embedded)"]
    assert welcome[2][1] == "4 (between Emerging and Established)"
    assert welcome[3][1] == "Not rated" and len(welcome) == 1 + 7 + 1
    assert welcome[-1] == [
        "Average of the rated statements",
        "5.5 (between Established and Embedded)",
    ]
    notes = tables[f"WELCOME, CARE, RESPECT: notes from the assessment on {day}"]
    assert notes[1:] == [
        ["All voices are heard and valued", "The forum <b>says</b> so.", ""],
        [
            "Expectations are communicated clearly and with clarity",
            "",
            "Agendas come late.",
        ],
    ]
    assert "Send agendas a week ahead." in page.text
    assert "Planned with the parent carer forum." in page.text
    assert 'scope="col"' in page.text and 'scope="row"' in page.text
    assert "The table above has the same numbers." in page.text
    listing = staff.get("/staff/quality")
    assert listing.status_code == 200
    [header, row] = Tables(listing.text).tables[
        "Organisations assessed, with their latest assessment"
    ]
    assert row[:4] == [ORG, "Wokingham", "1", day]
    assert "WELCOME, CARE, RESPECT: 5.5 (between Established and Embedded)" in row[4]
    assert "/staff/quality/report?organisation=Wokingham+SEND+Team&amp;charter=wokingham" in (
        listing.text
    )


@pytest.mark.parametrize(
    "fields,field,words",
    [
        ({"organisation": "   "}, "organisation", "Give the name of the organisation"),
        ({"assessed_on": A_FUTURE_DAY}, "assessed_on", "cannot be in the future"),
        ({"assessed_on": "not a date"}, "assessed_on", "a date like 2026-11-20"),
        ({f"score-{VALUED[1]}": "11"}, f"score-{VALUED[1]}", "from 0 to 10"),
        ({f"score-{VALUED[1]}": "-1"}, f"score-{VALUED[1]}", "from 0 to 10"),
        ({f"score-{VALUED[1]}": "x"}, f"score-{VALUED[1]}", "from 0 to 10"),
        ({f"going_well-{TIMELY[2]}": "é" * 2001}, f"going_well-{TIMELY[2]}", "too long"),
        ({"involves-working_together": "z" * 2001}, "involves-working_together", "too long"),
    ],
)
def test_a_bad_field_shows_the_form_again_with_what_was_typed_and_saves_nothing(
    staff, fields, field, words
):
    typed = {f"score-{WELCOME[0]}": "6", f"going_well-{WELCOME[0]}": "Kept & shown again"}
    refused = post(staff, "/staff/quality", **filled_form(**{**typed, **fields}))
    assert refused.status_code == 400
    html = refused.text
    assert "The self-assessment was not saved" in html and 'role="alert"' in html
    assert f'<a href="#{field}">' in html
    assert f'<p class="error-message" id="{field}-error">' in html
    assert f'aria-describedby="{field}-error"' in html or f'{field}-hint {field}-error"' in html
    assert words in html.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert 'aria-invalid="true"' in html
    # What was typed is still there.
    assert '<option value="6" selected>6</option>' in html
    assert ">Kept &amp; shown again</textarea>" in html
    if field.startswith(("going_well", "involves")):
        assert f">{fields[field]}</textarea>" in html.replace("&amp;", "&")
    assert nothing_saved()


def test_forged_or_unknown_fields_get_a_400_never_a_500(staff):
    for fields in (
        {"charter": "atlantis", f"score-{WELCOME[0]}": "3"},
        {"charter": "wirral", f"score-{WELCOME[0]}": "3"},
        {"score-flying_pigs": "3"},
        {},
    ):
        form = {"organisation": ORG, "assessed_on": FIRST, **fields}
        refused = post(staff, "/staff/quality", **form)
        assert refused.status_code == 400, fields
        assert "The self-assessment was not saved" in refused.text
    assert nothing_saved()


def test_the_same_organisation_and_date_twice_is_refused_on_the_form(staff):
    form = filled_form(**{f"score-{WELCOME[0]}": "3"})
    assert post(staff, "/staff/quality", **form).status_code == 303
    again = post(staff, "/staff/quality", **{**form, "organisation": "wokingham send team"})
    assert again.status_code == 400 and "already has an assessment on 2025-03-01" in again.text
    assert count(QualityAssessment) == 1


def test_a_whole_form_of_the_longest_answers_is_accepted(staff):
    # 2,000 characters in every one of the 62 text boxes, some of them not ASCII.
    long = ("Word, and more – “quoted” & so on. " * 60)[:2000]
    fields = filled_form(**{f"score-{i}": "5" for i in ALL_IDS})
    boxes = (*quality.NOTE_FIELDS, *quality.STEP_FIELDS)
    fields.update({key: long for key in fields if key.split("-")[0] in boxes})
    assert sum(value == long for value in fields.values()) == 62
    assert post(staff, "/staff/quality", **fields).status_code == 303
    assert count(QualityRating) == 25 and count(QualityNextSteps) == 4


def test_a_post_without_the_csrf_token_is_refused_and_saves_nothing(staff):
    form = filled_form(**{f"score-{WELCOME[0]}": "3"})
    assert staff.post("/staff/quality", data=form, follow_redirects=False).status_code == 403
    forged = {**form, "csrftoken": "forged"}
    assert staff.post("/staff/quality", data=forged, follow_redirects=False).status_code == 403
    assert nothing_saved()


def test_the_chart_and_csv_need_a_login_and_the_chart_is_a_png(staff, app):
    assess_twice()
    query = "?organisation=Wokingham+SEND+Team"
    chart = staff.get(f"/staff/quality/report.png{query}")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(PNG)
    with TestClient(app) as anonymous:
        for path in ("report.png", "report.csv"):
            refused = anonymous.get(f"/staff/quality/{path}{query}", follow_redirects=False)
            assert refused.status_code == 401
            assert not refused.content.startswith(PNG) and ORG not in refused.text
        page = anonymous.get(f"/staff/quality/report{query}", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/staff/login")
    # The page's image points at the chart of the same organisation.
    page = staff.get(f"/staff/quality/report{query}")
    assert "/staff/quality/report.png?organisation=WOKINGHAM+SEND+TEAM&amp;charter=wokingham" in (
        page.text
    )


def test_an_unknown_or_missing_organisation_is_a_plain_4xx(staff):
    missing = staff.get("/staff/quality/report?organisation=Nobody+Here")
    assert missing.status_code == 404
    assert "There is no quality assessment of Nobody Here." in missing.text
    assert staff.get("/staff/quality/report").status_code == 400
    assert staff.get("/staff/quality/report.png?organisation=Nobody").status_code == 404
    assert staff.get("/staff/quality/report.csv").status_code == 400
    assert staff.get("/staff/quality/new?charter=wirral").status_code == 404
    empty = staff.get("/staff/quality")
    assert empty.status_code == 200 and "No organisation has been assessed yet." in empty.text


def test_the_csv_parses_back_and_formulas_are_neutralised(staff):
    organisation = '=HYPERLINK("http://x")'
    ratings = {
        WELCOME[0]: {"score": 7, "going_well": "+SUM(A1:A9)"},
        WELCOME[1]: {"score": 2, "could_be_better": "-1 is not a score"},
    }
    steps = {"welcome_care_respect": {"needs_now": "@once a month"}}
    save(organisation, FIRST, ratings, steps)
    save(organisation, SECOND, scores({WELCOME[0]: 9}))
    response = staff.get("/staff/quality/report.csv", params={"organisation": organisation})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment;" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(quality_files.CSV_COLUMNS)
    assert len(rows) == 2 * (25 + 4)  # per date: each statement, then each heading
    assert {r["organisation"] for r in rows} == {"'" + organisation}
    first = [r for r in rows if r["assessed_on"] == FIRST]
    by_id = {r["indicator_id"]: r for r in first if r["row"] == "statement"}
    assert by_id[WELCOME[0]]["score"] == "7"
    assert by_id[WELCOME[0]]["band"] == "between Established and Embedded"
    assert by_id[WELCOME[0]]["going_well"] == "'+SUM(A1:A9)"
    assert by_id[WELCOME[1]]["could_be_better"] == "'-1 is not a score"
    assert by_id[WELCOME[2]]["score"] == "" and by_id[WELCOME[2]]["band"] == "Not rated"
    heading = next(r for r in first if r["row"] == "heading")
    assert (heading["heading"], heading["score"], heading["band"], heading["needs_now"]) == (
        "WELCOME, CARE, RESPECT",
        "4.5",
        "Established",
        "'@once a month",
    )
    # No cell of the file starts with a formula character.
    cells = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    # The report page shows the same name as text.
    page = staff.get("/staff/quality/report", params={"organisation": organisation})
    assert page.status_code == 200 and "=HYPERLINK(&#34;http://x&#34;)" in page.text


# ---- The copro command -----------------------------------------------------------------------


def test_copro_quality_commands_have_help(capsys):
    for command in (["quality"], ["quality", "list"], ["quality", "report"]):
        with pytest.raises(SystemExit) as exit_:
            main([*command, "--help"])
        assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: copro quality report" in out and "--organisation NAME" in out


def test_copro_quality_list_and_report(database, capsys, tmp_path):
    assert main(["quality", "list"]) == 0
    assert "No quality assessments yet." in capsys.readouterr().out
    assess_twice()
    assert main(["quality", "list"]) == 0
    out = capsys.readouterr().out
    assert "WOKINGHAM SEND TEAM (Wokingham): 2 assessments, latest on 2025-09-01" in out
    assert "  WELCOME, CARE, RESPECT: 8.8 (between Established and Embedded)" in out
    assert "  COMMUNICATION: Respectful and Timely: 0.0 (Emerging)" in out
    assert "Other Org (Wokingham): 1 assessment, latest on 2025-03-01" in out

    assert main(["quality", "report", "--organisation", "wokingham send team"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 2 * 29 and rows[0]["assessed_on"] == FIRST
    args = ["quality", "report", "--organisation", ORG, "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert [a["assessed_on"] for a in data["assessments"]] == [FIRST, SECOND]
    averages = [h["average"] for h in data["assessments"][1]["headings"]]
    assert averages == [8.8, 5.0, 0.0, 10.0]

    out_file = tmp_path / "quality.json"
    assert main([*args, "--out", str(out_file)]) == 0
    assert "Wrote 2 assessments of WOKINGHAM SEND TEAM" in capsys.readouterr().out
    assert json.loads(out_file.read_text(encoding="utf-8")) == data


def test_copro_quality_report_of_an_unknown_organisation_says_so(database, capsys):
    assess_twice()
    assert main(["quality", "report", "--organisation", "Nobody Here"]) == 1
    err = capsys.readouterr().err
    assert "No quality assessment of an organisation called 'Nobody Here'" in err
    assert main(["quality", "report", "--organisation", ORG, "--charter", "wirral"]) == 1
    assert "against the wirral charter" in capsys.readouterr().err


def test_family_exports_hold_nothing_from_the_assessments(database, capsys, tmp_path):
    with unit_of_work() as session:
        review = repository.create_review(session, "QIX-234", "Wokingham forum", "wokingham")
        for n in range(6):
            ref = repository.start_or_resume(session, review, f"web-qi-{n}", "web")
            repository.record_answer(
                session, ref.response_id, PACK.questions[0].id, "yes", "web", "Lovely."
            )
    marks = ("Zebra Crossing Trust", "Unicorn note going well", "Narwhal next step")
    save(
        marks[0],
        FIRST,
        {WELCOME[0]: {"score": 9, "going_well": marks[1]}},
        {"welcome_care_respect": {"needs_now": marks[2]}},
    )
    outputs = []
    for fmt in ("csv", "json"):
        assert main(["export", "--format", fmt]) == 0
        outputs.append(capsys.readouterr().out)
    assert main(["export", "--format", "json", "--comments"]) == 0
    outputs.append(capsys.readouterr().out)
    xlsx = tmp_path / "feedback.xlsx"
    assert main(["export", "--format", "xlsx", "--comments", "--out", str(xlsx)]) == 0
    from openpyxl import load_workbook

    book = load_workbook(xlsx)
    outputs.append(
        " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    )
    assert "QIX-234" in outputs[1] and "Lovely." in outputs[2]  # the exports did run
    for output in outputs:
        for mark in (*marks, "quality", "Embedded", "Established"):
            assert mark not in output, mark
