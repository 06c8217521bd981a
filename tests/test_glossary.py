"""The jargon buster: every glossary term found and explained, in more than one phrasing."""

from __future__ import annotations

import re

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.content.glossary import glossary_names, glossary_terms, lookup_term
from bot.nlp.phrases import CAPITALS_ONLY, GlossaryTermExtractor

EXTRACTOR = GlossaryTermExtractor()
PHRASINGS = ["what is {}", "whats a {} pls", "what does {} stand for?", "{}?? never heard of it"]


def written_as(name: str) -> str:
    return name.upper() if name in CAPITALS_ONLY else name


def test_at_least_forty_terms_with_easy_read_definitions():
    terms = glossary_terms()
    assert len(terms) >= 40
    for term in terms:
        entry = lookup_term(term)
        assert entry["short"] != entry["simple"]


@pytest.mark.parametrize("name,term", sorted(glossary_names().items()))
def test_every_name_of_every_term_is_found_in_several_phrasings(name, term):
    for phrasing in PHRASINGS:
        text = phrasing.format(written_as(name))
        found = EXTRACTOR.find(text)
        assert [f["value"] for f in found] == [term], text
        assert text[found[0]["start"] : found[0]["end"]].lower() == name


@pytest.mark.parametrize(
    "text,terms",
    [
        ("whats a senco", ["SENCo"]),
        ("WHAT DOES EHCP STAND FOR", ["EHCP"]),
        ("can you send me my data", []),
        ("pass the salt", []),
        ("my son has an EHC needs assessment and sees the ed psych", ["EHCNA", "EP"]),
        ("the meeting was lovely", []),
    ],
)
def test_terms_in_ordinary_messages(text, terms):
    assert [f["value"] for f in EXTRACTOR.find(text)] == terms


def test_process_replaces_overlapping_term_guesses_and_keeps_other_entities():
    message = Message(
        data={
            TEXT: "my code is KD7-M4P whats a senco",
            ENTITIES: [
                {"entity": "review_code", "value": "KD7-M4P", "start": 11, "end": 18},
                {"entity": "term", "value": "senc", "start": 26, "end": 30},
            ],
        }
    )
    [processed] = EXTRACTOR.process([message])
    entities = {(e["entity"], e["value"]) for e in processed.get(ENTITIES)}
    assert entities == {("review_code", "KD7-M4P"), ("term", "SENCo")}


@pytest.mark.parametrize(
    "text,intent",
    [
        ("👍", "affirm"),
        ("👍🏽👍", "affirm"),
        ("👎", "deny"),
        ("🤷‍♀️", "unsure"),
        ("🦄🦄🦄", "nlu_fallback"),
        ("👍👎", "nlu_fallback"),
        ("?!?", "nlu_fallback"),
        ("ok 👍", None),
        ("100%", None),
        ("/affirm", None),
    ],
)
def test_wordless_messages_are_not_guessed(text, intent):
    from bot.nlp.components import WordlessMessageClassifier

    assert WordlessMessageClassifier.intent_for(text) == intent


@pytest.mark.parametrize(
    "text,predicted,expected",
    [
        ("what is ICB", "out_of_scope", "ask_jargon"),
        ("what does respite mean?", "help", "ask_jargon"),
        ("whats a SENCo", "greet", "ask_jargon"),
        ("explain mediation", "simpler", "ask_jargon"),
        ("what is a co-production charter", "ask_charter", "ask_charter"),
        ("what is Code of Practice", "ask_codesign", "ask_jargon"),
        ("what does ICB mean?", "ask_ladder", "ask_jargon"),
        ("what is learning disability", "learn_more", "ask_jargon"),
        ("my son has an EHCP", "out_of_scope", "out_of_scope"),
        ("what is the weather", "out_of_scope", "out_of_scope"),
        ("what is an EHCP", "safeguarding", "safeguarding"),
        # Asking how to get it, or how two words differ, is answered by those intents.
        ("what are the steps to get an EHCP", "ask_how_to", "ask_how_to"),
        ("what is an ehc plan and how do i get one", "ask_how_to", "ask_how_to"),
        ("what is the difference between SEN and SEND", "ask_compare", "ask_compare"),
        ("is SENDIASS the same as IPSEA", "ask_compare", "ask_compare"),
        # ...but not when the question only asks what the word is.
        ("what is an EHCP", "ask_how_to", "ask_jargon"),
        ("what does SEND mean", "ask_compare", "ask_jargon"),
        # "mean" that does not ask what a word means.
        ("his ADHD meds mean he is not hungry at lunch", "out_of_scope", "out_of_scope"),
        ("ehcp means?", "out_of_scope", "ask_jargon"),
        ("what ICB stands for", "out_of_scope", "ask_jargon"),
        ("meaning of EHCP", "greet", "ask_jargon"),
        # A shy ask_jargon guess (0.6 here) is made sure, so no fallback asks again.
        ("what does Ofsted mean?", "ask_jargon", "ask_jargon"),
    ],
)
def test_a_what_is_question_about_a_glossary_word_is_ask_jargon(text, predicted, expected):
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlp.components import JargonQuestionClassifier

    message = Message(data={"text": text})
    message.set("intent", {"name": predicted, "confidence": 0.6})
    message.set("intent_ranking", [{"name": predicted, "confidence": 0.6}])
    EXTRACTOR.process([message])
    JargonQuestionClassifier().process([message])
    assert message.get("intent")["name"] == expected
    assert message.get("intent_ranking")[0]["name"] == expected
    if expected == "ask_jargon":
        assert message.get("intent")["confidence"] == 1.0
        assert [r["confidence"] for r in message.get("intent_ranking")[1:]] == [0.0] * (
            predicted != expected
        )


@pytest.mark.parametrize(
    "text,predicted,expected",
    [
        ("my code is ZZZ-777", "out_of_scope", "start_review"),
        ("ZZZ-777", "nlu_fallback", "start_review"),
        ("here's my review code: kd7-m4p", "help", "start_review"),
        ("i have a code for the meeting KD7-M4P please", "inform", "start_review"),
        # More than a code: the classifier's reading stays.
        ("KD7-M4P was a terrible meeting, nobody listened", "deny", "deny"),
        ("someone hurts me KD7-M4P", "safeguarding", "safeguarding"),
        ("my code is", "out_of_scope", "out_of_scope"),
    ],
)
def test_a_message_that_only_gives_a_review_code_starts_the_review(text, predicted, expected):
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlp.components import ReviewCodeClassifier

    message = Message(data={"text": text})
    message.set("intent", {"name": predicted, "confidence": 0.6})
    message.set("intent_ranking", [{"name": predicted, "confidence": 0.6}])
    found = re.search(r"\b[A-HJ-NP-Za-hj-np-z2-9]{3}-[A-HJ-NP-Za-hj-np-z2-9]{3}\b", text)
    if found:
        entity = {
            "entity": "review_code",
            "value": found.group(0),
            "extractor": "RegexEntityExtractor",
        }
        message.set("entities", [entity])
    ReviewCodeClassifier().process([message])
    assert message.get("intent")["name"] == expected
    assert message.get("intent_ranking")[0]["name"] == expected
