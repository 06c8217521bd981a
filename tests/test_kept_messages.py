"""Messages kept while Rasa cannot take them, and the choice of Rasa server."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from bot.channels.kept import KEPT_REPLY, delivery
from bot.channels.rasa_client import (
    KEPT,
    RasaGateway,
    RasaUnavailable,
    kind_reply,
    route,
)
from bot.channels.spool import Spool
from bot.content import channel_message
from bot.server import create_app
from bot.settings import Settings
from bot.store import concerns
from bot.store.db import engine_for, unit_of_work
from bot.store.models import OutboxMessage


class Servers:
    """Stand-in Rasa servers on named hosts; each can be down, refusing or quiet."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, str]] = []  # (host, sender, text)
        self.down: set[str] = set()
        self.refusing = False
        self.quiet = False

    def transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            host = request.url.host
            if host in self.down:
                raise httpx.ConnectError("refused", request=request)
            body = json.loads(request.content)
            self.received.append((host, body["sender"], body["message"]))
            if self.refusing:
                return httpx.Response(503, json={"error": "not handled"})
            if self.quiet:
                return httpx.Response(200, json=[])
            return httpx.Response(200, json=[{"text": f"{host}: {body['message']}"}])

        return httpx.MockTransport(handle)


URLS = ["http://rasa-a", "http://rasa-b", "http://rasa-c"]


@pytest.fixture
def servers() -> Servers:
    return Servers()


@pytest.fixture
def gateway(servers, tmp_path) -> RasaGateway:
    client = httpx.AsyncClient(transport=servers.transport())
    return RasaGateway(client, URLS, Spool(tmp_path / "spool.db"))


def test_a_person_always_starts_at_the_same_server_and_people_spread_out():
    people = [f"web-{n}" for n in range(300)]
    first = {person: route(URLS, person)[0] for person in people}
    assert all(route(URLS, person)[0] == first[person] for person in people)
    spread = {url: list(first.values()).count(url) for url in URLS}
    assert all(60 <= count <= 140 for count in spread.values()), spread
    # Removing a server moves only the people who were on it.
    without_b = {p: route([URLS[0], URLS[2]], p)[0] for p in people}
    moved = [p for p in people if without_b[p] != first[p]]
    assert moved and all(first[p] == "http://rasa-b" for p in moved)


async def test_a_server_that_cannot_be_reached_is_passed_over(gateway, servers):
    person = "web-person"
    home = route(URLS, person)[0]
    servers.down.add(home.removeprefix("http://"))
    reply = await gateway.send(person, "yes", "web")
    [(host, _, text)] = servers.received
    assert host == route(URLS, person)[1].removeprefix("http://") and text == "yes"
    assert reply.messages[0]["text"] == f"{host}: yes"


async def test_a_refused_message_is_kept_then_sent_first_once_rasa_is_back(gateway, servers):
    servers.refusing = True
    reply = await gateway.send("web-p", "yes", "web")
    assert reply.signals == {KEPT} and reply.messages[0]["text"] == channel_message("kept")
    # Refused by one server: not sent to the others (they share the same stores).
    assert len(servers.received) == 1
    reply = await gateway.send("web-p", "no", "web")
    assert reply.signals == {KEPT}
    assert gateway.spool.count() == 2
    servers.refusing = False
    reply = await gateway.send("web-p", "it was fine", "web")
    texts = [message["text"].split(": ", 1)[1] for message in reply.messages]
    assert texts == ["yes", "no", "it was fine"]
    assert gateway.spool.count() == 0


async def test_with_every_server_down_the_message_is_kept(gateway, servers):
    servers.down.update({"rasa-a", "rasa-b", "rasa-c"})
    reply = await gateway.send("web-p", "yes", "web")
    assert reply.signals == {KEPT} and servers.received == []
    assert gateway.spool.count() == 1


