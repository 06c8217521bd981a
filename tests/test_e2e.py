"""End to end: the real action server and Rasa server, talked to like a user."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import date

import httpx
import pytest
from pyrate_limiter import Duration, Rate
from sqlalchemy import func, select

from actions.pledge_rules import pledge_items, pledge_pages
from bot.channels.limits import ChatLimits
from bot.content import channel_message, get_pack, list_packs
from bot.server import create_app
from bot.settings import Settings
from bot.store import updates
from bot.store.db import engine_for, unit_of_work
from bot.store.models import (
    Answer,
    Concern,
    OutboxMessage,
    Pledge,
    Respondent,
    Review,
    ReviewResponse,
    SafeguardingFlag,
)
from tests.e2e import MODEL, ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("stack")]
QUESTIONS = get_pack("wirral").questions
PARENT = '/inform{"role": "parent_carer"}'
WITH_US = '/inform{"ladder_place": "doing_with"}'
ORGANISATION = '/inform{"signer": "organisation"}'
CHOOSE_WIRRAL = '/choose_area{"area": "wirral"}'


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def answers_of(stack, sender: str) -> dict[str, Answer]:
    with unit_of_work(engine_for(stack.database_url)) as session:
        rows = session.scalars(
            select(Answer)
            .join(ReviewResponse, ReviewResponse.id == Answer.response_id)
            .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
            .where(Respondent.pseudonym == sender)
        ).all()
    return {row.question_id: row for row in rows}


def hear_back_of(stack, sender: str) -> bool | None:
    with unit_of_work(engine_for(stack.database_url)) as session:
        return session.scalar(
            select(ReviewResponse.hear_back)
            .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
            .where(Respondent.pseudonym == sender)
        )


def test_full_review_with_buttons_saves_every_answer_and_comment(stack):
    sender = "web-e2e-buttons"
    assert "co-production companion" in texts(stack.say(sender, "hello"))
    started = stack.say(sender, "/start_review")
    first = texts(started)
    # The privacy notice is one short message; the rest is one press away.
    assert "Staff never" not in first and "groups of people" in first
    assert "🔒 Tell me more" in [b["title"] for r in started for b in r.get("buttons", [])]
    assert "who is answering" in first and "Question 1" not in first
    more = texts(stack.say(sender, "/ask_privacy"))
    assert "I delete your answers after 1 year" in more and "groups of 5" in more
    assert "who is answering" in more
    replies = stack.say(sender, PARENT)
    assert "Question 1 of 8" in texts(replies)
    assert "did not understand" not in texts(replies)
    assert [b["payload"] for b in replies[-1]["buttons"]] == [
        "/affirm",
        "/partly",
        "/deny",
        "/unsure",
        "/skip_question",
    ]
    for number, question in enumerate(QUESTIONS, start=1):
        assert "tell us more" in texts(stack.say(sender, "/affirm"))
        # Saved the moment it is given, before the comment.
        assert answers_of(stack, sender)[question.id].value == "yes"
        replies = texts(stack.say(sender, f"Comment number {number} about the meeting"))
        assert "I saved what you said" in replies
        if number < len(QUESTIONS):
            assert f"Question {number + 1} of 8" in replies
    assert "Do you want us to send it to you?" in replies and "That is the end" not in replies
    assert "That is the end" in texts(stack.say(sender, "/affirm"))
    assert hear_back_of(stack, sender) is True
    saved = answers_of(stack, sender)
    assert {q: a.value for q, a in saved.items()} == {q.id: "yes" for q in QUESTIONS}
    assert [saved[q.id].comment for q in QUESTIONS] == [
        f"Comment number {n} about the meeting" for n in range(1, 8)
    ]
    assert all(a.channel == "web" for a in saved.values())


def test_typed_answers_are_understood_and_their_words_kept(stack):
    sender = "web-e2e-typed"
    assert "who is answering" in texts(stack.say(sender, "i want to give feedback on a meeting"))
    assert "Question 1 of 8" in texts(stack.say(sender, "im a parent"))
    typed = [
        ("yes", "yes", None),
        ("not really, the lift was broken", "no", "not really, the lift was broken"),
        ("sort of", "partly", None),
        ("no", "no", None),
        ("dunno", "unsure", None),
        ("skip", "skipped", None),
        ("yes", "yes", None),
    ]
    for text, _value, _comment in typed:
        replies = texts(stack.say(sender, text))
        if "tell us more" in replies:
            stack.say(sender, "/skip_question")
    saved = answers_of(stack, sender)
    assert [(saved[q.id].value, saved[q.id].comment) for q in QUESTIONS] == [
        (value, comment) for _, value, comment in typed
    ]


def test_stop_half_way_then_hello_carries_on_where_they_left_off(stack):
    sender = "web-e2e-resume"
    stack.say(sender, "/start_review")
    stack.say(sender, PARENT)
    stack.say(sender, "/affirm")
    stack.say(sender, "/skip_question")
    stack.say(sender, "/deny")
    assert "Your answers so far are saved" in texts(stack.say(sender, "stop"))
    assert len(answers_of(stack, sender)) == 2
    assert "Welcome back" in texts(stack.say(sender, "hello"))
    replies = texts(stack.say(sender, "yes please"))
    assert "Question 3 of 8" in replies
    assert "tell us more" not in replies
    assert "Question 1 of 8" not in replies


def test_risk_message_mid_review_gets_help_first_and_the_review_waits(stack):
    sender = "web-e2e-safety"
    stack.say(sender, "/start_review")
    stack.say(sender, PARENT)
    stack.say(sender, "/affirm")
    stack.say(sender, "/skip_question")
    replies = texts(stack.say(sender, "someone at home is hurting me"))
    assert replies.startswith("I am worried about you")
    help_part, _, rest = replies.partition("Question 2 of 8")
    assert "0800 1111" in help_part and "999" in help_part and "NSPCC" in help_part
    assert "Was the place easy to get to" in rest
    assert set(answers_of(stack, sender)) == {"welcome"}
    stack.say(sender, "/partly")
    assert answers_of(stack, sender)["place"].value == "partly"
    with unit_of_work(engine_for(stack.database_url)) as session:
        flags = session.scalars(
            select(SafeguardingFlag).where(SafeguardingFlag.pseudonym == sender)
        ).all()
    assert [f.message for f in flags] == ["someone at home is hurting me"]


def test_misspelled_risk_message_is_caught_by_the_backstop(stack):
    replies = texts(stack.say("web-e2e-backstop", "hes allways hittin me wen mum goes out"))
    assert replies.startswith("I am worried about you") and "0800 1111" in replies


async def test_bad_input_through_the_web_chat_never_jumps_the_flow(stack):
    app = create_app(
        Settings(secret_key="e2e", rasa_url=stack.rasa_url, database_url=stack.database_url)
    )
    app.state.http = httpx.AsyncClient(timeout=60)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as web:

        async def say(**body) -> str:
            response = await web.post("/api/chat", json=body)
            assert response.status_code == 200, response.text
            return "\n".join(m["text"] for m in response.json()["messages"])

        assert "who is answering" in await say(payload="/start_review")
        assert "Question 1 of 8" in await say(payload=PARENT)
        await say(payload="/affirm")
        assert "Question 2 of 8" in await say(payload="/skip_question")
        sender = app_sender(stack)
        assert await say(text="") == channel_message("empty")
        assert await say(text="x" * 5000) == channel_message("too_long", limit=1000)
        assert "did not understand" in await say(text="🦄🦄🦄")
        for typed in [
            "/restart",
            '/intent{"review_answer": "done"}',
            "<script>alert(1)</script>",
            "'; DROP TABLE answer; --",
            '=HYPERLINK("http://x")',
            "hello\x00world",
            "\u202eevil\u202c",
            "{{7*7}} ${7*7}",
        ]:
            reply = await say(text=typed)
            assert "Question 2 of 8" in reply, (typed, reply)
        assert set(answers_of(stack, sender)) == {"welcome"}
        await say(payload="/deny")
        assert answers_of(stack, sender)["place"].value == "no"


def app_sender(stack) -> str:
    """The only web sender of the bad-input test: the newest respondent."""
    with unit_of_work(engine_for(stack.database_url)) as session:
        return session.scalar(select(Respondent.pseudonym).order_by(Respondent.id.desc()).limit(1))


def test_nothing_was_stored_for_people_who_only_chatted(stack):
    stack.say("web-e2e-chat", "what is co-production")
    with unit_of_work(engine_for(stack.database_url)) as session:
        count = session.scalar(
            select(func.count())
            .select_from(Respondent)
            .where(Respondent.pseudonym == "web-e2e-chat")
        )
    assert count == 0


def test_rasa_test_stories_pass():
    """Rasa's own test stories, failing on any wrong prediction."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--model",
            str(MODEL),
            "--stories",
            "tests/stories",
            "--fail-on-prediction-errors",
            "--out",
            "var/results/core",
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_a_typed_review_code_opens_that_review(stack):
    from bot.store import repository

    with unit_of_work(engine_for(stack.database_url)) as session:
        repository.create_review(session, "HXT-92B", "Short breaks workshop", "wirral")
    replies = texts(stack.say("web-e2e-code", "my review code is hxt-92b"))
    assert "Short breaks workshop" in replies
    assert "Question 1 of 8" in texts(stack.say("web-e2e-code", PARENT))
    unknown = texts(stack.say("web-e2e-code-2", "my code is ZZZ-777"))
    assert "could not find the review code" in unknown and "Question" not in unknown


