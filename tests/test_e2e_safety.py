"""End to end: a risk message through bot.server (web and Telegram), the real Rasa,
the real action server and a real SMTP server."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.channels import telegram
from bot.channels.inbound import pseudonym
from bot.channels.turn import CHECK_NO, CHECK_YES
from bot.content import channel_message
from bot.server import create_app
from bot.settings import Settings
from bot.store.db import engine_for, unit_of_work
from bot.store.models import SafeguardingFlag
from tests.e2e import free_port
from tests.smtp import smtp_server
from tests.test_e2e import answers_of
from tests.test_telegram import TOKEN, StandInBotApi, feed, serving

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("stack")]
DUTY = "duty@council.example"
SEVERE = "i want to kill myself tonight"
# A "possible" card's words (a fear, no harm told): the gentle check first.
POSSIBLE = "i am scared of my dad"
PARENT = '/inform{"role": "parent_carer"}'
ORGANISATION = '/inform{"signer": "organisation"}'
CHOOSE_WIRRAL = '/choose_area{"area": "wirral"}'
# Every state of every flow: the steps that lead there.
STATES = {
    "start": [],
    "greeted": ["hello"],
    "role-question": ["/start_review"],
    "mid-review": ["/start_review", PARENT],
    "tell-us-more": ["/start_review", PARENT, "/affirm"],
    "quiz": ["quiz me"],
    "forget-confirm": ["/start_review", PARENT, "/affirm", "/skip_question", "forget me"],
    "choose-area": ["change area"],
    "simple-mode": ["what is co-production", "say it more simply"],
    "pledge-area": ["/sign_pledge"],
    "pledge-who": ["/sign_pledge", CHOOSE_WIRRAL],
    "pledge-promises": ["/sign_pledge", CHOOSE_WIRRAL, ORGANISATION],
    "concern-what": ["/raise_concern", "the bus meeting"],
    "concern-reply": ["/raise_concern", "the bus meeting", "no ramp", "/unsure"],
}


def settings(stack, secret: str, smtp_url: str = "", rasa_url: str = "", **values) -> Settings:
    return Settings(
        secret_key=secret,
        rasa_url=rasa_url or stack.rasa_url,
        database_url=stack.database_url,
        tracker_url=stack.tracker_url,
        smtp_url=smtp_url,
        alert_email=DUTY if smtp_url else "",
        public_url="https://copro.example",
        **values,
    )


class Web:
    """The web chat of a bot.server talking to the real Rasa."""

    def __init__(self, settings: Settings) -> None:
        app = create_app(settings)
        app.state.http = httpx.AsyncClient(timeout=60)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=60
        )
        self.app = app

    async def say(self, step: str) -> list[dict[str, Any]]:
        body = {"payload": step} if step.startswith("/") else {"text": step}
        response = await self.client.post("/api/chat", json=body)
        assert response.status_code in (200, 503), response.text
        return response.json()["messages"]

    async def close(self) -> None:
        await self.client.aclose()
        await self.app.state.http.aclose()


def flags_of(stack, sender: str) -> list[SafeguardingFlag]:
    with unit_of_work(engine_for(stack.database_url)) as session:
        query = select(SafeguardingFlag).where(SafeguardingFlag.pseudonym == sender)
        return list(session.scalars(query.order_by(SafeguardingFlag.id)))


def newest_web_sender(stack) -> str:
    with unit_of_work(engine_for(stack.database_url)) as session:
        flag = session.scalar(select(SafeguardingFlag).order_by(SafeguardingFlag.id.desc()))
        return flag.pseudonym


def assert_help_first(texts: list[str], told: bool) -> None:
    first = texts[0]
    assert first.startswith("I am worried about you"), texts
    assert "0800 1111" in first and "call 999" in first
    assert "This chat is not watched all the time." in first
    said_told = "I have sent this to the local safety team." in first
    assert said_told == told, first


@pytest.mark.parametrize("state", list(STATES))
async def test_a_risk_message_on_the_web_gets_help_first_in_every_state(stack, state):
    with smtp_server() as (url, mailbox):
        web = Web(settings(stack, f"e2e-web-{state}", url))
        try:
            for step in STATES[state]:
                await web.say(step)
            texts = [m["text"] for m in await web.say(SEVERE)]
        finally:
            await web.close()
    assert_help_first(texts, told=True)
    sender = newest_web_sender(stack)
    [flag] = flags_of(stack, sender)
    assert flag.level == "severe" and flag.message == SEVERE and flag.context
    # The alert reached the SMTP server, and holds nothing the person wrote.
    [mail] = mailbox.to(DUTY)
    assert f"https://copro.example/staff/safeguarding/{flag.id}" in mail.get_payload()
    assert "kill" not in mail.as_string() and sender not in mail.as_string()
    # Never taken as an answer or a comment.
    assert all(a.comment is None for a in answers_of(stack, sender).values())


UPDATES = itertools.count(90_000)


def update(chat_id: int, step: str, keys: telegram.ButtonKeys) -> dict[str, Any]:
    """A typed message, or a press of the button with that payload, in one chat."""
    base = {"date": int(time.time()), "chat": {"id": chat_id, "type": "private", "first_name": "S"}}
    sender = {"id": chat_id, "is_bot": False, "first_name": "S"}
    if step.startswith("/"):
        return {
            "update_id": next(UPDATES),
            "callback_query": {
                "id": "cb",
                "from": sender,
                "chat_instance": "ci",
                "data": keys.data_for(step),
                "message": {**base, "message_id": 1, "text": "?"},
            },
        }
    return {
        "update_id": next(UPDATES),
        "message": {**base, "message_id": 2, "from": sender, "text": step},
    }


async def telegram_chat(stack, chat_id: int, steps: list[str], **values: Any) -> list[str]:
    """Run the steps in one Telegram chat through the bridge; what the bot sent after the last."""
    api = StandInBotApi()
    with serving(api.app) as address:
        config = settings(stack, "e2e-telegram-safety", telegram_token=TOKEN, **values)
        application = telegram.build_application(config, base_url=f"{address}/bot", pace=0)
        await application.initialize()
        keys = application.bot_data[telegram.BRIDGE_KEY].buttons
        try:
            for step in steps[:-1]:
                await feed(application, update(chat_id, step, keys))
            before = len(api.texts())
            await feed(application, update(chat_id, steps[-1], keys))
        finally:
            await application.shutdown()
    return api.texts()[before:]


@pytest.mark.parametrize("state", list(STATES))
async def test_a_risk_message_on_telegram_gets_help_first_in_every_state(stack, state):
    chat_id = 700_000 + list(STATES).index(state)
    with smtp_server() as (url, mailbox):
        texts = await telegram_chat(stack, chat_id, [*STATES[state], SEVERE], smtp_url=url)
    assert_help_first(texts, told=True)
    sender = pseudonym("e2e-telegram-safety", "telegram", str(chat_id))
    [flag] = flags_of(stack, sender)
    assert flag.level == "severe" and flag.channel == "telegram"
    assert len(mailbox.to(DUTY)) == 1 and "kill" not in mailbox.to(DUTY)[0].as_string()


async def test_with_rasa_stopped_a_risk_message_still_gets_help_on_web_and_telegram(stack):
    stopped = f"http://127.0.0.1:{free_port()}"
    with smtp_server() as (url, mailbox):
        web = Web(settings(stack, "e2e-rasa-stopped", url, rasa_url=stopped))
        try:
            texts = [m["text"] for m in await web.say(SEVERE)]
        finally:
            await web.close()
        telegram_texts = await telegram_chat(
            stack, 800_001, [SEVERE], smtp_url=url, rasa_url=stopped
        )
    for said in (texts, telegram_texts):
        assert_help_first(said, told=True)
        assert said[1] == channel_message("kept")  # and the message is kept for Rasa
    assert len(mailbox.to(DUTY)) == 2


async def test_a_possible_comment_mid_review_answered_no_is_saved_and_the_review_goes_on(stack):
    web = Web(settings(stack, "e2e-possible-no"))
    try:
        await web.say("/start_review")
        await web.say(PARENT)
        assert "tell us more" in "\n".join(m["text"] for m in await web.say("/deny"))
        [check] = await web.say(POSSIBLE)
        assert check["text"] == channel_message("safety_check")
        assert [b["payload"] for b in check["buttons"]] == [CHECK_YES, CHECK_NO]
        texts = [m["text"] for m in await web.say(CHECK_NO)]
    finally:
        await web.close()
    assert texts[0] == channel_message("safety_check_thanks")
    joined = "\n".join(texts)
    assert "I saved what you said" in joined and "Question 2 of 8" in joined
    sender = newest_web_sender(stack)
    [flag] = flags_of(stack, sender)
    assert (flag.level, flag.check_state) == ("possible", "no")
    saved = answers_of(stack, sender)
    [first] = saved.values()
    assert (first.value, first.comment) == ("no", POSSIBLE)


async def test_a_possible_message_answered_yes_gets_help_and_an_alert(stack):
    with smtp_server() as (url, mailbox):
        web = Web(settings(stack, "e2e-possible-yes", url))
        try:
            await web.say("/start_review")
            await web.say(PARENT)
            await web.say(POSSIBLE)
            texts = [m["text"] for m in await web.say("yes")]
        finally:
            await web.close()
    assert_help_first(texts, told=True)
    assert any("Question 1 of 8" in t for t in texts[1:])  # the review waits, then asks again
    [flag] = flags_of(stack, newest_web_sender(stack))
    assert (flag.level, flag.check_state) == ("severe", "yes")
    assert len(mailbox.to(DUTY)) == 1
