"""The staff side of concerns: the queue, replies, and a reply reaching the person's web chat."""

from __future__ import annotations

import httpx

from bot.cli import main
from bot.server import create_app
from bot.settings import Settings
from bot.store import concerns
from bot.store.db import unit_of_work
from tests.test_web_chat import StandInRasa


def raise_one(pseudonym: str = "web-a", wants_reply: bool = True, channel: str = "web") -> int:
    with unit_of_work() as session:
        return concerns.raise_concern(
            session,
            pseudonym=pseudonym,
            channel=channel,
            charter="wirral",
            about="The transport meeting",
            what_happened="The room had no ramp.",
            principle="value_and_include",
            wants_reply=wants_reply,
        ).id


def test_the_queue_lists_new_concerns_with_what_staff_need(database, capsys):
    assert main(["concerns", "list"]) == 0
    assert "No concerns with status new." in capsys.readouterr().out
    concern = raise_one()
    assert main(["concerns", "list"]) == 0
    out = capsys.readouterr().out
    assert f"#{concern} [new]" in out and "wants a reply" in out
    assert "About: The transport meeting" in out and "The room had no ramp." in out
    assert "Principle: value_and_include" in out


def test_replying_from_the_command_line_queues_the_reply_and_closes_the_concern(database, capsys):
    concern = raise_one()
    assert main(["concerns", "reply", str(concern), "--text", "We added a ramp."]) == 0
    assert "is now resolved" in capsys.readouterr().out
    assert main(["concerns", "list", "--status", "resolved"]) == 0
    assert "Reply sent: We added a ramp." in capsys.readouterr().out
    with unit_of_work() as session:
        [text] = concerns.take_messages(session, "web-a")
    assert "We added a ramp." in text


def test_bad_staff_input_gets_a_clear_message(database, capsys):
    concern = raise_one()
    assert main(["concerns", "reply", "999", "--text", "x"]) == 1
    assert "No concern #999" in capsys.readouterr().err
    assert main(["concerns", "reply", str(concern), "--text", "   "]) == 2
    assert main(["concerns", "reply", str(concern), "--text", "z" * 2001]) == 2
    assert main(["concerns", "set", "999", "resolved"]) == 1
    assert main(["concerns", "set", str(concern), "in_progress"]) == 0
    assert "is now in_progress" in capsys.readouterr().out


async def test_a_reply_reaches_the_person_on_their_next_web_chat_message_once(database):
    rasa = StandInRasa()
    app = create_app(Settings(secret_key="s", rasa_url="http://rasa", database_url=database))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await client.post("/api/chat", json={"text": "hello"})
        sender = rasa.received[0]["sender"]
        concern = raise_one(sender)
        with unit_of_work() as session:
            concerns.reply_to_concern(session, concern, "Sorry. We added a ramp.")
        first = (await client.post("/api/chat", json={"text": "hi again"})).json()["messages"]
        second = (await client.post("/api/chat", json={"text": "and again"})).json()["messages"]
    assert first[0]["text"] == "got hi again"
    assert "Sorry. We added a ramp." in first[1]["text"]
    assert len(first) == 2 and len(second) == 1


async def test_waiting_messages_are_given_when_the_chat_is_opened_once(database):
    rasa = StandInRasa()
    app = create_app(Settings(secret_key="s", rasa_url="http://rasa", database_url=database))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        # A browser that never chatted has nothing waiting and gets no session.
        fresh = await client.post("/api/waiting")
        assert fresh.json() == {"messages": []} and "copro_session" not in fresh.cookies
        await client.post("/api/chat", json={"text": "hello"})
        sender = rasa.received[0]["sender"]
        with unit_of_work() as session:
            concerns.queue_message(session, sender, "web", "concern_reply", "📬 We fixed it.")
            concerns.queue_message(session, "web-someone-else", "web", "concern_reply", "Not yours")
        first = (await client.post("/api/waiting")).json()["messages"]
        second = (await client.post("/api/waiting")).json()["messages"]
    assert first == [{"text": "📬 We fixed it.", "buttons": []}] and second == []
    assert len(rasa.received) == 1  # nothing went to Rasa
