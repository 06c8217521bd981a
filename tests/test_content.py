"""Charter packs, glossary and the domain's messages: checked on load, easy read everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, get_pack, list_packs, load_pack, lookup_term, quiz_items
from bot.content.loader import QUIZ_ANSWERS, parse_pack, parse_quiz

ROOT = Path(__file__).resolve().parent.parent
WIRRAL = yaml.safe_load((ROOT / "bot/content/packs/wirral.yml").read_text(encoding="utf-8"))


def test_wirral_pack_has_the_reviewing_questions_in_order():
    pack = get_pack("wirral")
    assert [q.text for q in pack.questions] == [
        "Did you feel welcome?",
        "Was the place easy to get to and get into?",
        "Was the time of the meeting OK for you?",
        "Were the papers easy to read?",
        "Did you get the papers in good time?",
        "Did you know what would happen next?",
        "Did you understand the decisions, and how your ideas helped?",
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
        (lambda d: d.update(contact={"fax": "1"}), "field 'contact' must be a mapping with only"),
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
