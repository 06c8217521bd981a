"""The Halton and Birmingham packs say what their charters say.

Each test quotes the charter text its check comes from; the quote is checked
against the charter itself (kept beside the packs in ``bot/content/charters/``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.concern_ideas import principle_matches
from actions.concerns import ActionAskConcernPrinciple
from actions.pledge_rules import pledge_items
from bot.content import get_pack
from bot.content.fields import MAX_WORDS
from tests.charter_text import charter
from tests.conftest import finished, make_tracker
from tests.test_easy_read import MAX_GRADE, reading_grade, sentences, unexplained_terms

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "bot" / "content" / "packs"


def raw(area: str) -> str:
    return (PACKS / f"{area}.yml").read_text(encoding="utf-8")


def family_texts(area: str):
    """Every text of the pack a family can read, with where it is."""
    pack = get_pack(area)
    for p in pack.principles:
        yield f"principle {p.id} name", p.name
        yield f"principle {p.id}", p.easy_read
    for q in (*pack.questions, *pack.optional_questions):
        yield f"question {q.id}", q.text
        yield f"question {q.id} (simple)", q.simple
    for kind, items in pack.pledges.items():
        for i, item in enumerate(items):
            yield f"pledge {kind}[{i}]", item


# ---- Both packs --------------------------------------------------------------------------------

COMMENT_QUOTE = re.compile(r'#\s*Charter(?: \([^)]*\))?: "(.+)"\s*$', re.M)


@pytest.mark.parametrize("area", ["halton", "birmingham"])
def test_every_charter_quote_in_a_comment_is_the_charter_s_own_words(area):
    quotes = COMMENT_QUOTE.findall(raw(area))
    assert len(quotes) >= 15, "each change carries the charter's words beside it"
    for quote in quotes:
        charter(area, quote)


@pytest.mark.parametrize("area", ["halton", "birmingham"])
def test_optional_questions_and_every_pack_text_are_easy_read(area):
    # test_easy_read checks the default questions; optional ones are checked here too.
    for where, text in family_texts(area):
        if where.endswith(" name"):
            continue  # a button's two or three words: checked by the names test
        for sentence in sentences(text):
            assert len(re.findall(r"[\w'’-]+", sentence)) <= MAX_WORDS, f"{where}: {sentence!r}"
        assert reading_grade(text) <= MAX_GRADE, f"{where}: {text!r}"
        assert unexplained_terms(text, []) == [], where


@pytest.mark.parametrize("area", ["halton", "birmingham"])
def test_one_word_for_one_thing(area):
    """Pledges are "promises" to families; the forum is always "the parent carer forum"."""
    for where, text in family_texts(area):
        lowered = text.lower()
        assert not re.search(r"\b(pledge|commitment)s?\b", lowered), where
        assert "parents' group" not in lowered and "parents group" not in lowered, where
        assert not re.search(r"\b(jargon|acronyms?)\b", lowered), where


@pytest.mark.parametrize(
    "area,old_ids",
    [
        (
            "halton",
            {
                "week_notice",
                "purpose_explained",
                "time_fits",
                "join_options",
                "easy_place",
                "no_jargon",
                "respect",
                "listened_to",
                "views_used",
                "heard_back",
            },
        ),
        (
            "birmingham",
            {
                "trust",
                "listened_to",
                "made_changes",
                "choices_explained",
                "told_early",
                "kept_up_to_date",
                "real_part",
                "own_experience",
                "equal",
                "who_to_tell",
            },
        ),
    ],
)
def test_existing_question_ids_are_kept(area, old_ids):
    assert old_ids <= {q.id for q in get_pack(area).questions}


# Words each question's full form and simple form must both have: the same question.
SAME_QUESTION = {
    "halton": {
        "week_notice": ["told", "week"],
        "purpose_explained": ["meeting was for"],
        "time_fits": ["meeting", "time"],
        "join_options": ["could you choose", "join"],
        "easy_place": ["place", "into"],
        "no_jargon": ["papers", "plain words"],
        "respect": ["respect"],
        "listened_to": ["listen"],
        "asked_first": ["asked", "before the choice was made"],
        "views_used": ["your views used"],
        "heard_back": ["told", "happened after"],
    },
    "birmingham": {
        "trust": ["trust the people there"],
        "trusted": ["people there trust"],
        "listened_to": ["listen"],
        "made_changes": ["chang"],
        "choices_explained": ["choices"],
        "told_early": ["told things early"],
        "kept_up_to_date": ["kept up to date"],
        "real_part": ["choices"],
        "own_experience": ["could you use what you know"],
        "equal": ["as important as"],
        "who_to_tell": ["who to tell", "promise"],
        "meeting_time": ["time", "right for you"],
        "meeting_place": ["place", "right for"],
        "meeting_papers": ["papers", "right for"],
    },
}


@pytest.mark.parametrize("area", ["halton", "birmingham"])
def test_a_simple_form_asks_the_same_single_question(area):
    pack = get_pack(area)
    every = {q.id: q for q in (*pack.questions, *pack.optional_questions)}
    assert set(every) == set(SAME_QUESTION[area])
    for question_id, words in SAME_QUESTION[area].items():
        question = every[question_id]
        for form in (question.text, question.simple):
            for word in words:
                assert word in form.lower().replace("trusted", "trust"), (question_id, form)
            # One question, one yes/no answer: no second question joined on with "and".
            assert not re.search(r",? and (were|was|did|could|are|able)\b", form), form
            assert form.count("?") == 1, form


# ---- Halton ------------------------------------------------------------------------------------


def test_halton_commitments_are_listed_for_each_signer_kind_that_made_them():
    charter("halton", "Signed by Halton SEND Strategic Partnership")
    charter("halton", "Halton Borough Council")
    charter("halton", "Clare Collins, Chairperson, Halton SEND Parent Carers Forum")
    charter("halton", "NHS Cheshire and Merseyside")
    charter("halton", "through co-production, we will:")
    pack = get_pack("halton")
    # The council and the NHS sign as organisations, the forum as a parent carer forum.
    assert set(pack.pledges) == {"organisation", "parent_carer_forum"}
    assert pack.pledges["organisation"] == pack.pledges["parent_carer_forum"]
    for kind in ("organisation", "parent_carer_forum"):
        assert pledge_items(pack, kind)[1], f"{kind}: the charter wrote these for it"
    # Families did not sign the commitments: they are offered the charter's ideas.
    for kind in ("parents_and_carers", "young_people"):
        assert not pledge_items(pack, kind)[1]
    # The first line says, in easy read, that the three made them together.
    first = pack.pledges["organisation"][0]
    charter("halton", "The forum is run by and for families")
    assert "parent carer forum is a group run by families" in first
    assert "made these promises with the council and the NHS" in first


def test_halton_commitments_name_the_parent_carer_forum_as_the_charter_does():
    charter(
        "halton",
        "provide support and advice to Halton SEND Parent Carer's Forum as a clear channel "
        "of communication",
    )
    charter("halton", "appropriate represented groups e.g. Halton SEND Parent Carer's Forum")
    items = get_pack("halton").pledges["organisation"]
    forum = [item for item in items if "parent carer forum" in item]
    assert len(forum) == 3
    assert any("We will help and advise it" in item for item in forum)
    assert any("through groups like schools" in item for item in forum)


# The charter ties no commitment to a "co-production is / isn't" statement: each
# question is tied to the statement whose words it repeats, or (where it repeats
# none) the nearest; the pack's comments say which.
HALTON_TIES = {
    "week_notice": "working_as_equals",
    "purpose_explained": "working_as_equals",
    "time_fits": "working_as_equals",
    "join_options": "working_as_equals",
    "easy_place": "working_as_equals",
    "no_jargon": "working_as_equals",
    "respect": "sharing_power",
    "listened_to": "listening",
    "asked_first": "asked_before_deciding",
    "views_used": "asked_before_deciding",
    "heard_back": "asked_before_deciding",
}


def test_halton_questions_are_tied_to_the_statement_whose_words_they_repeat():
    pack = get_pack("halton")
    assert {q.id: q.principle for q in pack.questions} == HALTON_TIES
    # "respect" repeats the power shift's "respectful partners".
    charter("halton", "always treat each other with respect")
    charter("halton", "a power shift that sees disabled people as equal and respectful partners")
    # "listened to" repeats "not listening".
    charter("halton", "respectfully listen to parents/carers and young peoples' views/voices")
    charter("halton", "just about talking and not listening")
    # Both halves of "asking ... after a decision ... or asking ... and then not taking
    # them into account" are now a question each.
    charter(
        "halton",
        "asking for opinions on something after a decision has already been made or asking "
        "for peoples' views and then not taking them into account",
    )


def test_halton_views_used_is_two_questions_with_one_answer_each():
    pack = get_pack("halton")
    asked, used = pack.question("asked_first"), pack.question("views_used")
    charter("halton", "asking for opinions on something after a decision has already been made")
    assert "before the choice was made" in asked.text
    charter("halton", "asking for peoples' views and then not taking them into account")
    assert used.text == "Were your views used when the choice was made?"
    assert "asked" not in used.text.lower()


def test_halton_concern_prompt_is_short_with_one_sentence_for_each_idea(database):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("inform", "", slots={"area": "halton"}, active_loop="concern_form")
    finished(ActionAskConcernPrinciple().run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    words = len(re.findall(r"[\w'’-]+", message["ideas"]))
    assert words <= 100, f"the ideas are {words} words"
    for principle in get_pack("halton").principles:
        assert len(sentences(principle.easy_read)) == 1, principle.easy_read
        assert len(re.findall(r"[\w'’-]+", principle.easy_read)) <= 11, principle.easy_read


# The names families press as buttons: short and plain. The charter's words for
# each are in the comment beside it in the pack.
HALTON_NAMES = {
    "working_together": ("Working together", "working together to produce something"),
    "working_as_equals": ("Working as equals", "working as equals to design new projects"),
    "skills_and_knowledge": ("Skills and know-how", "having the skills and knowledge"),
    "sharing_power": ("Sharing power", "a power shift"),
    "good_results": ("Good results", "achieving positive outcomes"),
    "more_than_asking": ("More than asking", "the same as consultation"),
    "listening": ("Listening", "just about talking and not listening"),
    "asked_before_deciding": ("Your views are used", "asking for peoples' views"),
    "deciding_together": ("Making choices together", "professionals making decisions"),
}
BIRMINGHAM_NAMES = {
    "trusted": ("Trust", "Trusted and able to trust"),
    "listened_to": ("Listened to and heard", "Listened to and heard"),
    "transparency": ("Being open", "Treated with transparency and openness"),
    "communicated_with": ("Good communication", "Fully communicated with"),
    "involved": ("Involved", "Involved"),
    "empowered": ("Using what you know", "Empowered"),
    "equal": ("Equal", "Equal"),
    "accountable": ("Sharing responsibility", "Accountable and able to hold to account"),
}
TOO_HARD = {"Accountable and able to hold to account", "Not deciding alone"}
TOO_HARD |= {"Treated with transparency and openness", "A power shift", "Positive outcomes"}
TOO_HARD |= {"Not the same as consultation", "Fully communicated with", "Empowered"}


@pytest.mark.parametrize("area,names", [("halton", HALTON_NAMES), ("birmingham", BIRMINGHAM_NAMES)])
def test_principle_names_are_short_everyday_words(area, names):
    pack = get_pack(area)
    assert {p.id: p.name for p in pack.principles} == {k: v[0] for k, v in names.items()}
    for principle in pack.principles:
        assert principle.name not in TOO_HARD
        assert len(principle.name.split()) <= 4, principle.name
        assert not principle.name.lower().startswith("not "), principle.name
        # Typing the name picks that idea alone.
        assert principle_matches(pack, principle.name) == [principle.id]
    text = raw(area)
    for _, quote in names.values():
        charter(area, quote)
        assert quote in text, f"the charter's words {quote!r} are not beside the name"


@pytest.mark.parametrize(
    "area,typed,principle",
    [
        ("birmingham", "transparency", "transparency"),
        ("birmingham", "not accountable", "accountable"),
        ("birmingham", "not empowered", "empowered"),
        ("birmingham", "poor communication", "communicated_with"),
        ("halton", "consultation", "more_than_asking"),
        ("halton", "power", "sharing_power"),
    ],
)
def test_the_charter_s_own_words_still_find_the_renamed_idea(area, typed, principle):
    assert principle_matches(get_pack(area), typed) == [principle]


# ---- Birmingham --------------------------------------------------------------------------------


def framework_review_comment() -> str:
    """The comment lines just above ``framework_review:`` in the Birmingham pack."""
    lines = raw("birmingham").splitlines()
    at = lines.index("framework_review:")
    above = []
    for line in reversed(lines[:at]):
        if not line.startswith("#"):
            break
        above.insert(0, line.lstrip("# "))
    return " ".join(above)


def test_birmingham_framework_review_comment_says_the_charter_reviews_the_framework():
    quote = charter(
        "birmingham",
        "Hold a review of the Co-production Framework after six months, and thereafter at "
        "least annually",
    )
    comment = framework_review_comment()
    assert quote in comment
    assert "review, of the whole Co-production Framework" in comment
    assert "not a review of each signer's pledge" in comment
    review = get_pack("birmingham").framework_review
    assert (review.first_after_months, review.then_every_months) == (6, 12)


def partnership_part(items: tuple[str, ...]) -> tuple[str, ...]:
    """The partnership's promises: the lines after the one that introduces them."""
    openers = ("make the partnership's promises", "If you are in the partnership")
    [start] = [i for i, item in enumerate(items) if any(words in item for words in openers)]
    end = next((i for i, item in enumerate(items) if item.startswith("We also make")), len(items))
    return items[start + 1 : end]