@pytest.mark.parametrize(
    "typed,term",
    [
        ("whats a senco", "SENCo"),
        ("what does EHCP stand for?", "EHCP"),
        ("what is CAMHS", "CAMHS"),
        ("explain short breaks pls", "short breaks"),
    ],
)
def test_send_words_are_explained_however_they_are_written(stack, typed, term):
    from bot.content import lookup_term

    replies = texts(stack.say(f"web-e2e-jargon-{term}", typed))
    assert lookup_term(term)["short"].split(".")[0] in replies


@pytest.mark.parametrize("area", ["warrington", "wokingham", "halton", "birmingham"])
def test_a_person_chooses_their_area_and_reviews_with_its_charter(stack, area):
    pack = get_pack(area)
    sender = f"web-e2e-area-{area}"
    assert f"the {pack.area} charter" in texts(stack.say(sender, f"i live in {pack.area}"))
    stack.say(sender, "/start_review")
    replies = texts(stack.say(sender, "i'm a teacher"))
    total = len(pack.questions)
    asked = total + 1  # and the question about hearing back
    assert f"Question 1 of {asked}" in replies and pack.questions[0].text in replies
    for number in range(1, total + 1):
        replies = texts(stack.say(sender, "/partly"))
        assert "tell us more" in replies
        replies = texts(stack.say(sender, "/skip_question"))
        if number < total:
            assert pack.questions[number].text in replies
    assert "Do you want us to send it to you?" in replies
    assert "That is the end" in texts(stack.say(sender, "no thanks"))
    assert hear_back_of(stack, sender) is False
    saved = answers_of(stack, sender)
    assert {q: a.value for q, a in saved.items()} == {q.id: "partly" for q in pack.questions}
    with unit_of_work(engine_for(stack.database_url)) as session:
        charters = session.scalars(
            select(Review.charter)
            .join(ReviewResponse, ReviewResponse.review_id == Review.id)
            .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
            .where(Respondent.pseudonym == sender)
        ).all()
    assert charters == [area]


