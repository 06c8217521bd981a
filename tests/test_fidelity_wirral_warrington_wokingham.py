"""The Wirral, Warrington and Wokingham packs say what their charters say, no more.

Each test quotes the charter text a fix came from and checks the quote is really
in the charter (kept beside the packs in ``bot/content/charters/``).
The pack keeps the charter's words as a ``# Charter: "..."`` comment beside each
thing it took from them; the tests check those comments too.
"""

from __future__ import annotations

import re

import pytest
import yaml

from bot.content import get_pack
from bot.content.fields import MAX_WORDS
from bot.content.loader import PACKS_DIR
from tests.charter_text import charter, plain
from tests.test_easy_read import MAX_GRADE, reading_grade, sentences, unexplained_terms

AREAS = ("wirral", "warrington", "wokingham")


def raw(area: str) -> str:
    return (PACKS_DIR / f"{area}.yml").read_text(encoding="utf-8")


def comment_above(area: str, pack_line: str) -> str:
    """The comment lines just above the first pack line that is ``pack_line`` (give or take
    spaces), joined into one line."""
    lines = raw(area).splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip() == pack_line)
    comment: list[str] = []
    for line in reversed(lines[:index]):
        if not line.strip().startswith("#"):
            break
        comment.insert(0, line.strip().lstrip("#"))
    return plain(" ".join(comment))


def assert_commented(area: str, pack_line: str, quote: str) -> None:
    """The charter's words are a ``# Charter: "..."`` comment beside the pack's line."""
    comment = comment_above(area, pack_line)
    assert "Charter:" in comment, f"{area}: no charter comment above {pack_line!r}"
    assert plain(quote) in comment, f"{area}: {quote!r} is not beside {pack_line!r}"


