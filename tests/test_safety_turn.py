"""The conversation turn at the edge: help first, the gentle check, honest words.

Through bot.server's web chat, against a stand-in Rasa and a real SMTP server.
The safety check here is a stand-in with fixed answers, so each test is about
what the turn does with a level; the real check is tested on its own and end
to end.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from bot.channels.turn import CHECK_NO, CHECK_YES
from bot.content import channel_message, get_pack, safety_help
from bot.safety import NONE, POSSIBLE, SEVERE, Assessment
from bot.server import create_app
from bot.settings import Settings
from bot.store.db import unit_of_work
from bot.store.models import SafeguardingAlert, SafeguardingFlag
from tests.smtp import free_port, smtp_server
from tests.test_web_chat import StandInRasa

SEVERE_WORDS = "he hits me when mum goes out"
POSSIBLE_WORDS = "no i was scared to talk in front of everyone"


class StandInCheck:
    """Fixed levels for fixed words; anything else is ordinary."""

    levels = {SEVERE_WORDS: SEVERE, POSSIBLE_WORDS: POSSIBLE}

    def assess(self, text: str) -> Assessment:
        level = self.levels.get(text, NONE)
        cards = ("test-card",) if level != NONE else ()
        return Assessment(level, cards, 0.9 if level == SEVERE else 0.2)


@pytest.fixture
def rasa() -> StandInRasa:
    return StandInRasa()


def chat(database: str, rasa_app, **values) -> httpx.AsyncClient:
    settings = Settings(secret_key="turn", database_url=database, rasa_url="http://rasa", **values)
    app = create_app(settings)
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa_app))
    app.state.safety_check = StandInCheck()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def say(client: httpx.AsyncClient, **body) -> list[dict]:
    response = await client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def flags() -> list[SafeguardingFlag]:
    with unit_of_work() as session:
        return list(session.scalars(select(SafeguardingFlag).order_by(SafeguardingFlag.id)))


async def test_severe_gets_help_first_and_says_who_was_told_only_when_the_email_went(
    database, rasa
):
    with smtp_server() as (url, mailbox):
        async with chat(database, rasa.app, smtp_url=url, alert_email="duty@x.org") as web:
            messages = await say(web, text=SEVERE_WORDS)
    help_text = messages[0]["text"]
    assert help_text == safety_help(get_pack("wirral"), "local safety team")
    assert help_text.endswith(
        "I have sent this to the local safety team. They read it in working hours."
    )
    assert "This chat is not watched all the time. If you are in danger now, call 999." in help_text
    assert messages[1]["text"] == f"got {SEVERE_WORDS}"  # Rasa's own reply comes after
    [sent] = rasa.received
    assert sent["metadata"]["safety"] == {"level": "severe", "help_given": True, "flag_id": 1}
    [flag] = flags()
    assert (flag.level, flag.cards, flag.message) == ("severe", "test-card", SEVERE_WORDS)
    assert len(mailbox.to("duty@x.org")) == 1


@pytest.mark.parametrize("smtp", ["not set", "down"])
async def test_severe_help_never_claims_an_alert_that_did_not_go(database, rasa, smtp):
    values = {"smtp_url": f"smtp://127.0.0.1:{free_port()}", "alert_email": "duty@x.org"}
    async with chat(database, rasa.app, **(values if smtp == "down" else {})) as web:
        messages = await say(web, text=SEVERE_WORDS)
    help_text = messages[0]["text"]
    assert help_text == safety_help(get_pack("wirral"))
    assert "sent" not in help_text and "told" not in help_text
    assert "999" in help_text and "0800 1111" in help_text
    [flag] = flags()
    assert flag.level == "severe"
    with unit_of_work() as session:
        pending = list(session.scalars(select(SafeguardingAlert)))
    # Down: kept to try again (the dashboard shows it). Not set: nothing to try.
    assert [a.status for a in pending] == (["pending"] if smtp == "down" else [])


async def test_possible_is_checked_gently_and_no_carries_the_held_answer_on(database, rasa):
    async with chat(database, rasa.app) as web:
        [check] = await say(web, text=POSSIBLE_WORDS)
        assert check["text"] == channel_message("safety_check")
        assert check["buttons"] == [
            {"title": "✅ Yes", "payload": CHECK_YES},
            {"title": "❌ No, I'm OK", "payload": CHECK_NO},
        ]
        assert rasa.received == []  # held back until the person answers
        assert flags()[0].check_state == "asked"
        after = await say(web, payload=CHECK_NO)
    assert after[0]["text"] == channel_message("safety_check_thanks")
    assert after[1]["text"] == f"got {POSSIBLE_WORDS}"
    [held] = rasa.received
    assert held["message"] == POSSIBLE_WORDS
    assert held["metadata"]["safety"] == {"level": "possible", "checked": True}
    [flag] = flags()
    assert (flag.level, flag.check_state) == ("possible", "no")


async def test_possible_answered_yes_in_words_becomes_severe_and_alerts(database, rasa):
    with smtp_server() as (url, mailbox):
        async with chat(database, rasa.app, smtp_url=url, alert_email="duty@x.org") as web:
            await say(web, text=POSSIBLE_WORDS)
            messages = await say(web, text="yes")
    assert messages[0]["text"] == safety_help(get_pack("wirral"), "local safety team")
    [held] = rasa.received
    assert held["message"] == POSSIBLE_WORDS and held["metadata"]["safety"]["help_given"]
    [flag] = flags()
    assert (flag.level, flag.check_state) == ("severe", "yes")
    assert len(mailbox.to("duty@x.org")) == 1


async def test_possible_then_something_else_sends_both_on_in_order(database, rasa):
    async with chat(database, rasa.app) as web:
        await say(web, text=POSSIBLE_WORDS)
        messages = await say(web, text="what is an ehcp")
    assert [m["text"] for m in messages] == [f"got {POSSIBLE_WORDS}", "got what is an ehcp"]
    assert [r["message"] for r in rasa.received] == [POSSIBLE_WORDS, "what is an ehcp"]
    assert flags()[0].check_state == "moved_on"


async def test_an_old_yes_button_still_gets_help_and_an_old_no_button_is_old(database, rasa):
    async with chat(database, rasa.app) as web:
        [no] = await say(web, payload=CHECK_NO)
        assert no["text"] == channel_message("old_button")
        yes = await say(web, payload=CHECK_YES)
    assert yes[0]["text"].startswith("I am worried about you")
    assert flags()[0].level == "severe"


async def test_with_rasa_away_a_risk_message_still_gets_help_and_is_kept(database):
    down = StandInRasa(status=503)
    async with chat(database, down.app) as web:
        response = await web.post("/api/chat", json={"text": SEVERE_WORDS})
        ordinary = await web.post("/api/chat", json={"text": "the room was nice"})
    body = response.json()
    assert response.status_code == 200 and body["kept"] is True
    assert body["messages"][0]["text"].startswith("I am worried about you")
    assert body["messages"][1]["text"] == channel_message("kept")
    assert ordinary.json()["messages"][0]["text"] == channel_message("kept")
    assert flags()[0].level == "severe"


async def test_with_the_store_away_a_possible_message_gets_help_at_once(tmp_path, rasa):
    missing = f"sqlite:///{tmp_path / 'no-tables.db'}"
    async with chat(missing, rasa.app) as web:
        messages = await say(web, text=POSSIBLE_WORDS)
    # The check could not wait for an answer: the person gets help rather than nothing.
    assert messages[0]["text"].startswith("I am worried about you")
