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
import yaml

from bot.content import list_packs
from bot.content.loader import MAX_WORDS
from bot.nlp.components import GlossaryTermExtractor

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
MAX_GRADE = 6.0
SUBJECT_WORDS = re.compile(
    r"co-?produc\w*|co-?design\w*|consult\w*|participation|charters?|reviews?", re.I
)
EXTRACTOR = GlossaryTermExtractor()


def reading_grade(text: str) -> float:
    plain = re.sub(r"\{[a-z_]+\}", "Wirral", text)
    plain = SUBJECT_WORDS.sub("it", plain)
    plain = re.sub(r"[^\w\s.,?!'’-]", "", plain)
    return textstat.flesch_kincaid_grade(plain)


def sentences(text: str) -> list[str]:
    text = re.sub(r"\{[a-z_]+\}", "X", text)
    # A symbol followed by a capital letter ends a sentence too ("saved ✅ Do you...").
    parts = re.split(
        r"(?<=[.?!:])\s+|\n+|(?<=[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F])\s+(?=[A-Z])", text
    )
    return [p for p in parts if p.strip()]


def unexplained_terms(text: str, buttons: list[dict]) -> list[str]:
    """SEND words in ``text`` that are neither defined there nor offered as a jargon button."""
    offered = " ".join(b.get("payload", "") for b in buttons)
    missing = []
    for found in EXTRACTOR.find_terms(text):
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


TEXTS = list(family_texts())
IDS = [where for where, _, _ in TEXTS]


@pytest.mark.parametrize("where,text,buttons", TEXTS, ids=IDS)
def test_short_sentences(where, text, buttons):
    for sentence in sentences(text):
        words = re.findall(r"[\w'’-]+", sentence)
        assert len(words) <= MAX_WORDS, f"{where}: {sentence!r} has {len(words)} words"


@pytest.mark.parametrize("where,text,buttons", TEXTS, ids=IDS)
def test_reading_grade(where, text, buttons):
    assert reading_grade(text) <= MAX_GRADE, f"{where}: grade {reading_grade(text)}: {text!r}"


@pytest.mark.parametrize("where,text,buttons", TEXTS, ids=IDS)
def test_no_unexplained_send_words(where, text, buttons):
    if where.startswith("domain utter_jargon"):
        return  # these are the explanations
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
