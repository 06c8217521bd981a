"""Charter packs, glossary and the domain's messages: checked on load, easy read everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, get_pack, list_packs, load_pack, lookup_term, quiz_items
from bot.content.loader import parse_pack
from bot.content.quiz import QUIZ_ANSWERS, parse_quiz
from tests.project_yaml import project_yaml

ROOT = Path(__file__).resolve().parent.parent
WIRRAL = project_yaml("bot/content/packs/wirral.yml")


def test_wirral_pack_has_the_reviewing_questions_in_order():
    pack = get_pack("wirral")
    assert [q.text for q in pack.questions] == [
        "Did you feel welcome?",
        "Was the place easy to get to and get into?",
        "Was the time of the meeting OK for you?",
        "Were the papers easy to read?",
        "Did you get the papers in good time?",
        "Did you know what would happen next?",
        # One question with one answer (it asked two: the decisions, and how ideas helped).
        "Did you understand how your ideas helped shape the choices?",
    ]
    assert {q.principle for q in pack.questions} <= {p.id for p in pack.principles}
    assert pack in list_packs()


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.pop("questions"), "field 'questions' must be a non-empty list"),
        (
            lambda d: d["questions"][1].update(text=""),
            "questions[1]: field 'text' must be non-empty",
        ),
        (
            lambda d: d["questions"][0].update(principle="nope"),
            "principle 'nope' is not in principles",
        ),
        (
            lambda d: d["questions"][0].update(text="Did " + "very " * 20 + "long?"),
            "questions[0]: field 'text' has a sentence over 15 words",
        ),
        (lambda d: d["questions"].append(dict(d["questions"][0])), "every id must be different"),
    ],
)
def test_a_broken_pack_names_the_file_field_and_problem(change, message):
    data = yaml.safe_load(yaml.safe_dump(WIRRAL))
    change(data)
    with pytest.raises(ContentError, match=re.escape(message)) as error:
        parse_pack(data, "broken.yml")
    assert str(error.value).startswith("broken.yml")


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.update(colour="blue"), "unknown field(s) colour"),
        (lambda d: d.update(contact={"fax": "1"}), "contact must be a mapping with only"),
        (lambda d: d.update(ladder=["x"]), "field 'ladder' must be a mapping"),
        (
            lambda d: d.update(
                ladder={
                    "name": "Ladder",
                    "rungs": [{"id": "a", "name": "A", "group": "doing at", "easy_read": "Hi."}],
                }
            ),
            "ladder.rungs[0]: field 'group' must be one of",
        ),
        (
            lambda d: d.update(pledges={"aliens": ["We come in peace."]}),
            "pledges.aliens: signer kind",
        ),
        (
            lambda d: d.update(pledges={"organisation": []}),
            "pledges.organisation: must be a non-empty",
        ),
        (
            lambda d: d.update(pledges={"organisation": ["We " + "really " * 15 + "promise."]}),
            "pledges.organisation[0]: field 'pledge' has a sentence over 15 words",
        ),
    ],
)
def test_broken_ladder_pledges_and_contact_are_named(change, message):
    data = yaml.safe_load(yaml.safe_dump(WIRRAL))
    change(data)
    with pytest.raises(ContentError, match=re.escape(message)):
        parse_pack(data, "broken.yml")


def test_ladder_and_pledges_load_in_order():
    data = yaml.safe_load(yaml.safe_dump(WIRRAL))
    data["ladder"] = {
        "name": "Ladder of participation",
        "rungs": [
            {
                "id": "informing",
                "name": "Informing",
                "group": "doing for",
                "easy_read": "You are told.",
            },
            {
                "id": "co_producing",
                "name": "Co-producing",
                "group": "doing with",
                "easy_read": "We do it together.",
            },
        ],
    }
    data["pledges"] = {"young_people": ["I will share my ideas."]}
    pack = parse_pack(data, "wirral.yml")
    assert [r.id for r in pack.ladder] == ["informing", "co_producing"]
    assert pack.pledges == {"young_people": ("I will share my ideas.",)}


def test_pack_id_must_match_file_name(tmp_path):
    path = tmp_path / "elsewhere.yml"
    path.write_text(yaml.safe_dump(WIRRAL))
    with pytest.raises(ContentError, match="must match the file name"):
        load_pack(path)


def test_invalid_yaml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("id: [unclosed")
    with pytest.raises(ContentError, match="bad.yml: not valid YAML"):
        load_pack(path)


def test_unknown_charter_lists_the_ones_there_are():
    with pytest.raises(ContentError, match="have: .*wirral"):
        get_pack("atlantis")


def test_glossary_finds_terms_in_any_case():
    assert lookup_term("ehcp")["term"] == "EHCP"
    assert lookup_term("The Local Offer")["term"] == "Local Offer"
    assert lookup_term("short breaks")["term"] == "short breaks"
    assert lookup_term("flibble") is None
    assert lookup_term(None) is None


@pytest.mark.parametrize(
    "change,message",
    [
        ({"answer": "coercing"}, "field 'answer' must be one of"),
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"why": ""}, "field 'why' must be non-empty text"),
        (
            {"story": "This story has far too many words in one sentence for a person to read it."},
            "field 'story' has a sentence over 15 words",
        ),
    ],
)
def test_a_broken_quiz_story_gives_a_clear_error(change, message):
    good = {
        "id": "one",
        "story": "Staff made a plan. Then they asked parents.",
        "simple": "Staff made the plan first.",
        "answer": "consultation",
        "why": "Parents were only asked.",
    }
    with pytest.raises(ContentError, match=f"quiz.yml: story 1: {message}"):
        parse_quiz([{**good, **change}], "quiz.yml")
    with pytest.raises(ContentError, match="id 'one' is used twice"):
        parse_quiz([good, good], "quiz.yml")


def test_the_quiz_file_loads_with_every_kind_of_answer():
    assert {item.answer for item in quiz_items()} == set(QUIZ_ANSWERS)


# ---- Quality indicators (Wokingham) ----------------------------------------------------------

SEED = ROOT / "bot" / "content" / "charters" / "wokingham.txt"
WOKINGHAM = project_yaml("bot/content/packs/wokingham.yml")
# The statements of the source's tables ("What should it feel like?"), word for word.
QUALITY_STATEMENTS = {
    "WELCOME, CARE, RESPECT": [
        "All voices are heard and valued",
        "Expectations are communicated clearly and with clarity",
        "Supportive communities are built in partnership",
        "Environments feel happy and secure for everyone",
        "Confidence, well-being and self-esteem are nurtured",
        "Strengths and achievements are emphasised",
        "Responses are always kind",
    ],
    "EQUALLY VALUED & INCLUDED": [
        "A 'can do' approach is the norm",
        "Decision making processes involve the people they are about, or affect",
        "Needs are identified early and involvement of all partners is welcomed at every stage",
        "Information about strengths and needs are shared, with permission, and with all who "
        "need to know",
        "Everyone tries to have the right knowledge, understanding and skills to respond "
        "constructively to different strengths and needs",
        "Responses to individual needs and changing circumstances are creative and flexible",
        "Everyone is involved in the development of policies, systems and values",
    ],
    "COMMUNICATION: Respectful and Timely": [
        "Views and involvement are always sought",
        "Listening is calm and respectful",
        "Follow up responses are timely and constructive",
        "Time and space is made available to ensure everyone's voice is heard in a way that "
        "suits them",
        "Information is given in good time and in an accessible format taking into account "
        "individual needs",
        "Language is positive and constructive",
        "Agreed actions are regularly reviewed and evaluated with all partners",
    ],
    "WORKING TOGETHER: the best outcome": [
        "There are opportunities for all partners to feedback in order to improve everyone's "
        "experience",
        "Everyone is an equal partner and their contribution is valued",
        "Co-production and participation in individual and strategic decision making is "
        "actively encouraged",
        "Partners work well together to develop plans, set targets and create and deliver "
        "specific programmes",
    ],
}
QUALITY_HEADINGS = [
    ("welcome_care_respect", "WELCOME, CARE, RESPECT", 7),
    ("equally_valued_and_included", "EQUALLY VALUED & INCLUDED", 7),
    ("respectful_and_timely", "COMMUNICATION: Respectful and Timely", 7),
    ("working_together", "WORKING TOGETHER: the best outcome", 4),
]


def source_quality_tables() -> dict[str, list[str]]:
    """The seed's quality indicator tables: each heading's statements, word for word."""
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    tables: dict[str, list[str]] = {}
    heading = None
    for before, line in zip(lines, lines[1:], strict=False):
        if before == "Co-production Principles and Quality Indicators":
            heading = line.strip()
            tables[heading] = []
        elif line.strip() == "NEXT STEPS":
            heading = None
        elif heading and not line.startswith("What should it feel like?"):
            # A table row: the statement, then three empty cells.
            assert line.endswith("\t\t\t"), line
            tables[heading].append(line.strip())
    return tables


def test_the_wokingham_pack_has_the_four_quality_indicator_tables_word_for_word():
    pack = get_pack("wokingham")
    assert [(h.principle, h.name, len(h.statements)) for h in pack.quality_indicators] == (
        QUALITY_HEADINGS
    )
    assert sum(len(h.statements) for h in pack.quality_indicators) == 25
    texts = {h.name: [s.text for s in h.statements] for h in pack.quality_indicators}
    assert texts == QUALITY_STATEMENTS
    assert source_quality_tables() == QUALITY_STATEMENTS  # the charter, word for word
    assert pack.quality_statements()["can_do_approach"][1].text == (
        "A 'can do' approach is the norm"
    )
    ids = [s.id for h in pack.quality_indicators for s in h.statements]
    assert len(set(ids)) == 25
    assert {h.principle for h in pack.quality_indicators} <= {p.id for p in pack.principles}


def test_quality_indicators_are_optional():
    assert get_pack("wirral").quality_indicators == ()
    assert parse_pack(yaml.safe_load(yaml.safe_dump(WIRRAL)), "wirral.yml").quality_indicators == ()


def _heading(**change):
    heading = {
        "principle": "welcome_care_respect",
        "name": "WELCOME",
        "statements": [{"id": "heard", "text": "All voices are heard and valued"}],
    }
    return {**heading, **change}


@pytest.mark.parametrize(
    "indicators,message",
    [
        ("lots", "field 'quality_indicators' must be a non-empty list"),
        ([], "field 'quality_indicators' must be a non-empty list"),
        (["x"], "quality_indicators[0]: must be a mapping"),
        (
            [_heading(principle="kindness")],
            "quality_indicators[0]: principle 'kindness' is not in principles",
        ),
        ([_heading(), _heading()], "quality_indicators[1]: principle 'welcome_care_respect'"),
        ([_heading(name="")], "quality_indicators[0]: field 'name' must be non-empty text"),
        (
            [_heading(statements=[])],
            "quality_indicators[0]: field 'statements' must be a non-empty",
        ),
        (
            [_heading(statements=[{"id": "heard"}])],
            "quality_indicators[0].statements[0]: must have exactly 'id' and 'text'",
        ),
        (
            [_heading(statements=[{"id": "Heard!", "text": "x"}])],
            "quality_indicators[0].statements[0]: id 'Heard!' must be lower-case letters",
        ),
        (
            [
                _heading(),
                _heading(
                    principle="trust_and_transparency",
                    statements=[{"id": "heard", "text": "Trust"}],
                ),
            ],
            "quality_indicators[1].statements[0]: id 'heard' is used twice",
        ),
        ([_heading(colour="red")], "quality_indicators[0]: unknown field(s) colour"),
    ],
)
def test_a_broken_quality_indicators_section_is_refused_with_a_clear_message(indicators, message):
    data = yaml.safe_load(yaml.safe_dump(WOKINGHAM))
    data["quality_indicators"] = indicators
    with pytest.raises(ContentError, match=re.escape(message)) as error:
        parse_pack(data, "wokingham.yml")
    assert str(error.value).startswith("wokingham.yml: ")


def test_charters_check_counts_the_quality_indicators_and_refuses_a_bad_section(tmp_path, capsys):
    from bot.cli import main

    assert main(["charters", "check"]) == 0
    assert "ok   wokingham.yml: Wokingham" in capsys.readouterr().out
    data = yaml.safe_load(yaml.safe_dump(WOKINGHAM))
    data["quality_indicators"][0]["principle"] = "kindness"
    broken = tmp_path / "wokingham.yml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["charters", "check", str(broken)]) == 1
    assert "FAIL wokingham.yml: quality_indicators[0]: principle 'kindness' is not in" in (
        capsys.readouterr().err
    )
