"""What families are told about the law and the charters says no more than the sources.

Section 19 of the Children and Families Act 2014 says a council "must have regard to"
the views of children, young people and parents; the SEND Code of Practice is
guidance that services "must have regard to", not follow to the letter. The Wirral
charter says "There is an expectation that all areas will have Key Workers", and that
its school money plan was drafted by "an experienced Strategic Adviser", then
"further developed with the stakeholders".
"""

from __future__ import annotations

import re

from bot.content import lookup_term, quiz_items
from tests.project_yaml import project_yaml

DOMAIN = project_yaml("domain.yml")
# "must" about what a service does to families, where the law only says "have regard to".
OVERSTATED = re.compile(r"\bmust (follow|listen|work with|give|help|plan)\b", re.IGNORECASE)


def both_forms(term: str) -> list[str]:
    entry = lookup_term(term)
    return [entry["short"], entry["simple"]]


def test_the_law_and_the_code_of_practice_are_not_made_stronger_than_they_are():
    for term in ("Children and Families Act", "Code of Practice"):
        for text in both_forms(term):
            assert not OVERSTATED.search(text), text
    assert "must think about" in lookup_term("Children and Families Act")["short"]
    assert "must pay attention to it" in lookup_term("Code of Practice")["short"]


def test_ccg_is_explained_as_what_the_icb_replaced():
    entry = lookup_term("ccg")
    assert entry["term"] == "ICB"
    assert "Before July 2022, groups called CCGs did this job." in entry["short"]


def test_the_quiz_says_what_the_charter_says_about_key_workers_and_the_money_plan():
    stories = {item.id: item for item in quiz_items()}
    key_workers = stories["key_workers"].story
    assert "should have them" in key_workers and "must" not in key_workers
    money = stories["school_money"]
    assert "adviser wrote the plan" in money.story
    assert "council wrote" not in money.story + money.simple + money.why


def test_choosing_an_area_does_not_promise_a_list_of_promises():
    # Wokingham's guidance has no list of promises; every area's charter says how
    # services will work with families.
    for variant in DOMAIN["responses"]["utter_area_chosen"]:
        assert "promises" not in variant["text"]
