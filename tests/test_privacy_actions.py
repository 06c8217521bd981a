"""Seeing and deleting what is kept, from inside the chat."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.privacy import ActionForgetMe, ActionShowMyData
from bot.content import get_pack
from bot.names import FORGET_CONVERSATION
from bot.store import concerns, pledges, repository, safeguarding
from bot.store.db import unit_of_work
from bot.store.models import Concern, OutboxMessage, Pledge
from tests.conftest import finished, make_tracker
from tests.project_yaml import project_yaml

SENDER = "web-privacy-person"


def answer_two_questions() -> None:
    with unit_of_work() as session:
        review = repository.ensure_general_review(session, "wirral", "Coffee morning")
        ref = repository.start_or_resume(session, review, SENDER, "web")
        repository.set_profile(session, SENDER, "web", role="young_person", age_band="13_15")
        repository.record_answer(session, ref.response_id, "welcome", "yes", "web", "very kind")
        repository.record_answer(session, ref.response_id, "place", "no", "web")


def test_my_data_shows_every_answer_and_comment_in_easy_read(database):
    answer_two_questions()
    dispatcher = CollectingDispatcher()
    finished(
        ActionShowMyData().run(
            dispatcher, make_tracker("my_data", "what do you know", sender=SENDER), {}
        )
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_my_data"
    summary = message["summary"]
    questions = get_pack("wirral").questions
    assert "📝 Coffee morning (not finished):" in summary
    assert "You said you are a young person." in summary
    assert "You said your age is 13 to 15." in summary
    assert f"{questions[0].text} ✅ Yes" in summary
    assert 'You said: "very kind"' in summary
    assert f"{questions[1].text} ❌ No" in summary
    assert "safety" not in summary


def test_my_data_with_nothing_kept_says_so(database):
    dispatcher = CollectingDispatcher()
    finished(
        ActionShowMyData().run(dispatcher, make_tracker("my_data", "my data", sender="web-new"), {})
    )
    assert dispatcher.messages[0]["response"] == "utter_my_data_none"


def test_my_data_tells_a_person_their_safety_messages_are_kept(database):
    with unit_of_work() as session:
        safeguarding.raise_flag(
            session,
            pseudonym=SENDER,
            channel="web",
            charter="wirral",
            message="hurt",
            detected_by="classifier",
            level="severe",
        )
    dispatcher = CollectingDispatcher()
    finished(
        ActionShowMyData().run(dispatcher, make_tracker("my_data", "my data", sender=SENDER), {})
    )
    assert dispatcher.messages[0]["safety_messages"] == "1 message"


def test_forget_me_deletes_everything_and_asks_the_channel_to_delete_the_chat(database):
    answer_two_questions()
    dispatcher = CollectingDispatcher()
    events = finished(
        ActionForgetMe().run(dispatcher, make_tracker("affirm", "yes", sender=SENDER), {})
    )
    forgotten, signal = dispatcher.messages
    assert forgotten["response"] == "utter_forgotten"
    assert (forgotten["answers"], forgotten["comments"]) == ("2 answers", "1 comment")
    assert signal["custom"] == {"signal": FORGET_CONVERSATION}
    assert {e["name"] for e in events} >= {"review_response_id", "review_charter"}
    assert all(e["value"] is None for e in events)
    with unit_of_work() as session:
        assert repository.held_about(session, SENDER).empty


def test_forget_me_says_safety_messages_are_kept(database):
    with unit_of_work() as session:
        safeguarding.raise_flag(
            session,
            pseudonym=SENDER,
            channel="web",
            charter="wirral",
            message="hurt",
            detected_by="backstop",
            level="severe",
        )
    dispatcher = CollectingDispatcher()
    finished(ActionForgetMe().run(dispatcher, make_tracker("affirm", "yes", sender=SENDER), {}))
    said = [m.get("response") for m in dispatcher.messages]
    assert said[:2] == ["utter_forgotten", "utter_forgotten_safety_kept"]


def sign_and_raise() -> None:
    with unit_of_work() as session:
        pledges.sign_pledge(
            session,
            pseudonym=SENDER,
            channel="web",
            charter="wirral",
            kind="young_people",
            first_name="Jo",
        )
        pledges.sign_pledge(
            session,
            pseudonym=SENDER,
            channel="web",
            charter="birmingham",
            kind="organisation",
            organisation="Youth Club",
            representative="Jo Bloggs",
            representative_role="Lead",
        )
        concern = concerns.raise_concern(
            session,
            pseudonym=SENDER,
            channel="web",
            charter="wirral",
            about="The bus",
            what_happened="It never came.",
            principle=None,
            wants_reply=True,
        )
        concerns.reply_to_concern(session, concern.id, "Sorry, we changed the route.")


def test_my_data_shows_pledges_and_concerns(database):
    sign_and_raise()
    dispatcher = CollectingDispatcher()
    finished(
        ActionShowMyData().run(dispatcher, make_tracker("my_data", "my data", sender=SENDER), {})
    )
    summary = dispatcher.messages[0]["summary"]
    assert "✍️ Pledge: Wirral, as a young person" in summary and "You signed as Jo." in summary
    assert "Birmingham, as Youth Club" in summary and "Signed by Jo Bloggs, Lead." in summary
    assert "💬 Concern about The bus" in summary and 'You said: "It never came."' in summary
    assert 'Staff replied: "Sorry, we changed the route."' in summary


def test_forget_me_deletes_pledges_concerns_and_waiting_messages(database):
    sign_and_raise()
    dispatcher = CollectingDispatcher()
    finished(ActionForgetMe().run(dispatcher, make_tracker("affirm", "yes", sender=SENDER), {}))
    others = dispatcher.messages[0]["others"]
    assert "I deleted 1 pledge." in others and "I deleted 1 concern." in others
    assert "Your name is off 1 organisation pledge." in others
    with unit_of_work() as session:
        assert repository.held_about(session, SENDER).empty
        assert session.scalar(select(func.count()).select_from(Concern)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        [kept] = session.scalars(select(Pledge)).all()
    assert (kept.organisation, kept.pseudonym, kept.representative) == ("Youth Club", None, None)


def test_a_kept_telegram_chat_is_shown_and_forgotten(database):
    from bot.store import telegram
    from bot.store.models import TelegramChat

    with unit_of_work() as session:
        telegram.remember_chat(session, "telegram-person", 555)
    dispatcher = CollectingDispatcher()
    finished(
        ActionShowMyData().run(
            dispatcher, make_tracker("my_data", "my data", sender="telegram-person"), {}
        )
    )
    assert "We keep your Telegram chat number" in dispatcher.messages[0]["summary"]
    finished(
        ActionForgetMe().run(
            CollectingDispatcher(), make_tracker("affirm", "yes", sender="telegram-person"), {}
        )
    )
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(TelegramChat)) == 0


# ---- What is kept after "forget me" ---------------------------------------------------------

DOMAIN = project_yaml("domain.yml")


def flag_a_message(sender: str = SENDER) -> None:
    with unit_of_work() as session:
        safeguarding.raise_flag(
            session,
            pseudonym=sender,
            channel="web",
            charter="wirral",
            message="hurt",
            detected_by="cards",
            level="severe",
        )


def texts_of(response: str) -> list[str]:
    return [variant["text"] for variant in DOMAIN["responses"][response]]


def buttons_of(response: str) -> list[str]:
    return [b["payload"] for v in DOMAIN["responses"][response] for b in v.get("buttons", [])]


def show_my_data(sender: str = SENDER) -> list[dict]:
    dispatcher = CollectingDispatcher()
    finished(
        ActionShowMyData().run(dispatcher, make_tracker("my_data", "my data", sender=sender), {})
    )
    return dispatcher.messages


def test_after_forget_me_my_data_says_what_is_still_kept_and_never_that_it_can_be_deleted(
    database,
):
    answer_two_questions()
    flag_a_message()
    finished(
        ActionForgetMe().run(
            CollectingDispatcher(), make_tracker("affirm", "yes", sender=SENDER), {}
        )
    )
    messages = show_my_data()
    said = [m["response"] for m in messages]
    assert said == ["utter_my_data_safety_only", "utter_my_data_safety_why"]
    only, why = messages
    assert only["safety_messages"] == "1 message"
    # Nothing here can be deleted: no promise that it can, and no delete button.
    for response in said:
        for text in texts_of(response):
            assert "delete all" not in text.lower() and "can delete" not in text.lower()
        assert "/forget_me" not in buttons_of(response)
    # Why it is kept, for how long, and who to ask.
    assert why["keep_for"] == "1 year"
    assert "Email: sendlo@wirral.gov.uk" in why["contact"]
    for text in texts_of("utter_my_data_safety_why"):
        assert all(f"{{{name}}}" in text for name in ("keep_for", "contact"))


def test_my_data_with_answers_and_a_safety_message_says_only_the_answers_can_be_deleted(
    database,
):
    answer_two_questions()
    flag_a_message()
    messages = show_my_data()
    assert [m["response"] for m in messages] == [
        "utter_my_data_some_kept",
        "utter_my_data_safety_why",
    ]
    summary = messages[0]["summary"]
    assert "✅ Yes" in summary and "We keep 1 message that made us worried" in summary
    for text in texts_of("utter_my_data_some_kept"):
        assert "delete all" not in text.lower()


def test_my_data_with_nothing_kept_for_safety_still_offers_to_delete_it_all(database):
    answer_two_questions()
    [message] = show_my_data()
    assert message["response"] == "utter_my_data"
    assert any("delete all" in text for text in texts_of("utter_my_data"))


def test_forget_me_says_how_long_safety_messages_are_kept_and_who_to_ask(database):
    flag_a_message()
    dispatcher = CollectingDispatcher()
    finished(ActionForgetMe().run(dispatcher, make_tracker("affirm", "yes", sender=SENDER), {}))
    said = {m.get("response"): m for m in dispatcher.messages}
    assert said["utter_forgotten_safety_kept"]["safety_messages"] == "1 message"
    why = said["utter_my_data_safety_why"]
    assert why["keep_for"] == "1 year" and "sendlo@wirral.gov.uk" in why["contact"]