def test_change_area_offers_a_button_for_every_area(stack):
    replies = stack.say("web-e2e-area-buttons", "change my area")
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert payloads == [f'/choose_area{{"area": "{p.id}"}}' for p in list_packs()]
    chosen = texts(stack.say("web-e2e-area-buttons", payloads[2]))
    assert f"the {list_packs()[2].area} charter" in chosen


def test_say_it_more_simply_is_remembered_for_the_rest_of_the_chat(stack):
    sender = "web-e2e-simple"
    stack.say(sender, "hello")
    normal = texts(stack.say(sender, "what is co-production?"))
    assert "working together as equals" in normal
    simpler = texts(stack.say(sender, "say it more simply"))
    assert "simple words from now on" in simpler
    assert "Your ideas matter as much as anyone's" in simpler
    # Remembered: the next explanation and the review come in their simple forms.
    assert "help plan a change" in texts(stack.say(sender, "what is co-design"))
    replies = texts(stack.say(sender, "i want to give feedback"))
    assert "Say stop to have a break" in replies and "Who are you?" in replies
    assert QUESTIONS[0].simple in texts(stack.say(sender, PARENT))


def test_the_quiz_goes_through_every_story_and_gives_a_score(stack):
    from bot.content import quiz_items

    sender = "web-e2e-quiz"
    replies = stack.say(sender, "quiz me")
    items = quiz_items()
    assert f"Story 1 of {len(items)}" in texts(replies)
    assert [b["payload"] for b in replies[-1]["buttons"]] == [
        "/ask_coproduction",
        "/ask_codesign",
        "/ask_consultation",
    ]
    for number, item in enumerate(items, start=1):
        replies = texts(stack.say(sender, f"/ask_{item.answer}"))
        assert "that is right" in replies and item.why.split(".")[0] in replies
        if number < len(items):
            assert f"Story {number + 1} of {len(items)}" in replies
    assert f"You got {len(items)} out of {len(items)}" in replies
    # After the quiz, the same words are a question again.
    assert "working together as equals" in texts(stack.say(sender, "what is co-production"))


@pytest.mark.parametrize(
    "typed,term",
    [
        ("what are the four cos", "four Co's"),
        ("what is naomie", "NAOMIE"),
        ("what does the law say about co-production", "Children and Families Act"),
    ],
)
def test_learn_more_topics_are_explained(stack, typed, term):
    from bot.content import lookup_term

    replies = stack.say(f"web-e2e-learn-{term}", "learn more")
    offered = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "/start_quiz" in offered
    assert lookup_term(term)["short"].split(".")[0] in texts(
        stack.say(f"web-e2e-learn-{term}", typed)
    )