async def test_a_message_that_must_not_be_kept_raises(gateway, servers):
    servers.refusing = True
    with pytest.raises(RasaUnavailable):
        await gateway.send("web-p", "/restart", "web", keep=False)
    assert gateway.spool.count() == 0


async def test_no_reply_at_all_means_trouble_and_a_kind_message(gateway, servers):
    servers.quiet = True
    reply = await gateway.send("web-p", "yes", "web")
    assert reply.messages == kind_reply("trouble").messages
    assert (await gateway.send("web-p", "/restart", "web", expect_reply=False)).messages == []


async def test_kept_messages_are_sent_in_the_background_and_replies_wait(
    gateway, servers, database
):
    servers.refusing = True
    await gateway.send("web-p", "yes", "web")
    await gateway.send("telegram-q", "no", "telegram")
    servers.refusing = False
    pushed = []

    async def push() -> None:
        pushed.append(True)

    settings = Settings(secret_key="s", database_url=database, rasa_url=",".join(URLS))
    assert await gateway.send_kept(delivery(settings, gateway, push)) == 2
    assert gateway.spool.count() == 0
    with unit_of_work(engine_for(database)) as session:
        web = concerns.take_messages(session, "web-p")
        tg = concerns.take_messages(session, "telegram-q")
    assert [text.split(": ", 1)[1] for text in web] == ["yes"]
    assert [text.split(": ", 1)[1] for text in tg] == ["no"]
    assert pushed == [True]  # only the Telegram reply is pushed
    with unit_of_work(engine_for(database)) as session:
        kinds = {m.kind for m in session.scalars(select(OutboxMessage))}
    assert kinds == {KEPT_REPLY}


def test_a_claimed_message_is_not_handed_out_twice(tmp_path):
    one, two = Spool(tmp_path / "s.db"), Spool(tmp_path / "s.db")
    one.keep("p", "web", "first")
    one.keep("p", "web", "second")
    claimed = one.claim_next("p")
    assert claimed.text == "first"
    assert two.claim_next("p") is None  # the oldest is taken: nothing out of order
    two.release(claimed)
    again = two.claim_next("p")
    assert again.text == "first"
    two.done(again)
    assert one.claim_next("p").text == "second"
    assert one.forget("p") == 1 and one.count() == 0


async def test_the_web_chat_sends_to_the_servers_in_the_setting(tmp_path):
    servers = Servers()
    app = create_app(Settings(secret_key="s", rasa_url=" http://rasa-a/ , http://rasa-b"))
    app.state.http = httpx.AsyncClient(transport=servers.transport())
    servers.down.add("rasa-a")
    servers.down.add("rasa-b")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        kept = await client.post("/api/chat", json={"text": "yes"})
        servers.down.clear()
        later = await client.post("/api/chat", json={"text": "no"})
    assert kept.json()["messages"][0]["text"] == channel_message("kept")
    assert [m["text"].split(": ")[1] for m in later.json()["messages"]] == ["yes", "no"]
    assert {host for host, _, _ in servers.received} <= {"rasa-a", "rasa-b"}


def test_rasa_addresses_must_be_http():
    with pytest.raises(ValueError, match="COPRO_RASA_URL"):
        Settings(rasa_url="rasa-a:5005")
    with pytest.raises(ValueError, match="COPRO_RASA_URL"):
        Settings(rasa_url=" , ")
    assert Settings(rasa_url="http://a:1/, http://b:2").rasa_urls == ("http://a:1", "http://b:2")


# ---- Said again while waiting: answered once, in order ---------------------------------------


class Welcoming(Servers):
    """Stand-in Rasa servers that greet every greeting with the same welcome."""

    GREETINGS = {"hello", "hi", "hello?", "HELLO"}

    def transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            host = request.url.host
            if host in self.down:
                raise httpx.ConnectError("refused", request=request)
            if request.method == "GET":  # the server's "are you up?" page
                return httpx.Response(200, text="Hello from Rasa")
            body = json.loads(request.content)
            self.received.append((host, body["sender"], body["message"]))
            if body["message"] in self.GREETINGS:
                return httpx.Response(200, json=[{"text": "Welcome 👋", "buttons": []}])
            return httpx.Response(200, json=[{"text": f"About: {body['message']}"}])

        return httpx.MockTransport(handle)