def test_birmingham_other_organisations_sign_up_to_the_principles_not_the_partnership_s_pledges():
    charter(
        "birmingham",
        "all other public or private organizations in Birmingham will be invited over Summer "
        "2022 to sign up to the principles in this Framework - this will include all Birmingham "
        "Schools",
    )
    charter("birmingham", "Charter pledges by Birmingham SEND Local Area Partnership")
    items = get_pack("birmingham").pledges["organisation"]
    assert (
        items[0] == "Schools and other services in Birmingham sign up to the ideas in this charter."
    )
    # Every organisation: the eight things everyone "should feel".
    charter("birmingham", "All involved in the SEND system")
    ideas = items[1 : items.index(next(i for i in items if "If you are in the partnership" in i))]
    assert all(idea.startswith("We will help everyone") for idea in ideas)
    for feeling in (
        "trusted",
        "listened to and heard",
        "early and openly",
        "up to date",
        "involved",
        "use what they know",
        "equal",
        "share the job",
    ):
        assert any(feeling in idea for idea in ideas), feeling
    # Only a partnership member makes the partnership's pledges, and the list says so.
    partnership = partnership_part(items)
    assert "The partnership is the council, the NHS and other groups" in items[len(ideas) + 1]
    assert "We will review this charter after six months." in partnership
    assert not any("review" in idea for idea in ideas)