def words(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def question(area: str, question_id: str):
    found = get_pack(area).question(question_id)
    assert found is not None, f"{area} has no question {question_id}"
    return found


# ---- Wirral --------------------------------------------------------------------------------

WIRRAL_PRINCIPLES = [
    # (id, the charter's heading, one of its points, words the easy read says it in)
    ("working_together", "Working Together", "Be honest and transparent", "honest and open"),
    (
        "inclusive",
        "Inclusive",
        "Respect everyone's voice and views, all partners are equal in value",
        "All partners are equal",
    ),
    ("responsible", "Responsible", "Behave considerately", "think about others"),
    ("respectful", "Respectful", "Be open to listening to others' opinions", "open to listening"),
    (
        "ambitious",
        "Ambitious",
        "Aim high for the very best outcomes possible",
        "aim for the very best",
    ),
    (
        "lived_experiences",
        "Lived experiences",
        "Learn from those with lived experiences to share",
        "Lived experience means",
    ),
]


def test_wirral_has_the_six_principles_its_charter_spells_wirral_with():
    charter("wirral", "Remember WIRRAL when you co-produce:")
    pack = get_pack("wirral")
    ids = [p.id for p in pack.principles]
    # The four cornerstones stay: the charter takes them "as foundations".
    charter("wirral", "We have taken the four cornerstones as foundations for the principles")
    cornerstones = [
        "welcome_and_care",
        "value_and_include",
        "communicate",
        "working_in_partnership",
    ]
    assert ids[:4] == cornerstones
    assert ids[4:] == [principle_id for principle_id, *_ in WIRRAL_PRINCIPLES]
    names = [p.name for p in pack.principles[4:]]
    assert "".join(name[0] for name in names) == "WIRRAL"
    for (principle_id, heading, point, easy), principle in zip(
        WIRRAL_PRINCIPLES, pack.principles[4:], strict=True
    ):
        charter("wirral", heading)
        charter("wirral", point)
        assert principle.name.lower() == heading.lower()
        assert easy in principle.easy_read, principle_id
        assert_commented("wirral", f"- id: {principle_id}", point)


def test_the_wirral_kite_mark_is_told_with_the_co_production_step():
    quote = charter(
        "wirral",
        "Only when these principles are met, and signed off by key stakeholder groups, will a "
        "document or project be truly co-produced and where you will see our co-production "
        "kite mark",
    )
    [step] = [r for r in get_pack("wirral").ladder if r.id == "co_production"]
    assert "kite mark" in step.easy_read
    assert "A kite mark is a badge" in step.easy_read  # explained the first time it is used
    assert "truly co-produced when it meets the charter's ideas" in step.easy_read
    assert "must also approve it" in step.easy_read  # "signed off by key stakeholder groups"
    assert_commented("wirral", "- id: co_production", quote)


def test_agreeing_the_level_at_the_start_is_noted_where_the_ladder_is():
    quote = charter(
        "wirral",
        "Agreeing the 'level' of working together (co-production/co-design/consultation) at the "
        "start of a project and the reason for this",
    )
    assert_commented("wirral", "ladder:", quote)
    note = plain(yaml.safe_load(raw("wirral"))["source"]["note"])
    assert "agree the level of working together" in note
    assert "at the start of a project, and the reason for it" in note


WIRRAL_OPTIONAL = [
    # (id, principle, the charter's question, words both forms ask it with)
    ("nobody_missing", "value_and_include", "Was anyone missing?", "involved"),
    (
        "chair_included",
        "value_and_include",
        "Did the Chair effectively include everyone?",
        "everyone",
    ),
    ("equal_decisions", "working_in_partnership", "Was decision making equal?", "equal say"),
    (
        "followed_through",
        "communicate",
        "WERE ACTIONS CLEAR AND FOLLOWED THROUGH?",
        "agreed",
    ),
]


@pytest.mark.parametrize("question_id,principle,quote,shared", WIRRAL_OPTIONAL)
def test_wirral_review_questions_the_pack_lacked_are_optional(
    question_id, principle, quote, shared
):
    charter("wirral", quote)
    pack = get_pack("wirral")
    assert question_id in [q.id for q in pack.optional_questions]
    assert question_id not in [q.id for q in pack.questions]
    asked = question("wirral", question_id)
    assert asked.principle == principle
    # One question each, answered yes / a bit / no / not sure; the simple form asks
    # the same thing in fewer words.
    for text in (asked.text, asked.simple):
        assert text.endswith("?") and text.count("?") == 1, text
        assert ", and" not in text, text
    assert words(asked.simple) < words(asked.text)
    assert shared in asked.text and shared in asked.simple
    assert_commented("wirral", f"- id: {question_id}", quote)
    chosen = pack.with_optional([question_id])
    assert [q.id for q in chosen.questions][-1] == question_id


def test_was_anyone_missing_is_asked_so_that_yes_means_it_went_well():
    # A principle's results add up its questions' answers: "yes" must be good news.
    asked = question("wirral", "nobody_missing")
    assert asked.text == "Was everyone involved who should have been?"
    assert "missing" not in asked.text + asked.simple


def test_the_chair_is_explained_the_first_time():
    charter("wirral", "Did the Chair effectively include everyone?")
    asked = question("wirral", "chair_included")
    assert "the Chair, who leads the meeting," in asked.text
    assert "Chair" not in asked.simple and "leader" in asked.simple


def test_the_decisions_question_is_one_question_and_keeps_its_id():
    charter(
        "wirral",
        "DID EVERYONE UNDERSTAND THE DECISIONS THAT WERE MADE, AND HOW THEIR INPUT SHAPED THEM?",
    )
    asked = question("wirral", "decisions")
    assert asked.text == "Did you understand how your ideas helped shape the choices?"
    assert asked.principle == "working_in_partnership"
    assert "how your ideas" in asked.simple


def test_wirral_keeps_seven_default_questions_with_their_ids():
    assert [q.id for q in get_pack("wirral").questions] == [
        "welcome",
        "place",
        "time",
        "papers_easy",
        "papers_in_time",
        "next_steps",
        "decisions",
    ]


def test_wirral_simple_forms_ask_the_same_as_the_full_ones():
    charter("wirral", "Was the venue/date/time of meetings accessible?")
    assert question("wirral", "welcome").simple == "Did you feel welcome?"
    place = question("wirral", "place")
    assert "get to and get into" in place.text and "get to and into" in place.simple


# ---- Warrington ----------------------------------------------------------------------------

FIVE_AREAS = [
    # (the charter's words, the pledge that says them)
    (
        "the development of existing and new services",
        "We will involve you when we plan new services or improve the ones we have.",
    ),
    (
        "key decisions regarding the way in which services are provided",
        "We will involve you in big decisions about how services are run.",
    ),
    (
        "proposed changes to services and support",
        "We will involve you when we plan changes to services and support.",
    ),
    (
        "providing feedback on services to improve quality or responsiveness",
        "We will ask you how services are doing, so we can make them better.",
    ),
    (
        "understanding needs and identifying gaps in provision.",
        "We will involve you when we find out what families need and what is missing.",
    ),
]


def test_warrington_pledges_name_all_five_areas_of_involvement_in_the_charter_s_order():
    charter(
        "warrington",
        "through the effective involvement and participation of parents and carers in:",
    )
    pledges = list(get_pack("warrington").pledges["organisation"])
    assert "We will ask parents and carers to help with our work." not in pledges
    places = []
    for quote, pledge in FIVE_AREAS:
        charter("warrington", quote)
        assert pledge in pledges
        places.append(pledges.index(pledge))
        assert_commented("warrington", f"- {pledge}", quote)
    assert places == sorted(places) and places == list(range(places[0], places[0] + 5))
    # Then who is involved: "both representative parents through the Forum, and those
    # parents and carers receiving services directly from the organisation."
    charter("warrington", "both representative parents through the Forum")
    after = pledges[places[-1] + 1 : places[-1] + 3]
    assert after == [
        "We will ask parents in the parent carer forum to take part.",
        "We will involve parents and carers who use our services.",
    ]


def test_warrington_says_parents_influence_outcomes_only_within_the_limits_set():
    quote = charter(
        "warrington",
        "To involve parents at an early stage in consultations to be able to influence the "
        "outcomes within the parameters set.",
    )
    pack = get_pack("warrington")
    [early] = [p for p in pack.principles if p.id == "involve_early"]
    assert "within the limits that are already set" in early.easy_read
    assert "they can change what happens" not in early.easy_read
    assert_commented("warrington", "- id: involve_early", quote)
    pledges = pack.pledges["organisation"]
    assert not any("so they can change what happens" in p for p in pledges)
    [pledge] = [p for p in pledges if "early in a consultation" in p]
    assert "within the limits already set" in pledge
    asked = question("warrington", "asked_early")
    assert asked.principle == "involve_early"
    assert "have a say" in asked.text and "have a say" in asked.simple
    assert "change what happened" not in asked.text


def test_warrington_gives_school_times_consideration_not_a_promise():
    quote = charter(
        "warrington",
        "Consideration to be given to school times when planning the timing of meetings and "
        "consultations",
    )
    pack = get_pack("warrington")
    [school] = [p for p in pack.principles if p.id == "school_times"]
    assert school.easy_read == (
        "People think about school times when they plan meetings and consultations."
    )
    assert "planned around" not in school.easy_read
    assert_commented("warrington", "- id: school_times", quote)
    assert (
        "We will think about school times when we plan meetings and consultations."
        in pack.pledges["organisation"]
    )


def test_warrington_questions_are_single_and_keep_their_ids():
    charter("warrington", "avoiding the use of jargon")
    no_jargon = question("warrington", "no_jargon")
    expected = "Jargon means hard words that only experts use. Did people avoid jargon?"
    assert no_jargon.text == expected
    charter("warrington", "is always provided and within a reasonable timescale")
    assert question("warrington", "heard_back").text == (
        "Did you hear back in good time after the meeting?"
    )
    charter("warrington", "Parents to be treated with respect")
    assert question("warrington", "respect").simple == "Were people respectful to you?"
    charter("warrington", "To commit to involving children and young people in these decisions")
    assert "children and young people" in question("warrington", "young_people_asked").simple
    assert [q.id for q in get_pack("warrington").questions] == [
        "enough_notice",
        "purpose_explained",
        "briefing",
        "school_times",
        "easy_place",
        "respect",
        "no_jargon",
        "heard_back",
        "asked_early",
        "young_people_asked",
    ]


# ---- Wokingham -----------------------------------------------------------------------------


def test_wokingham_asks_about_trust_in_every_review():
    quote = charter("wokingham", "There is trust and transparency.")
    pack = get_pack("wokingham")
    trust = question("wokingham", "trust")
    assert trust in pack.questions  # one of the five principles: asked by default
    assert trust.principle == "trust_and_transparency"
    assert "trust" in trust.text and "trust" in trust.simple
    assert_commented("wokingham", "- id: trust", quote)
    [principle] = [p for p in pack.principles if p.id == "trust_and_transparency"]
    assert "Nothing is hidden" not in principle.easy_read  # more than the guidance says
    assert_commented("wokingham", "- id: trust_and_transparency", quote)
    openness = question("wokingham", "open_with_you")
    assert openness in pack.optional_questions
    assert openness.principle == "trust_and_transparency"


def test_wokingham_can_ask_you_said_we_did_and_why_if_nothing():
    quote = charter(
        "wokingham",
        "How are any consultations feeding into the process? Consider 'you said \u2013 we did'. "
        "If the answer is nothing, why is that?",
    )
    pack = get_pack("wokingham")
    asked = question("wokingham", "you_said_we_did")
    # Guidance for consultations in the ladder section, not a principle: optional.
    assert asked in pack.optional_questions
    assert asked.principle == "trust_and_transparency"
    for text in (asked.text, asked.simple):
        assert "your views" in text and "why" in text and text.count("?") == 1
    assert words(asked.simple) < words(asked.text)
    assert_commented("wokingham", "- id: you_said_we_did", quote)


def test_wokingham_double_questions_are_split_or_made_single():
    quote = charter(
        "wokingham",
        "Information is given in good time and in an accessible format taking into account "
        "individual needs",
    )
    pack = get_pack("wokingham")
    # "papers_in_time" asked two things with one answer: it keeps its id (answers
    # already given stay in the exports) for the first half; the other is optional.
    early = question("wokingham", "papers_in_time")
    assert early in pack.questions and early.text == "Did you get things to read in good time?"
    suits = question("wokingham", "papers_suit_you")
    assert suits in pack.optional_questions and "suits you" in suits.text
    for question_id in ("papers_in_time", "papers_suit_you"):
        assert question("wokingham", question_id).principle == "respectful_and_timely"
        assert_commented("wokingham", f"- id: {question_id}", quote)
    charter("wokingham", "All voices are heard and valued")
    voice = question("wokingham", "voice_heard")
    assert voice.text == "Did you feel people valued your views?"
    assert "value" in voice.simple


def test_wokingham_is_guidance_with_no_list_of_promises():
    charter("wokingham", "Co-production Guidance and Quality Indicators for Co-production")
    assert get_pack("wokingham").pledges == {}


# ---- All three -----------------------------------------------------------------------------


def every_question(area: str):
    pack = get_pack(area)
    return [*pack.questions, *pack.optional_questions]


@pytest.mark.parametrize("area", AREAS)
def test_every_question_is_one_question_tied_to_a_principle(area):
    pack = get_pack(area)
    principles = {p.id for p in pack.principles}
    ids = [q.id for q in every_question(area)]
    assert len(ids) == len(set(ids))
    for asked in every_question(area):
        assert asked.principle in principles
        for text in (asked.text, asked.simple):
            assert text.endswith("?") and text.count("?") == 1, f"{area} {asked.id}: {text}"
            assert not re.search(r", (and|in) ", text), f"{area} {asked.id}: two questions"


@pytest.mark.parametrize("area", AREAS)
def test_optional_questions_are_easy_read_too(area):
    # tests/test_easy_read.py checks the questions every review asks; these are
    # asked when staff add them.
    for asked in get_pack(area).optional_questions:
        for text in (asked.text, asked.simple):
            for sentence in sentences(text):
                assert words(sentence) <= MAX_WORDS, text
            assert reading_grade(text) <= MAX_GRADE, text
            assert unexplained_terms(text, []) == [], text


@pytest.mark.parametrize("area", AREAS)
def test_no_mixed_words_for_the_parent_carer_forum(area):
    text = " ".join(
        [p.easy_read for p in get_pack(area).principles]
        + [q.text + " " + q.simple for q in every_question(area)]
        + [line for lines in get_pack(area).pledges.values() for line in lines]
    ).lower()
    assert not ("parents' group" in text and "parent carer forum" in text)
    for word in ("pledge", "commitment"):
        assert word not in text, f"{area}: use one word for one thing ({word})"