async def test_eight_hellos_kept_while_rasa_starts_get_one_welcome_in_order(tmp_path, database):
    servers = Welcoming()
    servers.down.update({"rasa-a", "rasa-b"})
    app = create_app(
        Settings(
            secret_key="s",
            rasa_url="http://rasa-a, http://rasa-b",
            database_url=database,
            spool_path=tmp_path / "spool.db",
        )
    )
    app.state.http = httpx.AsyncClient(transport=servers.transport())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        starting = [
            (await client.post("/api/chat", json={"text": text})).json()
            for text in ["hello"] * 8 + ["what is co-production"]
        ]
        servers.down.clear()
        later = await client.post("/api/chat", json={"text": "yes"})
    # Rasa hears "hello" once, then the question, then the new message: in order.
    assert [m["text"] for m in later.json()["messages"]] == [
        "Welcome 👋",
        "About: what is co-production",
        "About: yes",
    ]
    assert [text for _, _, text in servers.received] == ["hello", "what is co-production", "yes"]
    # Each was kept; the widget is told the assistant is starting, and which words say "kept".
    assert all(reply["kept"] and reply.get("starting") for reply in starting)
    assert starting[0]["messages"] == [
        {"text": channel_message("kept"), "buttons": [], "notice": "kept"}
    ]


async def test_a_message_said_again_while_waiting_is_kept_once(gateway, servers):
    servers.refusing = True
    for text in ["hello", "Hello!", "HELLO", "yes", "hello", "👍", "👎"]:
        await gateway.send("web-p", text, "web", safety={"level": "none", "score": 0.01})
    await gateway.send("web-q", "hello", "web")  # someone else: their own
    # Straight repeats go; the same words after something else, and other symbols, stay.
    assert gateway.spool.count() == 6
    servers.refusing = False
    reply = await gateway.send("web-p", "no", "web")
    texts = [message["text"].split(": ", 1)[1] for message in reply.messages]
    assert texts == ["hello", "yes", "hello", "👍", "👎", "no"]


def test_a_repeat_with_any_sign_of_risk_is_always_kept(tmp_path):
    spool = Spool(tmp_path / "s.db")
    none = json.dumps({"level": "none", "score": 0.1})
    severe = json.dumps({"level": "severe", "help_given": True, "flag_id": 7})
    assert spool.keep("p", "web", "i want to die", severe)
    assert spool.keep("p", "web", "i want to die", severe)
    assert spool.keep("p", "web", "hello", none)
    assert not spool.keep("p", "web", "hello", none)
    assert spool.keep("p", "telegram", "hello", none)  # another channel: kept too
    # A message being sent right now is not joined: the new one waits its turn.
    claimed = spool.claim_next("p")
    assert claimed.text == "i want to die"
    spool.done(claimed)
    spool.claim_next("p")  # the second "i want to die"
    assert spool.count() == 3


async def test_replies_to_kept_messages_that_repeat_wait_once(gateway, servers, database):
    welcoming = Welcoming()
    gateway.client = httpx.AsyncClient(transport=welcoming.transport())
    welcoming.down.update({"rasa-a", "rasa-b", "rasa-c"})
    for text in ["hi", "hello?", "what is co-production"]:
        await gateway.send("web-p", text, "web")
    welcoming.down.clear()
    settings = Settings(secret_key="s", database_url=database, rasa_url=",".join(URLS))
    assert await gateway.send_kept(delivery(settings, gateway, None)) == 3
    with unit_of_work(engine_for(database)) as session:
        waiting = concerns.take_messages(session, "web-p")
    assert waiting == ["Welcome 👋", "About: what is co-production"]
