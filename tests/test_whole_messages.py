"""Easy read on the whole message a family gets, for every charter, full and simple.

tests/test_easy_read.py checks each string on its own. This file checks what is
sent: the response Rasa picks, with each charter's real values and the action's
buttons (tests/sent_messages.py), read as one message.

Why 80 words: a message is read on a phone. At 390 px wide and the widget's
normal text size, about 80 words and six buttons fill one screen, so a message
is seen whole without scrolling back; easy-read guidance keeps a page to a few
short points. A message with more is cut into parts, as the promises and the
charter's ideas are.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
import yaml

from bot.content import get_pack, list_packs
from bot.content.fields import MAX_WORDS
from bot.content.glossary import _glossary
from bot.settings import PROJECT_ROOT, get_settings
from tests.sent_messages import Conversation, Sent, conversations
from tests.test_easy_read import (
    DOMAIN,
    EXTRACTOR,
    MAX_GRADE,
    family_texts,
    reading_grade,
    sentences,
    unexplained_terms,
)

WORDS = yaml.safe_load((PROJECT_ROOT / "bot/content/words.yml").read_text(encoding="utf-8"))
MAX_MESSAGE_WORDS = 80
MAX_BUTTONS = 6
MAX_BUTTON_WORDS = 5
WORD = re.compile(r"[\w'’-]+")


def words_in(text: str) -> list[str]:
    return WORD.findall(text)


def _phrase(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(words)}(?![\w-])", re.I)


ONE_WORD = {use: [_phrase(other) for other in others] for use, others in WORDS["one_word"].items()}
IDIOMS = [_phrase(idiom) for idiom in WORDS["idioms"]]
ALLOWED_CAPITALS = set(WORDS["capitals_allowed"]) | {
    entry["term"] for entry in _glossary().values() if entry["term"].isupper()
}
EXPLAINED = {
    word: (_phrase(word), re.compile(pattern, re.I)) for word, pattern in WORDS["explain"].items()
}


def plain_words_problems(text: str) -> list[str]:
    """Idioms, shouting capitals and a second word for one thing, in ``text``."""
    problems = [f"idiom {p.pattern!r}" for p in IDIOMS if p.search(text)]
    for word in re.findall(r"\b[A-Z]{2,}\b", text):
        if word not in ALLOWED_CAPITALS:
            problems.append(f"capitals {word!r}")
    for use, others in ONE_WORD.items():
        for other in others:
            found = other.search(text)
            if found and found.group(0) not in ALLOWED_CAPITALS - {"PCF"}:
                problems.append(f"{found.group(0)!r} where the word is {use!r}")
    return problems


CONTACT_DETAILS = re.compile(r"\S+@\S+|\b[\w-]+(\.[\w-]+)+(/\S*)?|\+?\d[\d ]{6,}\d")


def graded(sent: Sent) -> float:
    """The reading grade of the words: e-mail, web and phone details are read as one word.

    An explanation names its own word, often a long official name, to explain it,
    as in tests/test_easy_read.py.
    """
    text = CONTACT_DETAILS.sub("it", sent.text)
    # Each line is read on its own, as a sentence.
    text = re.sub(r"(?<![.?!:])\n", ".\n", text)
    explained = re.search(r"action_explain (.+?) \[", sent.where)
    where = f"glossary {explained.group(1)} " if explained else ""
    return reading_grade(text, where) if text.strip() else 0.0


QUOTED = re.compile(r'"[^"]*"')
# A part of a list that opens with "It" or "They" points back to a message the
# family may not see any more.
BACK_REFERENCE = re.compile(r"^\W*(It|They|This|These|That|Those|Then|So|Also)\b")


def message_problems(sent: Sent, explained_before: frozenset[str] = frozenset()) -> list[str]:
    """Everything wrong with one whole message, or nothing.

    A SEND word is fine when this message or one before it in the conversation
    (``explained_before``) said what it means. Words in quotes are words to type
    into a search, not words to understand.
    """
    problems = []
    text = sent.text
    for sentence in sentences(text):
        if len(words_in(sentence)) > MAX_WORDS:
            problems.append(f"sentence of {len(words_in(sentence))} words: {sentence!r}")
    if len(words_in(text)) > MAX_MESSAGE_WORDS:
        problems.append(f"{len(words_in(text))} words")
    if len(sent.buttons) > MAX_BUTTONS:
        problems.append(f"{len(sent.buttons)} buttons")
    grade = graded(sent)
    if grade > MAX_GRADE:
        problems.append(f"reading grade {grade:.1f}")
    if "action_explain" not in sent.where:
        unexplained = unexplained_terms(QUOTED.sub('""', text), sent.buttons)
        problems += [f"{w!r} not explained" for w in unexplained if w not in explained_before]
    problems += plain_words_problems(text)
    if BACK_REFERENCE.match(text):
        problems.append("a list part opens with a word about the part before")
    for title in sent.titles:
        if len(words_in(title)) > MAX_BUTTON_WORDS:
            problems.append(f"button {title!r} has over {MAX_BUTTON_WORDS} words")
        problems += [f"button {title!r}: {p}" for p in plain_words_problems(title)]
    return problems


def conversation_problems(conversation: Conversation) -> list[str]:
    """Every message's problems, each SEND word explained once being enough."""
    problems, explained = [], set()
    for sent in conversation.sent:
        for problem in message_problems(sent, frozenset(explained)):
            problems.append(f"{sent.where}: {problem}\n    {sent.text!r}")
        unexplained = set(unexplained_terms(sent.text, sent.buttons))
        explained |= {found["value"] for found in EXTRACTOR.find(sent.text)} - unexplained
    return problems