def test_birmingham_forum_makes_the_partnership_s_pledges_and_its_additional_ones():
    charter(
        "birmingham",
        "The SEND Local Area Partnership is a group of public service organisations, including "
        "Birmingham Parent Carer Forum",
    )
    charter("birmingham", "Additional charter pledges by Birmingham Parent Carer Forum")
    pack = get_pack("birmingham")
    forum = pack.pledges["parent_carer_forum"]
    assert forum[0].startswith("The parent carer forum is part of the partnership")
    assert partnership_part(forum) == partnership_part(pack.pledges["organisation"])
    extra = forum[forum.index("We also make these extra promises.") + 1 :]
    charter("birmingham", "Represent parent carers in Birmingham at all strategic SEND")
    assert extra[0].startswith("We will speak for parents and carers")
    assert len(extra) == 13


def test_birmingham_families_pledge_what_their_part_of_the_charter_gives_them():
    charter(
        "birmingham",
        "Parents and carers who work with Birmingham SEND services and support system pledge to:",
    )
    charter(
        "birmingham",
        "Children and Young People who engage with Birmingham SEND services and support system "
        "pledge to:",
    )
    pack = get_pack("birmingham")
    assert pack.pledges["parents_and_carers"] == pack.pledges["young_people"]
    assert len(pack.pledges["parents_and_carers"]) == 11
    assert not any("review" in item for item in pack.pledges["parents_and_carers"])


