"""Leaving in everyday words, and frustration with the assistant.

"I need to go, the kids are home" is a goodbye: the reply says what is saved
and how to come back. "You're useless" gets a kind reply with a way forward,
not "Sorry, I did not understand". Concerns about services and messages about
risk must not be taken for frustration with the assistant.
"""

from __future__ import annotations

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa_sdk.executor import CollectingDispatcher
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

from actions.frustration import ActionBotFrustration
from actions.goodbye import ActionGoodbye, ActionPauseReview
from bot.settings import PROJECT_ROOT
from bot.store import repository
from bot.store.db import unit_of_work
from tests.conftest import finished, make_tracker
from tests.project_yaml import project_yaml

DOMAIN = project_yaml("domain.yml")
FRUSTRATION = "bot_frustration"
SENDER = "web-leaving-person"

# The messages from typed chats, and others not copied from the training data.
LEAVING = [
    "i need to go, the kids are home",
    "sorry got to run",
    "kids are home now",
    "brb",
    "ok talk later",
    "have to dash, the school bus is here",
    "someone's at the door, gotta go",
    "need to go and make the tea, bye",
]
FRUSTRATED = [
    "you're useless",
    "this is rubbish",
    "stupid bot",
    "you are not helping me at all",
    "what a useless chatbot",
    "this bot is a waste of time",
    "you dont understand anything i say",
]
NOT_FRUSTRATED = [
    # Concerns about a service, in angry words.
    "the council were useless at the meeting and i want to complain",
    "the panel was rubbish, they ignored us and i want to raise it",
    "the school is useless, they never listen to us, i want to report it",
    "i want to complain, the send team never reply to my emails",
    # Review answers.
    "no it was rubbish",
    "no, the papers were useless",
]
# Risk: `safeguarding` is the safety check's decision, whatever the words model says.
RISK = [
    "my dad calls me stupid and useless and hits me",
    "i feel useless and i want to die",
]


@pytest.fixture(scope="module")
def training_data():
    return load_data(str(PROJECT_ROOT / "nlu_data" / "nlu"))


@pytest.fixture(scope="module")
def words_model(training_data):
    """A bag-of-words model of the training data: words and letter groups, as config.yml uses.

    Not the assistant's model (that needs `rasa train`); it shows what the examples
    teach, so examples that pull the wrong way are found without training.
    """
    texts = [e.get("text").lower() for e in training_data.intent_examples]
    labels = [e.get("intent") for e in training_data.intent_examples]
    model = make_pipeline(
        make_union(
            CountVectorizer(),
            CountVectorizer(analyzer="char_wb", ngram_range=(1, 4)),
        ),
        LinearSVC(C=0.5, max_iter=5000, random_state=0),
    )
    return model.fit(texts, labels)


def test_the_new_intent_is_in_the_domain_with_enough_varied_examples(training_data):
    assert FRUSTRATION in DOMAIN["intents"]
    examples = [
        e.get("text") for e in training_data.intent_examples if e.get("intent") == FRUSTRATION
    ]
    assert len(examples) >= 40
    assert len({e.lower() for e in examples}) == len(examples)


@pytest.mark.parametrize("text", LEAVING)
def test_leaving_in_everyday_words_is_a_goodbye(words_model, text):
    assert words_model.predict([text])[0] == "goodbye"


@pytest.mark.parametrize("text", FRUSTRATED)
def test_frustration_with_the_assistant_is_understood(words_model, text):
    assert words_model.predict([text])[0] == FRUSTRATION


@pytest.mark.parametrize("text", NOT_FRUSTRATED)
def test_concerns_answers_and_risk_are_not_taken_for_frustration(words_model, text):
    assert words_model.predict([text])[0] != FRUSTRATION


@pytest.fixture(scope="module")
def safety():
    from bot.safety import safety_check
    from bot.settings import get_settings

    return safety_check(get_settings().safety_model)


@pytest.mark.parametrize("text", RISK)
def test_risk_in_angry_words_is_still_a_risk_message(safety, text):
    assert safety.assess(text).level != "none"


def test_no_frustration_example_is_a_risk_message(training_data, safety):
    """The safety check decides `safeguarding`: an example it flags would teach a contradiction."""
    flagged = [
        e.get("text")
        for e in training_data.intent_examples
        if e.get("intent") == FRUSTRATION and safety.assess(e.get("text")).level != "none"
    ]
    assert flagged == []


def frustration_reply(text: str) -> str:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(FRUSTRATION, text)
    assert ActionBotFrustration().run(dispatcher, tracker, {}) == []
    [message] = dispatcher.messages
    return message["response"]


@pytest.mark.parametrize("text", [*FRUSTRATED, "useless", "ffs", "/bot_frustration"])
def test_frustration_with_the_assistant_gets_sorry_and_a_way_forward(text):
    assert frustration_reply(text) == "utter_bot_frustration"


@pytest.mark.parametrize(
    "text", ["my dad calls me stupid", "the school is useless", "they never listen to us"]
)
def test_anger_about_someone_else_is_not_answered_as_frustration_with_the_assistant(text):
    assert frustration_reply(text) == "utter_default"


