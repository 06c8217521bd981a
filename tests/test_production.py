"""Faults the production profile survives, with real processes.

Two Rasa servers share PostgreSQL (Rasa's tracker store and ours) and Redis
(Rasa's lock store); bot.server sends each person to one of them. PostgreSQL
and Redis are the machine's own, reached through a proxy a test can cut.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time

import httpx
import pytest
from sqlalchemy import func, select, text

from bot.channels.inbound import pseudonym
from bot.channels.rasa_client import route
from bot.channels.spool import Spool
from bot.cli import action_server_command, rasa_server_command
from bot.content import channel_message, get_pack
from bot.store.db import engine_for, unit_of_work
from bot.store.models import Answer, Respondent, ReviewResponse
from tests.e2e import MODEL, ROOT, free_port, wait_for
from tests.production import Production, running_production, services_missing

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("services")]
QUESTIONS = get_pack("wirral").questions
PARENT = '/inform{"role": "parent_carer"}'


def _services_or_fail() -> None:
    missing = services_missing()
    if not missing:
        return
    message = f"{' and '.join(missing)} cannot be reached: the production fault tests need them"
    if os.environ.get("CI"):
        pytest.fail(message)
    print(f"\n!!! SKIPPED: {message} !!!\n")
    pytest.skip(message)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    _services_or_fail()
    with running_production(tmp_path_factory.mktemp("production")) as running:
        yield running


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def answers_of(production: Production, sender: str) -> list[Answer]:
    with unit_of_work(engine_for(production.direct_database_url)) as session:
        return list(
            session.scalars(
                select(Answer)
                .join(ReviewResponse, ReviewResponse.id == Answer.response_id)
                .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
                .where(Respondent.pseudonym == sender)
            )
        )


def user_events(production: Production, sender: str, message: str) -> int:
    """How many times Rasa's tracker store holds this person saying ``message``."""
    engine = engine_for(production.direct_tracker_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"),
            {"s": sender},
        ).scalars()
        return sum(json.loads(row).get("text") == message for row in rows)


class WebChat:
    """One person on the web chat, through bot.server (cookies kept)."""

    def __init__(self, production: Production) -> None:
        self.production = production
        self.client = httpx.Client(base_url=production.server_url, timeout=60)

    def send(self, message: str) -> list[dict]:
        body = {"payload": message} if message.startswith("/") else {"text": message}
        response = self.client.post("/api/chat", json=body)
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    @property
    def sender(self) -> str:
        """The pseudonym bot.server gives this browser (read from its session cookie)."""
        cookie = self.client.cookies["copro_session"]
        data = cookie.split(".", 1)[0]
        session = json.loads(base64.b64decode(data + "=" * (-len(data) % 4)))
        return pseudonym(self.production.env["COPRO_SECRET_KEY"], "web", session["sid"])

    @property
    def home(self) -> str:
        """The Rasa server bot.server sends this person to first."""
        return route(self.production.rasa_urls, self.sender)[0]


def start_review(say) -> None:
    say("hello")
    say("/start_review")
    assert "Question 1 of 8" in texts(say(PARENT))


def answer(say, number: int) -> str:
    """Answer question ``number`` with Yes and no comment; return the replies' text."""
    assert "tell us more" in texts(say("/affirm"))
    return texts(say("/skip_question"))


def test_a_conversation_alternating_between_two_rasa_servers_keeps_its_state(production):
    sender = "web-alternating"
    servers = production.rasa_urls
    turn = iter(range(1000))

    def say(message: str) -> list[dict]:
        return production.say_to(servers[next(turn) % 2], sender, message)

    start_review(say)
    for number in range(1, len(QUESTIONS) + 1):
        replies = answer(say, number)
        if number < len(QUESTIONS):
            assert f"Question {number + 1} of 8" in replies
    assert "That is the end" in texts(say("/deny"))
    saved = answers_of(production, sender)
    assert sorted(a.question_id for a in saved) == sorted(q.id for q in QUESTIONS)
    assert {a.value for a in saved} == {"yes"}


