"""Each review question asks one thing, and its simple form asks the same thing.

A family answers each question with one yes or no, and the answers to the full
and the simple form are counted together. So a question must not join a second
question on ("Did you feel trusted, and able to trust?"), and the simple form
must keep the full form's own subject words ("welcome" stays "welcome", not
"friendly").
"""

from __future__ import annotations

import re

import pytest

from bot.content import list_packs

# Words any question may use that say nothing about what it asks.
GENERIC = frozenset(
    """a about after all an and any are as at be before by can could did do does for from
    get got had has have how i if in into is it its like make made meeting of on or other
    others people person so some someone than that the their them then there they this to
    told too up us was were what when where which who why will with you your yours
    feel felt know knew think enough good well really right all""".split()
)
_SECOND_QUESTION = re.compile(
    r"(,| and| or) (were|was|did|do|could|can|are|is|able|have|had|would)\b(?! you (like|want))"
)


def subject_words(text: str) -> set[str]:
    """The words that say what a question asks, each cut to a short stem."""
    words = re.findall(r"[a-z]+", text.lower().replace("’", "'"))
    return {_stem(word) for word in words if word not in GENERIC and len(word) > 2}


def _stem(word: str) -> str:
    """A rough stem: "changes", "changed" and "change" meet; so do "easily" and "easy"."""
    word = re.sub(r"ily$", "y", word)
    for ending in ("ful", "ly", "ing", "ed", "es", "s", "e", "y"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
    return word


QUESTIONS = [
    (pack.id, question)
    for pack in list_packs()
    for question in (*pack.questions, *pack.optional_questions)
]
IDS = [f"{area} {question.id}" for area, question in QUESTIONS]


@pytest.mark.parametrize("area,question", QUESTIONS, ids=IDS)
def test_each_form_asks_one_question(area, question):
    for form in (question.text, question.simple):
        assert form.count("?") == 1 and form.rstrip().endswith("?"), form
        asked = form.split(". ")[-1]  # a question may follow a sentence that explains a word
        assert not _SECOND_QUESTION.search(asked), f"{area} {question.id}: two questions: {form}"


@pytest.mark.parametrize("area,question", QUESTIONS, ids=IDS)
def test_the_simple_form_keeps_the_subject_of_the_question(area, question):
    shared = subject_words(question.text) & subject_words(question.simple)
    assert shared, (
        f"{area} {question.id}: {question.simple!r} shares no subject word with {question.text!r}"
    )


@pytest.mark.parametrize(
    "form,double",
    [
        ("Did you feel trusted, and able to trust the people there?", True),
        ("Were you asked, and were your views used?", True),
        ("Was the place easy to get to and get into?", False),
        ("Could you choose to join online, by phone or face to face?", False),
    ],
)
def test_the_second_question_check_itself(form, double):
    assert bool(_SECOND_QUESTION.search(form)) is double


def test_the_subject_word_check_itself():
    assert not subject_words("Did you feel welcome?") & subject_words("Were people friendly?")
    papers = subject_words("Were the papers easy to read?")
    assert papers & subject_words("Could you read the papers?")