def test_birmingham_summer_2022_is_said_in_the_past():
    quote = charter(
        "birmingham",
        "Over summer 2022, agree simple and clear procedures for the how to escalate and "
        "resolve any issues arising.",
    )
    assert quote in raw("birmingham")
    forum = get_pack("birmingham").pledges["parent_carer_forum"]
    dated = [item for item in forum if "2022" in item]
    assert dated == [
        "We said we would agree simple steps to raise and solve problems in summer 2022."
    ]
    for _, text in family_texts("birmingham"):
        assert not re.search(r"\bwill\b[^.]*\b2022\b", text), text


def test_birmingham_wider_signatories_list_is_noted_where_it_fits():
    quote = charter("birmingham", "List of Wider Signatories (to be updated every 3 months)")
    assert quote in raw("birmingham")
    note = yaml.safe_load(raw("birmingham"))["source"]["note"]
    assert "List of Wider Signatories (to be updated every 3 months)" in note
    assert "at least every three months" in note


def test_birmingham_time_place_and_papers_are_optional_questions_tied_to_involved():
    charter(
        "birmingham",
        "Consider the needs of young people, parents and carers and young people in the "
        "production of agendas, timings of meetings and venues",
    )
    charter(
        "birmingham",
        "all SEND individuals and families will wish to be involved in a way which fits their "
        "own specific circumstances",
    )
    pack = get_pack("birmingham")
    optional = {q.id: q for q in pack.optional_questions}
    assert list(optional) == ["meeting_time", "meeting_place", "meeting_papers"]
    assert {q.principle for q in optional.values()} == {"involved"}
    assert not set(optional) & {q.id for q in pack.questions}, "the default set stays short"
    assert "time" in optional["meeting_time"].text
    assert "place" in optional["meeting_place"].text
    assert "papers" in optional["meeting_papers"].text


def test_birmingham_trust_is_two_questions_with_one_answer_each():
    charter("birmingham", "Trusted and able to trust")
    pack = get_pack("birmingham")
    able, trusted = pack.question("trust"), pack.question("trusted")
    assert able.text == "Did you feel able to trust the people there?"
    assert trusted.text == "Did you feel the people there trusted you?"
    assert able.principle == trusted.principle == "trusted"
