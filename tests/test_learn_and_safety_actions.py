"""Learning, simpler wording, safeguarding and contact actions."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.contact import ActionPointToContact
from actions.learn import ActionExplain, ActionSaySimpler
from actions.safety import ActionSafeguarding
from bot.store.db import unit_of_work
from bot.store.models import SafeguardingFlag
from tests.conftest import make_tracker


@pytest.mark.parametrize(
    "intent,response",
    [
        ("ask_coproduction", "utter_explain_coproduction"),
        ("ask_codesign", "utter_explain_codesign"),
        ("ask_consultation", "utter_explain_consultation"),
        ("ask_charter", "utter_explain_charter"),
    ],
)
def test_each_topic_is_explained_and_remembered(intent, response):
    dispatcher = CollectingDispatcher()
    events = ActionExplain().run(dispatcher, make_tracker(intent, "what is it"), {})
    assert dispatcher.messages[0]["response"] == response
    assert dispatcher.messages[0]["area"] == "Wirral"
    [slot] = events
    assert slot["name"] == "last_explained"
    simpler = CollectingDispatcher()
    ActionSaySimpler().run(
        simpler, make_tracker("simpler", "simpler", slots={slot["name"]: slot["value"]}), {}
    )
    assert simpler.messages[0]["response"] == response + "_simple"


@pytest.mark.parametrize(
    "term", ["EHCP", "ehcp", "an EHCP", "SENCo", "local offer", "the Local Offer"]
)
def test_known_send_words_are_explained(term):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "ask_jargon", f"what is {term}", entities=[{"entity": "term", "value": term}]
    )
    events = ActionExplain().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_jargon"
    assert len(dispatcher.messages[0]["explanation"]) > 20
    simpler = CollectingDispatcher()
    ActionSaySimpler().run(
        simpler, make_tracker("simpler", "eh?", slots={"last_explained": events[0]["value"]}), {}
    )
    assert simpler.messages[0]["response"] == "utter_jargon_simple"
    assert simpler.messages[0]["explanation"] != dispatcher.messages[0]["explanation"]


def test_unknown_word_and_missing_word_get_kind_answers():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "ask_jargon", "what is a flibble", entities=[{"entity": "term", "value": "flibble"}]
    )
    ActionExplain().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_jargon_unknown"
    dispatcher = CollectingDispatcher()
    ActionExplain().run(dispatcher, make_tracker("ask_jargon", "what does it mean"), {})
    assert dispatcher.messages[0]["response"] == "utter_jargon_which"


def test_simpler_with_nothing_explained_says_so():
    dispatcher = CollectingDispatcher()
    ActionSaySimpler().run(dispatcher, make_tracker("simpler", "simpler"), {})
    assert dispatcher.messages[0]["response"] == "utter_simpler_nothing"


@pytest.mark.parametrize("backstop", [False, True])
def test_safeguarding_sends_help_first_and_flags_for_staff(database, backstop):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "safeguarding",
        "someone at home is hurting me",
        active_loop="review_form",
        extra={"risk_backstop": True} if backstop else None,
    )
    ActionSafeguarding().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_safeguarding"
    assert dispatcher.messages[0]["contact_email"] == "sendlo@wirral.gov.uk"
    assert dispatcher.messages[1]["response"] == "utter_safeguarding_carry_on"
    with unit_of_work() as session:
        [flag] = session.scalars(select(SafeguardingFlag)).all()
    assert flag.message == "someone at home is hurting me"
    assert flag.detected_by == ("backstop" if backstop else "intent")
    assert (flag.channel, flag.charter, flag.status) == ("web", "wirral", "new")


def test_safeguarding_help_still_goes_out_when_the_store_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("COPRO_DATABASE_URL", f"sqlite:///{tmp_path}/missing-tables.db")
    from bot.settings import get_settings
    from bot.store import db

    get_settings.cache_clear()
    db.engine_for.cache_clear()
    dispatcher = CollectingDispatcher()
    ActionSafeguarding().run(dispatcher, make_tracker("safeguarding", "i want to die"), {})
    assert dispatcher.messages[0]["response"] == "utter_safeguarding"
    get_settings.cache_clear()
    db.engine_for.cache_clear()


@pytest.mark.parametrize(
    "intent,response",
    [
        ("human_handoff", "utter_contact_person"),
        ("sign_pledge", "utter_not_here_yet"),
        ("forget_me", "utter_not_here_yet"),
    ],
)
def test_contact_points_to_the_local_team(intent, response):
    dispatcher = CollectingDispatcher()
    ActionPointToContact().run(dispatcher, make_tracker(intent, "x"), {})
    assert dispatcher.messages[0]["response"] == response
    assert dispatcher.messages[0]["contact_email"] == "sendlo@wirral.gov.uk"