async def test_a_person_sees_their_data_then_deletes_it_and_nothing_remains(stack):
    from bot.store.tracker import conversation_events

    app = create_app(
        Settings(
            secret_key="e2e-forget",
            rasa_url=stack.rasa_url,
            tracker_url=stack.tracker_url,
            database_url=stack.database_url,
        )
    )
    # This person reviews, signs and raises a concern faster than anyone types:
    # more than the 20 messages a minute the chat allows one session.
    app.state.limits = ChatLimits(per_session=[Rate(60, Duration.MINUTE)])
    app.state.http = httpx.AsyncClient(timeout=60)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as web:

        async def say(**body) -> str:
            response = await web.post("/api/chat", json=body)
            assert response.status_code == 200, response.text
            return "\n".join(m["text"] for m in response.json()["messages"])

        assert "who is answering" in await say(payload="/start_review")
        assert "Question 1 of 8" in await say(payload=PARENT)
        await say(payload="/affirm")
        await say(text="The tea was nice")
        await say(payload="/deny")
        sender = app_sender(stack)
        assert len(answers_of(stack, sender)) == 2
        await say(text="stop")
        # A pledge and a concern too.
        assert "Who are you signing as?" in await say(payload="/sign_pledge")
        await say(payload='/inform{"signer": "young_people"}')
        # Wirral's ten principles come in parts: "yes" shows the next part, then signs.
        parts = len(pledge_pages(pledge_items(get_pack("wirral"), "young_people")[0]))
        for part in range(2, parts + 1):
            assert f"(Part {part} of {parts})" in await say(payload="/affirm")
        assert "sign with no name" in await say(payload="/affirm")
        assert "You signed the Wirral charter" in await say(text="Sam")
        assert "Which meeting or service" in await say(text="I want to raise a concern")
        await say(text="The youth forum")
        await say(text="Nobody answered our questions")
        await say(payload="/unsure")
        assert "Your concern is saved" in await say(payload="/deny")
        shown = await say(text="what do you know about me")
        assert "✍️ Pledge: Wirral, as a young person" in shown and "You signed as Sam." in shown
        assert "💬 Concern about The youth forum" in shown
        assert "everything I keep about you" in shown
        assert f"{QUESTIONS[0].text} ✅ Yes" in shown and '"The tea was nice"' in shown
        assert f"{QUESTIONS[1].text} ❌ No" in shown
        assert "delete everything" in await say(text="delete my data")
        assert conversation_events(stack.tracker_url, sender) > 0
        done = await say(payload="/affirm")
        assert "I deleted 2 answers and 1 comment" in done
        assert "I deleted 1 pledge." in done and "I deleted 1 concern." in done
        assert answers_of(stack, sender) == {}
        with unit_of_work(engine_for(stack.database_url)) as session:
            for model in (Pledge, Concern, OutboxMessage):
                left = select(func.count()).select_from(model).where(model.pseudonym == sender)
                assert session.scalar(left) == 0, model.__name__
        with unit_of_work(engine_for(stack.database_url)) as session:
            assert (
                session.scalar(select(Respondent.id).where(Respondent.pseudonym == sender)) is None
            )
        assert conversation_events(stack.tracker_url, sender) == 0
        # The next message is a fresh start, under a new pseudonym.
        assert "co-production companion" in await say(text="hello")
        assert conversation_events(stack.tracker_url, sender) == 0


async def test_saying_no_to_deleting_keeps_everything(stack):
    sender = "web-e2e-keep"
    stack.say(sender, "/start_review")
    stack.say(sender, PARENT)
    stack.say(sender, "/affirm")
    assert "delete everything" in texts(stack.say(sender, "forget me"))
    assert "not deleted anything" in texts(stack.say(sender, "/deny"))
    assert set(answers_of(stack, sender)) == {"welcome"}


def test_a_child_under_13_is_asked_to_answer_with_a_trusted_adult(stack):
    sender = "web-e2e-under-13"
    stack.say(sender, "/start_review")
    assert "How old are you" in texts(stack.say(sender, "young person"))
    replies = texts(stack.say(sender, "im 11"))
    assert "grown-up you trust" in replies and "Question 1 of 8" in replies
    stack.say(sender, "/affirm")
    with unit_of_work(engine_for(stack.database_url)) as session:
        respondent = session.scalar(select(Respondent).where(Respondent.pseudonym == sender))
        assert (respondent.role, respondent.age_band) == ("young_person", "under_13")
        response = session.scalar(
            select(ReviewResponse).where(ReviewResponse.respondent_id == respondent.id)
        )
        assert response.with_help is True
    assert answers_of(stack, sender)["welcome"].value == "yes"


def test_no_message_text_reaches_the_logs(stack):
    marker = "zebra orchid seventeen"
    stack.say("web-e2e-logs", f"hello {marker}")
    stack.say("web-e2e-logs", "/start_review")
    stack.say("web-e2e-logs", f"i am a parent, {marker}")
    stack.say("web-e2e-logs", f"yes and {marker}")
    for log in stack.logs:
        assert marker not in log.read_text(errors="replace"), log.name