def first_meeting_problems(conversation: Conversation) -> list[str]:
    """A hard word the conversation uses without saying what it means the first time.

    A word on a button is met too.
    """
    problems = []
    for word, (found, explained) in EXPLAINED.items():
        for sent in conversation.sent:
            if not found.search(" ".join([sent.text, *sent.titles])):
                continue
            offered = any(word.lower() in b.get("payload", "").lower() for b in sent.buttons)
            if not offered and not explained.search(sent.text):
                problems.append(f"{sent.where}: {word!r} first met without saying what it is")
            break
    return problems


@cache
def _sent(pack_id: str, simple: bool) -> tuple[Conversation, ...]:
    """Every conversation for one charter and form, run once for the three tests that read it."""
    return tuple(conversations(get_pack(pack_id), simple))


@pytest.fixture
def charter_conversations(database, monkeypatch, request):
    pack_id, simple = request.param
    monkeypatch.setenv("COPRO_CHARTER", pack_id)
    get_settings.cache_clear()
    return _sent(pack_id, simple)


CASES = [(pack.id, simple) for pack in list_packs() for simple in (False, True)]
CASE_IDS = [f"{pack_id}-{'simple' if simple else 'full'}" for pack_id, simple in CASES]


@pytest.mark.parametrize("charter_conversations", CASES, ids=CASE_IDS, indirect=True)
def test_every_whole_message_is_easy_read(charter_conversations):
    problems = [p for c in charter_conversations for p in conversation_problems(c)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("charter_conversations", CASES, ids=CASE_IDS, indirect=True)
def test_hard_words_are_explained_the_first_time_they_are_met(charter_conversations):
    problems = [p for c in charter_conversations for p in first_meeting_problems(c)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("charter_conversations", CASES, ids=CASE_IDS, indirect=True)
def test_the_conversations_send_what_they_should(charter_conversations):
    """The check above reads real messages: each conversation sends some, with buttons."""
    for conversation in charter_conversations:
        assert conversation.sent, conversation.name
        assert all(s.text.strip() for s in conversation.sent), conversation.name
        assert "{" not in " ".join(s.text for s in conversation.sent), "a value was not filled"
    review = next(c for c in charter_conversations if c.name == "review")
    pack = get_pack(review.pack.id)
    questions = [q.simple if review.simple else q.text for q in pack.questions]
    assert all(any(q in s.text for s in review.sent) for q in questions)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Please own up to it.", ["idiom"]),
        ("It was done TO them.", ["capitals"]),
        ("Ask the parents' group.", ['"parents\' group" where']),
        ("The NHS and the SENCo are OK.", []),
        ("You can sign a promise.", []),
    ],
)
def test_the_plain_words_check_itself(text, expected):
    problems = plain_words_problems(text)
    assert len(problems) == len(expected)
    assert all(p.startswith(e) for p, e in zip(problems, expected, strict=True))


def test_the_whole_message_check_itself():
    long = Sent("x", "We will help. " * 30, [{"title": "🔹 One"}] * 7)
    problems = message_problems(long)
    assert any(p.endswith(" words") for p in problems)
    assert "7 buttons" in problems
    part = message_problems(Sent("x", "• They make these promises too.\n\n(Part 2 of 3)"))
    assert part == ["a list part opens with a word about the part before"]
    assert message_problems(Sent("x", "You can stop at any time 👍", [{"title": "✅ Yes"}])) == []


def widget_words() -> list[str]:
    """Every string the web chat itself shows (its WORDS object)."""
    script = (PROJECT_ROOT / "bot/channels/web/static/widget.js").read_text(encoding="utf-8")
    block = script[script.index("var WORDS = {") : script.index("};", script.index("var WORDS"))]
    return re.findall(r'"((?:[^"\\]|\\.)*)"', block)


def everything_a_family_reads() -> list[tuple[str, str]]:
    """(where, text) for every string a family can see, and every button title."""
    found = [(where, text) for where, text, _ in family_texts()]
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            found += [(f"domain {name} button", b["title"]) for b in variant.get("buttons", [])]
    found += [("widget", text) for text in widget_words()]
    return found


@pytest.mark.parametrize("where,text", everything_a_family_reads())
def test_one_word_for_one_thing_and_no_idioms_anywhere(where, text):
    assert plain_words_problems(text) == [], where


def test_the_widget_s_words_are_found():
    assert "📨 Send" in widget_words() and len(widget_words()) > 20


def test_the_first_meeting_check_itself():
    conversation = Conversation("pledges", get_pack("wirral"), simple=False)
    conversation.sent = [
        Sent("page", "We will listen.", [{"title": "✍️ I pledge", "payload": "/affirm"}]),
        Sent("thanks", "A pledge is a promise."),
    ]
    assert len(first_meeting_problems(conversation)) == 1
    conversation.sent.reverse()
    assert first_meeting_problems(conversation) == []
