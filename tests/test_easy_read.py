"""Easy read everywhere a family looks: the domain's messages and every charter pack.

Fails on a sentence over 15 words, a reading grade over 6, a SEND word used
without explanation, or a button without a symbol and a word.

Why grade 6: the Flesch-Kincaid grade of 6 is a reading age of about 11, the
youngest age the web chat is for; easy-read guidance asks for text that most
people with a learning disability can follow, which short everyday sentences at
that level give. The subject words the assistant exists to explain
(co-production, co-design, consultation, participation, charter, review) are
counted as one short word, because every message that uses them also explains them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat

from bot.content import list_packs, quiz_items
from bot.content.fields import MAX_WORDS
from bot.content.glossary import _glossary
from bot.content.messages import _channel_messages
from bot.nlp.phrases import GlossaryTermExtractor
from tests.project_yaml import project_yaml

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = project_yaml("domain.yml")
MAX_GRADE = 6.0
SUBJECT_WORDS = re.compile(
    r"co-?produc\w*|co-?design\w*|consult\w*|participation|charters?|reviews?", re.I
)
EXTRACTOR = GlossaryTermExtractor()


def reading_grade(text: str, where: str = "") -> float:
    plain = re.sub(r"\{[a-z_]+\}", "Wirral", text)
    if where.startswith("glossary "):
        # A definition names its own term, often a long official name, to explain it.
        for name, entry in _glossary().items():
            if where.startswith(f"glossary {entry['term']} "):
                plain = re.sub(re.escape(name), "it", plain, flags=re.I)
                plain = re.sub(re.escape(entry["term"]), "it", plain, flags=re.I)
    plain = SUBJECT_WORDS.sub("it", plain)
    plain = re.sub(r"[^\w\s.,?!'’-]", "", plain)
    return textstat.flesch_kincaid_grade(plain)


def sentences(text: str) -> list[str]:
    text = re.sub(r"\{[a-z_]+\}", "X", text)
    # A symbol followed by a capital letter ends a sentence too ("saved ✅ Do you...").
    parts = re.split(
        r"(?<=[.?!:])\s+|\n+|(?<=[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F])\s+(?=[A-Z])", text
    )
    return [p for p in parts if re.search(r"\w", p)]


def unexplained_terms(text: str, buttons: list[dict]) -> list[str]:
    """SEND words in ``text`` that are neither defined there nor offered as a jargon button."""
    offered = " ".join(b.get("payload", "") for b in buttons)
    missing = []
    for found in EXTRACTOR.find(text):
        defined = re.match(r"\s+(is|are|means)\b", text[found["end"] :])
        if not defined and f'"term": "{found["value"]}"' not in offered.replace("{{", "{"):
            missing.append(found["value"])
    return missing


def family_texts():
    """(where, text, buttons) for every message a family can see."""
    for name, variants in DOMAIN["responses"].items():
        for index, variant in enumerate(variants):
            if variant.get("text"):
                yield f"domain {name}[{index}]", variant["text"], variant.get("buttons", [])
    for pack in list_packs():
        for p in pack.principles:
            yield f"{pack.id} principle {p.id}", p.easy_read, []
        for q in pack.questions:
            yield f"{pack.id} question {q.id}", q.text, []
            yield f"{pack.id} question {q.id} (simple)", q.simple, []
        for r in pack.ladder:
            yield f"{pack.id} ladder {r.id}", r.easy_read, []
        for kind, pledges in pack.pledges.items():
            for i, pledge in enumerate(pledges):
                yield f"{pack.id} pledge {kind}[{i}]", pledge, []
    for item in quiz_items():
        for part in ("story", "simple", "why"):
            yield f"quiz {item.id} {part}", getattr(item, part), []
    for key, message in _channel_messages().items():
        yield f"channel message {key}", message, []
    for entry in {e["term"]: e for e in _glossary().values()}.values():
        for part in ("short", "simple"):
            yield f"glossary {entry['term']} {part}", entry[part], []


TEXTS = list(family_texts())
IDS = [where for where, _, _ in TEXTS]


@pytest.mark.parametrize("where,text,buttons", TEXTS, ids=IDS)
def test_short_sentences(where, text, buttons):
    for sentence in sentences(text):
        words = re.findall(r"[\w'’-]+", sentence)
        assert len(words) <= MAX_WORDS, f"{where}: {sentence!r} has {len(words)} words"


@pytest.mark.parametrize("where,text,buttons", TEXTS, ids=IDS)
def test_reading_grade(where, text, buttons):
    grade = reading_grade(text, where)
    assert grade <= MAX_GRADE, f"{where}: grade {grade}: {text!r}"


@pytest.mark.parametrize("where,text,buttons", TEXTS, ids=IDS)
def test_no_unexplained_send_words(where, text, buttons):
    if where.startswith(("domain utter_jargon", "glossary ")):
        return  # these are the explanations
    if " pledge " in where:
        # A promise is read in a list after the word was explained: the list is
        # checked as it is sent, in conversation order, in tests/test_whole_messages.py.
        return
    assert unexplained_terms(text, buttons) == [], where


@pytest.mark.parametrize("where,text,buttons", TEXTS, ids=IDS)
def test_buttons_have_a_symbol_and_a_word(where, text, buttons):
    for button in buttons:
        title = button["title"]
        assert not title[0].isalnum(), f"{where}: button {title!r} has no symbol first"
        assert re.search(r"[A-Za-z]{2,}", title), f"{where}: button {title!r} has no word"


@pytest.mark.parametrize(
    "text,buttons,expected",
    [
        ("Ask your SENCo.", [], ["SENCo"]),
        ("A SENCo is a teacher.", [], []),
        ("What is an EHCP?", [{"payload": '/ask_jargon{"term": "EHCP"}'}], []),
    ],
)
def test_the_unexplained_word_check_itself(text, buttons, expected):
    assert unexplained_terms(text, buttons) == expected


def test_the_grade_check_itself():
    assert reading_grade("You can stop at any time.") <= MAX_GRADE
    hard = "Notwithstanding contemporaneous documentation, multidisciplinary considerations."
    assert reading_grade(hard) > MAX_GRADE


# Responses whose words come from content files that have their own simple forms
# (questions, quiz stories, glossary, a charter's pledges), the safety message, which must always be
# whole, and the message that turns simple mode on.
NO_SIMPLE_VARIANT = frozenset(
    {
        "utter_jargon",
        "utter_simpler_on",
        "utter_review_question",
        "utter_pledge_page",
        "utter_quiz_question",
        "utter_quiz_right",
        "utter_quiz_wrong",
        "utter_safeguarding",
    }
)


def is_simple_variant(variant: dict) -> bool:
    return any(
        c.get("type") == "slot" and c.get("name") == "simple_mode" and c.get("value") is True
        for c in variant.get("condition") or []
    )


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_every_longer_response_has_a_shorter_simple_form(name):
    variants = DOMAIN["responses"][name]
    simple = [v for v in variants if is_simple_variant(v)]
    plain = [v for v in variants if not v.get("condition")]
    assert plain, f"{name}: needs a variant without a condition"
    if name in NO_SIMPLE_VARIANT or (len(sentences(plain[0]["text"])) <= 1 and not simple):
        return
    assert simple, f"{name}: has no simple_mode variant"
    assert variants[0] is simple[0], f"{name}: the simple_mode variant must come first"
    words = len(re.findall(r"[\w'’-]+", simple[0]["text"]))
    assert words < len(re.findall(r"[\w'’-]+", plain[0]["text"])), f"{name}: not shorter"