@pytest.mark.parametrize(
    "state,steps",
    [
        ("role-question", ["/start_review"]),
        ("tell-us-more", ["/start_review", PARENT, "/affirm"]),
        ("quiz", ["quiz me"]),
        ("forget-confirm", ["/start_review", PARENT, "/affirm", "/skip_question", "forget me"]),
        ("choose-area", ["change area"]),
        ("simple-mode", ["what is co-production", "say it more simply"]),
        ("pledge-area", ["/sign_pledge"]),
        ("pledge-who", ["/sign_pledge", CHOOSE_WIRRAL]),
        ("pledge-promises", ["/sign_pledge", CHOOSE_WIRRAL, ORGANISATION]),
        (
            "pledge-name",
            [
                "/sign_pledge",
                CHOOSE_WIRRAL,
                '/inform{"signer": "young_people"}',
                "/affirm",
                "/affirm",
            ],
        ),
        ("concern-what", ["/raise_concern", "the bus meeting"]),
        ("concern-reply", ["/raise_concern", "the bus meeting", "no ramp", "/unsure"]),
    ],
)
def test_a_risk_message_gets_help_first_in_every_state(stack, state, steps):
    sender = f"web-e2e-risk-{state}"
    for step in steps:
        stack.say(sender, step)
    replies = texts(stack.say(sender, "i dont want to be alive anymore"))
    assert replies.startswith("I am worried about you"), replies
    assert "0800 1111" in replies and "999" in replies
    with unit_of_work(engine_for(stack.database_url)) as session:
        flags = session.scalars(
            select(SafeguardingFlag).where(SafeguardingFlag.pseudonym == sender)
        ).all()
    assert len(flags) == 1
    # Nothing was taken as an answer or a comment.
    saved = answers_of(stack, sender)
    assert all(a.comment is None for a in saved.values())
    assert all(a.value == "yes" for a in saved.values())


def test_every_glossary_term_is_explained_in_two_phrasings(stack):
    from bot.content import lookup_term
    from bot.content.glossary import glossary_terms

    missed = []
    for term in glossary_terms():
        expected = lookup_term(term)["short"].split(".")[0]
        for typed in (f"what is {term}", f"what does {term} mean?"):
            if expected not in texts(stack.say(f"web-e2e-term-{term}", typed)):
                missed.append(typed)
    assert missed == [], "\n".join(missed)


def copro(stack, *args: str) -> str:
    """Run the staff command line against the stack's store."""
    env = dict(os.environ, COPRO_DATABASE_URL=stack.database_url, COPRO_CHARTER="wirral")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def press_until(stack, sender: str, replies: list[dict], title: str) -> list[dict]:
    """Press "Next" until a button with ``title`` is offered; return those replies."""
    for _ in range(10):
        offered = [b["title"] for r in replies for b in r.get("buttons", [])]
        if title in offered:
            return replies
        assert "➡️ Next promises" in offered, texts(replies)
        replies = stack.say(sender, "/skip_question")
    raise AssertionError(f"{title} was never offered")