def test_postgres_away_mid_review_keeps_the_answers_and_saves_them_once(production):
    person = WebChat(production)
    start_review(person.send)
    answer(person.send, 1)
    answer(person.send, 2)
    production.postgres.cut()
    try:
        started = time.monotonic()
        kept = person.send("/affirm")  # the answer to question 3
        assert texts(kept) == channel_message("kept")
        assert time.monotonic() - started < 10
        assert texts(person.send("/skip_question")) == channel_message("kept")
        assert Spool(production.workdir / "spool.db").count() == 2
    finally:
        production.postgres.restore()
    # bot.server tries again every few seconds, in order, once.
    deadline = time.monotonic() + 60
    while Spool(production.workdir / "spool.db").count() and time.monotonic() < deadline:
        time.sleep(1)
    assert Spool(production.workdir / "spool.db").count() == 0
    saved = answers_of(production, person.sender)
    assert sorted(a.question_id for a in saved) == sorted(q.id for q in QUESTIONS[:3])
    assert user_events(production, person.sender, "/affirm") == 3
    # The replies to the kept messages wait for the person (the widget asks for them).
    waiting = person.client.post("/api/waiting", json={}).json()["messages"]
    assert "Question 4 of 8" in texts(waiting)
    for number in range(4, len(QUESTIONS) + 1):
        replies = answer(person.send, number)
        if number < len(QUESTIONS):
            assert f"Question {number + 1} of 8" in replies
    assert "That is the end" in texts(person.send("/deny"))
    saved = answers_of(production, person.sender)
    assert len(saved) == len(QUESTIONS)  # each answer stored once
    assert {a.value for a in saved} == {"yes"}


def test_redis_away_refuses_the_message_rather_than_handling_it_twice(production):
    person = WebChat(production)
    start_review(person.send)
    production.redis.cut()
    try:
        assert texts(person.send("/deny")) == channel_message("kept")
        # Not handled without the lock: Rasa holds no trace of it.
        assert user_events(production, person.sender, "/deny") == 0
        assert answers_of(production, person.sender) == []
    finally:
        production.redis.restore()
    replies = texts(person.send("the room was too hot"))
    assert "tell us more" in replies  # the kept "no" went first
    assert user_events(production, person.sender, "/deny") == 1
    [saved] = answers_of(production, person.sender)
    assert (saved.value, saved.comment) == ("no", "the room was too hot")


def test_action_server_down_gets_a_kind_reply_within_5_seconds(production):
    person = WebChat(production)
    start_review(person.send)
    production.kill("actions")
    try:
        started = time.monotonic()
        replies = person.send("/affirm")
        took = time.monotonic() - started
        assert took < 5, took
        assert texts(replies) == channel_message("trouble")
    finally:
        port = int(production.env["COPRO_ACTION_URL"].rsplit(":", 1)[1].split("/")[0])
        process = production.start("actions", action_server_command(port), production.env)
        wait_for(f"http://127.0.0.1:{port}/health", process, production.logs["actions"])
    # Sent again, the answer is saved and the review goes on.
    assert "tell us more" in texts(person.send("/affirm"))
    [saved] = answers_of(production, person.sender)
    assert saved.value == "yes"


def test_kill_9_of_a_rasa_server_mid_review_then_the_other_carries_on(production):
    person = WebChat(production)
    start_review(person.send)
    for number in (1, 2, 3):
        answer(person.send, number)
    home = person.home
    production.kill(f"rasa{production.rasa_urls.index(home)}")
    replies = texts(person.send("/affirm"))
    assert "tell us more" in replies, replies
    for number in range(4, len(QUESTIONS) + 1):
        if number > 4:
            person.send("/affirm")
        replies = texts(person.send("/skip_question"))
    assert "Do you want us to send it to you?" in replies
    assert "That is the end" in texts(person.send("/deny"))
    saved = answers_of(production, person.sender)
    assert sorted(a.question_id for a in saved) == sorted(q.id for q in QUESTIONS)
    with unit_of_work(engine_for(production.direct_database_url)) as session:
        people = session.scalar(
            select(func.count())
            .select_from(Respondent)
            .where(Respondent.pseudonym == person.sender)
        )
    assert people == 1


@pytest.mark.parametrize("store", ["tracker", "lock"])
def test_rasa_will_not_start_without_its_store(store, tmp_path):
    _services_or_fail()
    if not MODEL.exists():
        pytest.fail("No trained model: run `make test`, which trains first.")
    closed = free_port()  # nothing listens here
    env = dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        COPRO_ACTION_URL="http://127.0.0.1:9/webhook",
        COPRO_TRACKER_URL="postgresql://postgres@127.0.0.1:5432/test",
        COPRO_REDIS_URL="redis://127.0.0.1:6379/2",
    )
    if store == "tracker":
        env["COPRO_TRACKER_URL"] = f"postgresql://postgres@127.0.0.1:{closed}/test"
    else:
        env["COPRO_REDIS_URL"] = f"redis://127.0.0.1:{closed}/2"
    command = rasa_server_command(MODEL, ROOT / "endpoints.production.yml", free_port())
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "will not start with a store in memory" in output
    assert f"its {store} store" in output