def rules(name: str) -> list[dict]:
    path = PROJECT_ROOT / "nlu_data" / "rules" / name
    return yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]


def answer_after(intent: str) -> list[str]:
    """The actions a rule without a form runs after ``intent``."""
    for rule in rules("welcome.yml"):
        steps = rule["steps"]
        if steps[0] == {"intent": intent} and not rule.get("condition"):
            return [step["action"] for step in steps[1:]]
    raise AssertionError(f"no rule for {intent}")


def test_goodbye_and_frustration_have_their_own_answers():
    assert answer_after("goodbye") == ["action_goodbye"]
    assert answer_after(FRUSTRATION) == ["action_bot_frustration"]


def test_the_frustration_reply_is_kind_and_offers_a_way_forward():
    for variant in DOMAIN["responses"]["utter_bot_frustration"]:
        assert variant["text"].startswith("Sorry")
        assert "did not understand" not in variant["text"]
        payloads = [b["payload"] for b in variant["buttons"]]
        assert {"/human_handoff", "/help"} <= set(payloads)
    plain = DOMAIN["responses"]["utter_bot_frustration"][-1]
    assert "✍️" in plain["text"]
    assert "/simpler" in [b["payload"] for b in plain["buttons"]]


def test_a_review_pauses_kindly_on_goodbye():
    """Inside a review a goodbye is never taken as an answer: the review pauses."""
    for slot in ("review_answer", "review_role", "review_age"):
        [mapping] = DOMAIN["slots"][slot]["mappings"]
        assert "goodbye" in mapping["not_intent"]
    paused = [
        r
        for r in rules("review.yml")
        if r.get("condition") == [{"active_loop": "review_form"}]
        and r["steps"][0] == {"intent": "goodbye"}
    ]
    assert paused and paused[0]["steps"][1] == {"action": "action_deactivate_loop"}


def say_goodbye(channel: str = "web") -> list[dict]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "goodbye", "i need to go, the kids are home", sender=SENDER, channel=channel
    )
    assert finished(ActionGoodbye().run(dispatcher, tracker, {})) == []
    return dispatcher.messages


def start_review(answers: int, finish: bool = False) -> None:
    with unit_of_work() as session:
        review = repository.ensure_general_review(session, "wirral", "Coffee morning")
        ref = repository.start_or_resume(session, review, SENDER, "web")
        for question in ("welcome", "place")[:answers]:
            repository.record_answer(session, ref.response_id, question, "yes", "web")
        if finish:
            repository.finish_response(session, ref.response_id)


def texts(response: str) -> str:
    return " ".join(v["text"] for v in DOMAIN["responses"][response])


def test_goodbye_half_way_through_a_review_says_the_answers_are_saved_and_how_to_come_back(
    database,
):
    start_review(answers=2)
    [web] = say_goodbye("web")
    [telegram] = say_goodbye("telegram")
    assert web["response"] == "utter_goodbye_unfinished_web"
    assert telegram["response"] == "utter_goodbye_unfinished"
    for response in (web["response"], telegram["response"]):
        assert "saved" in texts(response) and "hello" in texts(response).lower()
    # On the web chat a closed browser ends the chat unless the person stays signed in.
    assert "Keep me signed in" in texts("utter_goodbye_unfinished_web")


def test_goodbye_after_a_finished_review_says_the_answers_are_saved(database):
    start_review(answers=2, finish=True)
    [message] = say_goodbye()
    assert message["response"] == "utter_goodbye_saved"
    assert "saved" in texts("utter_goodbye_saved")


@pytest.mark.parametrize("answers", [0, None])
def test_goodbye_with_nothing_saved_claims_nothing(database, answers):
    if answers is not None:
        start_review(answers=answers)
    [message] = say_goodbye()
    assert message["response"] == "utter_goodbye"
    assert "saved" not in texts("utter_goodbye")


def say_stop() -> str:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("stop", "stop", sender=SENDER, active_loop="review_form")
    assert finished(ActionPauseReview().run(dispatcher, tracker, {})) == []
    [message] = dispatcher.messages
    return message["response"]


def test_stop_after_some_answers_says_they_are_saved(database):
    start_review(answers=1)
    assert say_stop() == "utter_review_paused"
    assert "saved" in texts("utter_review_paused")


@pytest.mark.parametrize("answers", [0, None])
def test_stop_before_any_answer_does_not_say_answers_were_saved(database, answers):
    if answers is not None:
        start_review(answers=answers)
    assert say_stop() == "utter_review_paused_nothing_saved"
    assert "are saved" not in texts("utter_review_paused_nothing_saved")


def test_stop_in_a_review_uses_the_truthful_pause():
    paused = [
        r
        for r in rules("review.yml")
        if r.get("condition") == [{"active_loop": "review_form"}]
        and r["steps"][0] == {"intent": "stop"}
    ]
    assert paused and paused[0]["steps"][-1] == {"action": "action_pause_review"}