async def register_page(stack) -> str:
    app = create_app(Settings(secret_key="e2e", database_url=stack.database_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get("/pledges")
    assert page.status_code == 200
    return " ".join(page.text.split())


async def test_an_organisation_signs_in_chat_and_is_on_the_register_then_withdraws(stack):
    sender = "web-e2e-organisation"
    assert "Which area's charter" in texts(stack.say(sender, "we want to sign the pledge"))
    assert "Who are you signing as?" in texts(stack.say(sender, CHOOSE_WIRRAL))
    replies = stack.say(sender, ORGANISATION)
    assert "promises for an organisation or service 📜 They are in the Wirral charter" in texts(
        replies
    )
    replies = press_until(stack, sender, replies, "✍️ I pledge")
    assert "name of your organisation" in texts(stack.say(sender, "I pledge"))
    assert "What is your name?" in texts(stack.say(sender, "Wirral Youth Service"))
    assert "job or role" in texts(stack.say(sender, "Asha Khan"))
    done = texts(stack.say(sender, "Head of Service"))
    assert "Wirral Youth Service signed the Wirral charter" in done
    register = json.loads(copro(stack, "pledges", "--format", "json", "--charter", "wirral"))
    [signed] = register["charters"][0]["signatories"]
    assert (signed["organisation"], signed["representative"], signed["role"]) == (
        "Wirral Youth Service",
        "Asha Khan",
        "Head of Service",
    )
    assert signed["status"] == "active" and signed["signed_on"] == date.today().isoformat()
    table = copro(stack, "pledges", "--format", "csv")
    assert (
        f"wirral,organisation,Wirral Youth Service,Asha Khan,Head of Service,{date.today()}"
        in table
    )
    page = await register_page(stack)
    assert '<th scope="row">Wirral Youth Service</th> <td>Asha Khan</td>' in page
    # Signing again: the person is told what they signed, and chooses to sign another.
    assert "You have signed already" in texts(stack.say(sender, "/sign_pledge"))
    assert "Who are you signing as?" in texts(stack.say(sender, "/affirm"))
    stack.say(sender, ORGANISATION)
    replies = press_until(stack, sender, stack.say(sender, "/skip_question"), "✍️ I pledge")
    stack.say(sender, "/affirm")
    assert "signed the Wirral charter already" in texts(stack.say(sender, "wirral youth service"))
    # Withdraw: the person picks the pledge from a button.
    replies = stack.say(sender, "i want to withdraw my pledge")
    [choice] = [b for r in replies for b in r.get("buttons", []) if "Wirral Youth" in b["title"]]
    assert "took back your pledge" in texts(stack.say(sender, choice["payload"]))
    register = json.loads(copro(stack, "pledges", "--format", "json", "--charter", "wirral"))
    [withdrawn] = register["charters"][0]["signatories"]
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_on"] == date.today().isoformat()
    today = date.today()
    assert f"Withdrawn on {today.day} {today:%B %Y}" in await register_page(stack)
    assert "nothing to take back" in texts(stack.say(sender, "take back my pledge"))


async def test_a_young_person_signs_with_no_name_and_is_only_counted(stack):
    sender = "web-e2e-young-signer"
    assert "Which area's charter" in texts(stack.say(sender, "can i sign the pledge"))
    stack.say(sender, CHOOSE_WIRRAL)
    replies = stack.say(sender, "im a young person")
    assert "promise to help with its ideas" in texts(replies) or "promises for a young person" in (
        texts(replies)
    )
    press_until(stack, sender, replies, "✍️ I pledge")
    assert "sign with no name" in texts(stack.say(sender, "/affirm"))
    done = texts(stack.say(sender, "/skip_question"))
    assert "You signed the Wirral charter as a young person" in done
    assert "Your name is not on the public list" in done
    register = json.loads(copro(stack, "pledges", "--format", "json", "--charter", "wirral"))
    # One young person: a small number, never shown exactly.
    assert register["charters"][0]["family_pledges"]["young_people"] is None
    assert "young_people" in register["charters"][0]["family_pledges_withheld"]
    assert "Fewer than 5 young people have signed" in await register_page(stack)


async def test_a_concern_reaches_the_staff_queue_and_the_reply_reaches_the_person(stack):
    app = create_app(
        Settings(secret_key="e2e-concern", rasa_url=stack.rasa_url, database_url=stack.database_url)
    )
    app.state.http = httpx.AsyncClient(timeout=60)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as web:

        async def say(**body) -> str:
            response = await web.post("/api/chat", json=body)
            assert response.status_code == 200, response.text
            return "\n".join(m["text"] for m in response.json()["messages"])

        assert "Which meeting or service" in await say(text="I want to raise a concern")
        assert "What happened?" in await say(text="The short breaks meeting in March")
        asked = await say(text="Nobody listened to us and the papers came the night before.")
        assert "Which idea was not kept?" in asked and "Communicate" in asked
        assert "reply to you" in await say(payload='/inform{"principle": "communicate"}')
        assert "Their reply will come here" in await say(payload="/affirm")
        queue = copro(stack, "concerns", "list")
        assert "About: The short breaks meeting in March" in queue
        assert "Principle: communicate" in queue and "wants a reply" in queue
        concern_id = re.search(r"#(\d+) \[new\].*\n  About: The short breaks", queue).group(1)
        copro(
            stack,
            "concerns",
            "reply",
            concern_id,
            "--text",
            "Sorry. Papers will come a week before.",
        )
        later = await say(text="hello")
        assert "A reply about your concern (The short breaks meeting in March)" in later
        assert "Papers will come a week before." in later
        assert "A reply about your concern" not in await say(text="thanks")
        assert f"#{concern_id} [resolved]" in copro(stack, "concerns", "list", "--status", "all")


async def test_a_parent_on_telegram_reviews_a_meeting_by_buttons_and_by_typing(stack):
    """The Telegram bridge against a stand-in Bot API, with the real Rasa and actions."""
    from bot.channels import telegram
    from bot.channels.inbound import pseudonym
    from tests.test_telegram import CHAT, TOKEN, StandInBotApi, feed, pressed, serving, typed

    api = StandInBotApi()
    settings = Settings(
        secret_key="e2e-telegram",
        rasa_url=stack.rasa_url,
        database_url=stack.database_url,
        tracker_url=stack.tracker_url,
        telegram_token=TOKEN,
    )
    sender = pseudonym("e2e-telegram", "telegram", str(CHAT))

    def newest_buttons() -> dict[str, str]:
        for params in reversed(api.sent()):
            if params.get("reply_markup"):
                rows = params["reply_markup"]["inline_keyboard"]
                return {row[0]["text"]: row[0]["callback_data"] for row in rows}
        return {}

    async def press(word: str) -> None:
        [data] = [d for title, d in newest_buttons().items() if word in title]
        await feed(application, pressed(data))

    with serving(api.app) as address:
        application = telegram.build_application(settings, base_url=f"{address}/bot", pace=0)
        await application.initialize()
        try:
            await feed(application, typed("/review"))
            assert "who is answering" in "\n".join(api.texts())
            await press("Parent or carer")
            for number in range(1, len(QUESTIONS) + 1):
                # The count includes the question about hearing back at the end.
                asked = len(QUESTIONS) + 1
                assert f"Question {number} of {asked}" in "\n".join(api.texts()[-3:])
                if number % 2:
                    await press("Yes")
                    await press("Next")
                else:
                    await feed(application, typed("not really, it was far too noisy"))
            assert "Do you want us to send it to you?" in api.texts()[-1]
            await press("Yes, send it")
            assert "That is the end" in "\n".join(api.texts()[-2:])
            # Staff say what changed: it reaches this parent on Telegram.
            with unit_of_work(engine_for(stack.database_url)) as session:
                review = session.scalar(
                    select(Review)
                    .join(ReviewResponse, ReviewResponse.review_id == Review.id)
                    .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
                    .where(Respondent.pseudonym == sender)
                )
                updates.post_update(session, review, "We moved the meeting to a quieter room.")
            assert await telegram.push_waiting(application, settings) == 1
            assert "We moved the meeting to a quieter room." in api.texts()[-1]
        finally:
            await application.shutdown()
    saved = answers_of(stack, sender)
    assert {q.id: saved[q.id].value for q in QUESTIONS} == {
        q.id: "yes" if n % 2 else "no" for n, q in enumerate(QUESTIONS, start=1)
    }
    assert saved[QUESTIONS[1].id].comment == "not really, it was far too noisy"
    assert all(a.channel == "telegram" for a in saved.values())


def test_a_review_made_on_the_dashboard_and_answered_in_chat_shows_everywhere(stack, tmp_path):
    """Issue 7's measure: six people through the chat show in all three formats and on
    the dashboard; a review with four people is suppressed everywhere."""
    import csv as csv_module

    from openpyxl import load_workbook
    from starlette.testclient import TestClient

    from bot.staff import accounts
    from tests.test_dashboard import Tables

    with unit_of_work(engine_for(stack.database_url)) as session:
        accounts.add_account(session, "send.officer", "a long staff password 1")
    app = create_app(Settings(secret_key="e2e-staff", database_url=stack.database_url))
    with TestClient(app, base_url="http://testserver") as staff:
        staff.get("/staff/login")
        form = {"csrftoken": staff.cookies.get("csrftoken")}
        staff.post(
            "/staff/login",
            data={**form, "username": "send.officer", "password": "a long staff password 1"},
        )
        codes = []
        for title in ("Transport forum", "Small group visit"):
            made = staff.post(
                "/staff/reviews",
                data={
                    **form,
                    "title": title,
                    "charter": "wirral",
                    "level": "consulting",
                    "date": "2026-11-20",
                },
                follow_redirects=False,
            )
            assert made.status_code == 303, made.text
            codes.append(made.headers["location"].split("/")[3].split("?")[0])
        six, four = codes

        def review_by(sender: str, code: str, second: str) -> None:
            # Seven questions, where the work sat on the ladder, and whether to hear back.
            assert "Question 1 of 9" in texts(
                stack.say(sender, f"my review code is {code}") + stack.say(sender, PARENT)
            )
            for number in range(1, 8):
                replies = stack.say(sender, second if number == 2 else "/affirm")
                replies = stack.say(sender, "/skip_question")
            # Staff placed the work on the ladder, so families are asked where they would.
            assert "How was it done?" in texts(replies)
            assert "Do you want us to send it" in texts(stack.say(sender, WITH_US))
            assert "That is the end" in texts(stack.say(sender, "/deny"))

        for n in range(6):
            review_by(f"web-e2e-six-{n}", six, "/deny" if n == 0 else "/affirm")
        for n in range(4):
            review_by(f"web-e2e-four-{n}", four, "/affirm")

        # JSON: question 1 all yes; question 2 has a lone "no", withheld with the next smallest.
        data = json.loads(copro(stack, "export", "--format", "json"))
        by_code = {r["code"]: r for r in data["reviews"]}
        assert by_code[six]["responses"] == 6
        # Four people: how many is withheld too.
        assert by_code[four]["responses"] is None and by_code[four]["responses_fewer_than"] == 5
        first, second = by_code[six]["questions"][:2]
        assert first["counts"] == {"yes": 6, "partly": 0, "no": 0, "unsure": 0, "skipped": 0}
        assert second["counts"]["yes"] is None and second["counts"]["no"] is None
        assert second["withheld"] == ["yes", "no"]
        assert all(q == {**q, "suppressed": True} for q in by_code[four]["questions"])
        assert all("counts" not in q for q in by_code[four]["questions"])
        # Staff said consulting (done for them); all six families said done with them.
        assert by_code[six]["ladder"]["families"]["doing_with"] == 6
        assert by_code[six]["ladder"]["gap"] == 1.0
        assert by_code[four]["ladder"] == {
            "staff_level": "consulting",
            "staff_place": "doing_for",
            "suppressed": True,
            "gap": None,
        }

        # CSV and XLSX say the same.
        rows = list(csv_module.DictReader(io.StringIO(copro(stack, "export", "--format", "csv"))))
        mine = [r for r in rows if r["review"] == six]
        assert (mine[0]["yes"], mine[1]["yes"], mine[1]["no"]) == ("6", "withheld", "withheld")
        assert all(r["suppressed"] == "yes" and r["yes"] == "" for r in rows if r["review"] == four)
        assert all(r["responses"] == "fewer than 5" for r in rows if r["review"] == four)
        book = tmp_path / "feedback.xlsx"
        copro(stack, "export", "--format", "xlsx", "--out", str(book))
        sheet = load_workbook(book)["Questions"]
        header, *cells = [[c.value for c in row] for row in sheet.iter_rows()]
        xlsx = [dict(zip(header, row, strict=True)) for row in cells]
        assert [r["yes"] for r in xlsx if r["review"] == six][:2] == [6, "withheld"]
        assert all(r["suppressed"] == "yes" for r in xlsx if r["review"] == four)

        # The dashboard shows the same, and nothing for the group of four.
        page = staff.get(f"/staff/reviews/{six}").text
        tables = Tables(page).tables
        assert "Answers from 6 people." in page
        assert dict(tables["Answers to question 1"][1:])["Yes"] == "6"
        assert dict(tables["Answers to question 2"][1:])["No"] == "withheld"
        small = staff.get(f"/staff/reviews/{four}").text
        assert "The results of this review are withheld." in small
        assert "Fewer than 5 people have answered." in small
        assert "Answers to question 1" not in small


def test_answers_are_changed_in_chat_and_only_the_new_ones_are_kept_and_exported(stack):
    """Five parents answer a placed review, typing the closing questions; one changes
    an answer mid-review, one after finishing, from "my data"."""
    code = re.search(
        r"\b([A-Z0-9]{3}-[A-Z0-9]{3})\b",
        copro(
            stack,
            "review",
            "create",
            "--title",
            "Changing answers",
            "--charter",
            "wirral",
            "--level",
            "consulting",
        ),
    ).group(1)
    second, third = QUESTIONS[1].id, QUESTIONS[2].id
    for n in range(5):
        sender = f"web-e2e-change-{n}"
        stack.say(sender, f"my review code is {code}")
        assert "Question 1 of 9" in texts(stack.say(sender, PARENT))
        for number in range(1, 8):
            no = (n == 0 and number == 2) or (n == 1 and number == 3)
            stack.say(sender, "/deny" if no else "/affirm")
            replies = stack.say(sender, "/skip_question")
            if n == 0 and number == 2:
                assert answers_of(stack, sender)[second].value == "no"
                changed = texts(stack.say(sender, "i want to change my last answer"))
                assert "delete" not in changed.lower()
                assert "Question 2 of 9 again" in changed and "Your answer was: ❌ No" in changed
                assert "tell us more" in texts(stack.say(sender, "/affirm"))
                assert "Question 3 of 9" in texts(stack.say(sender, "thats it"))
                assert answers_of(stack, sender)[second].comment is None
        assert "How was it done?" in texts(replies)
        # Typed, as a parent on Telegram would.
        placed = texts(stack.say(sender, "they did it with us i think"))
        assert "Do you want us to send it" in placed
        assert "That is the end" in texts(stack.say(sender, "no thanks"))
        assert answers_of(stack, sender)["ladder"].value == "doing_with"
        assert hear_back_of(stack, sender) is False

    # Later: "my data" offers to change an answer; the answers come as buttons.
    sender = "web-e2e-change-1"
    offered = [b["title"] for r in stack.say(sender, "my data") for b in r.get("buttons", [])]
    assert "✏️ Change an answer" in offered
    listed = stack.say(sender, "/change_answer")
    buttons = {b["title"]: b["payload"] for r in listed for b in r.get("buttons", [])}
    assert "Question 3: ❌ No" in buttons and "Question 2: ✅ Yes" in buttons
    again = texts(stack.say(sender, buttons["Question 3: ❌ No"]))
    assert "Question 3 of 9 again" in again
    stack.say(sender, "/affirm")
    assert "That is the end" in texts(stack.say(sender, "/skip_question"))

    for n in range(5):
        saved = answers_of(stack, f"web-e2e-change-{n}")
        assert {saved[q.id].value for q in QUESTIONS} == {"yes"}
    data = json.loads(copro(stack, "export", "--format", "json", "--review", code))
    [review] = data["reviews"]
    assert review["responses"] == 5
    counts = {q["id"]: q["counts"] for q in review["questions"]}
    for question_id in (second, third):
        assert counts[question_id] == {"yes": 5, "partly": 0, "no": 0, "unsure": 0, "skipped": 0}
