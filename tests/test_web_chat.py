"""The web chat endpoint: what reaches Rasa, and what a person sees when things go wrong."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.channels.inbound import pseudonym
from bot.content import channel_message
from bot.server import create_app
from bot.settings import Settings


class StandInRasa:
    """Records what the REST channel receives and answers like Rasa does."""

    def __init__(self, status: int = 200) -> None:
        self.received: list[dict] = []
        self.status = status
        self.app = Starlette(
            routes=[Route("/webhooks/rest/webhook", self.webhook, methods=["POST"])]
        )

    async def webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.received.append(body)
        if self.status != 200:
            return JSONResponse({"error": "down"}, status_code=self.status)
        return JSONResponse(
            [
                {
                    "recipient_id": body["sender"],
                    "text": f"got {body['message']}",
                    "buttons": [{"title": "✅ Yes", "payload": "/affirm"}],
                }
            ]
        )


@pytest.fixture
def rasa() -> StandInRasa:
    return StandInRasa()


def client_for(rasa: StandInRasa, database_url: str = "") -> httpx.AsyncClient:
    app = create_app(
        Settings(secret_key="test-secret", rasa_url="http://rasa", database_url=database_url)
    )
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_typed_text_reaches_rasa_with_a_pseudonym_and_the_channel(rasa):
    async with client_for(rasa) as client:
        response = await client.post("/api/chat", json={"text": "  yes it was lovely  "})
    assert response.status_code == 200
    assert response.json()["messages"] == [
        {"text": "got yes it was lovely", "buttons": [{"title": "✅ Yes", "payload": "/affirm"}]}
    ]
    [sent] = rasa.received
    assert sent["message"] == "yes it was lovely"
    assert sent["metadata"]["channel"] == "web"
    # The safety check ran before Rasa, and Rasa is told what it decided.
    assert sent["metadata"]["safety"]["level"] == "none"
    assert sent["sender"].startswith("web-") and len(sent["sender"]) == 36


async def test_same_browser_keeps_its_pseudonym_and_another_gets_a_different_one(rasa):
    async with client_for(rasa) as first, client_for(rasa) as second:
        await first.post("/api/chat", json={"text": "hi"})
        await first.post("/api/chat", json={"text": "again"})
        await second.post("/api/chat", json={"text": "hi"})
    senders = [m["sender"] for m in rasa.received]
    assert senders[0] == senders[1] != senders[2]


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("/restart", "restart"),
        ('/intent{"review_code": "X"}', 'intent{"review_code": "X"}'),
        ("//affirm", "affirm"),
        ("<b>hello</b>", "<b>hello</b>"),
        ("😀😀😀", "😀😀😀"),
    ],
)
async def test_typed_commands_never_reach_rasa_as_commands(rasa, typed, expected):
    async with client_for(rasa) as client:
        response = await client.post("/api/chat", json={"text": typed})
    assert response.status_code == 200
    assert rasa.received[0]["message"] == expected
    assert not rasa.received[0]["message"].startswith("/")


@pytest.mark.parametrize(
    "payload,expected",
    [
        ("/affirm", "/affirm"),
        ('/start_review{"review_code": "KD7-M4P"}', '/start_review{"review_code": "KD7-M4P"}'),
        ('/ask_jargon{"term": "EHCP"}', '/ask_jargon{"term": "EHCP"}'),
        ("/restart", "restart"),
        ('/start_review{"requested_slot": "x"}', 'start_review{"requested_slot": "x"}'),
        ("/affirm{not json}", "affirm{not json}"),
    ],
)
async def test_only_offered_buttons_pass_as_commands(rasa, payload, expected):
    async with client_for(rasa) as client:
        await client.post("/api/chat", json={"payload": payload})
    assert rasa.received[0]["message"] == expected


@pytest.mark.parametrize(
    "body,key",
    [
        ({"text": ""}, "empty"),
        ({"text": "   "}, "empty"),
        ({"text": "/"}, "empty"),
        ({"text": "a" * 5000}, "too_long"),
        ({"text": 42}, "bad_request"),
    ],
)
async def test_bad_input_gets_a_kind_reply_and_never_reaches_rasa(rasa, body, key):
    async with client_for(rasa) as client:
        response = await client.post("/api/chat", json=body)
    assert response.json()["messages"][0]["text"] == channel_message(key, limit=1000)
    assert rasa.received == []


async def test_broken_json_gets_a_kind_reply(rasa):
    async with client_for(rasa) as client:
        response = await client.post(
            "/api/chat", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert response.json()["messages"][0]["text"] == channel_message("bad_request")


@pytest.mark.parametrize(
    "raw",
    [b"[" * 1000 + b"]" * 1000, b'{"text": "hi", "x": ' + b"[" * 40 + b"]" * 40 + b"}"],
    ids=["1000-deep", "40-deep"],
)
async def test_json_nested_too_deep_gets_a_kind_400(rasa, raw):
    async with client_for(rasa) as client:
        response = await client.post(
            "/api/chat", content=raw, headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert response.json()["messages"][0]["text"] == channel_message("bad_request")
    assert rasa.received == []


async def test_a_body_over_the_limit_is_refused_before_it_is_read(rasa):
    async with client_for(rasa) as client:
        response = await client.post(
            "/api/chat", content=b"x" * 8_001, headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert response.json()["messages"][0]["text"] == channel_message("too_long", limit=1000)
    assert rasa.received == []


async def test_a_body_sent_in_pieces_is_refused_once_past_the_limit(rasa):
    pulled = 0

    async def pieces():
        nonlocal pulled
        for _ in range(10_000):  # 10 MB, if it were all read
            pulled += 1
            yield b"x" * 1_000

    async with client_for(rasa) as client:
        response = await client.post(
            "/api/chat", content=pieces(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["messages"][0]["text"] == channel_message("too_long", limit=1000)
    assert pulled <= 10
    assert rasa.received == []


async def test_answers_with_their_body_read_keep_the_connection(rasa):
    async with client_for(rasa) as client:
        for response in (
            await client.get("/"),
            await client.post("/api/chat", json={"text": "hi"}),
            await client.post("/api/start-again", json={}),
        ):
            assert "connection" not in response.headers, response.url


async def test_answers_about_the_person_are_never_cached(rasa, database):
    async with client_for(rasa, database) as client:
        for response in (
            await client.post("/api/chat", json={"text": "hi"}),
            await client.post("/api/waiting", json={}),
            await client.post("/api/start-again", json={}),
            await client.get("/api/my-data"),
            await client.get("/api/keep-signed-in"),
        ):
            assert response.headers["cache-control"] == "no-store", response.url
        assert "cache-control" not in (await client.get("/")).headers


def _session_cookie(response: httpx.Response) -> str:
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith("copro_session")]
    return cookie.lower()


async def test_the_session_cookie_ends_with_the_browser_unless_the_person_keeps_it(rasa):
    async with client_for(rasa) as client:
        first = await client.post("/api/chat", json={"text": "hi"})
        assert "max-age" not in _session_cookie(first) and "expires" not in _session_cookie(first)
        assert (await client.get("/api/keep-signed-in")).json() == {"keep": False}
        kept = await client.post("/api/keep-signed-in", json={"keep": True})
        assert kept.json() == {"keep": True}
        assert "max-age=2592000" in _session_cookie(kept)
        # The choice is in the signed session: every later answer keeps it.
        again = await client.post("/api/chat", json={"text": "again"})
        assert "max-age=2592000" in _session_cookie(again)
        assert (await client.get("/api/keep-signed-in")).json() == {"keep": True}
        ended = await client.post("/api/keep-signed-in", json={"keep": False})
        assert ended.json() == {"keep": False} and "max-age" not in _session_cookie(ended)
    # Still the same person all along.
    assert len({m["sender"] for m in rasa.received}) == 1


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'{"keep": "yes"}', b"{}"])
async def test_keep_signed_in_needs_true_or_false(rasa, raw):
    async with client_for(rasa) as client:
        response = await client.post(
            "/api/keep-signed-in", content=raw, headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert response.json()["messages"][0]["text"] == channel_message("bad_request")


async def test_rasa_failing_gets_a_kind_reply():
    async with client_for(StandInRasa(status=500)) as client:
        response = await client.post("/api/chat", json={"text": "hello"})
    assert response.status_code == 503
    assert response.json()["messages"][0]["text"] == channel_message("unavailable")


async def test_rasa_that_could_not_handle_the_message_has_it_kept_and_sent_again():
    rasa = StandInRasa(status=503)
    async with client_for(rasa) as client:
        first = await client.post("/api/chat", json={"text": "yes"})
        assert first.status_code == 200
        assert first.json()["messages"][0]["text"] == channel_message("kept")
        assert first.json()["kept"] is True
        rasa.status = 200
        second = await client.post("/api/chat", json={"text": "no"})
    assert [m["text"] for m in second.json()["messages"]] == ["got yes", "got no"]
    assert [sent["message"] for sent in rasa.received] == ["yes", "yes", "no"]


async def test_rasa_unreachable_has_the_message_kept():
    app = create_app(Settings(secret_key="s", rasa_url="http://127.0.0.1:9"))
    app.state.http = httpx.AsyncClient(timeout=2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.post("/api/chat", json={"text": "hello"})
    assert response.status_code == 200
    assert response.json()["messages"][0]["text"] == channel_message("kept")


async def test_demo_page_embeds_the_widget_with_no_inline_code(rasa):
    async with client_for(rasa) as client:
        response = await client.get("/")
        script = await client.get("/static/widget.js")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    # One element and one script tag (the widget's log and labels: tests/test_widget.py).
    assert '<div id="copro-chat"></div>' in response.text
    assert '<script src="/static/widget.js" defer></script>' in response.text
    # No inline script or style: the CSP would block them.
    assert re.findall(r"<script(?![^>]*\bsrc=)", response.text) == []
    assert "style=" not in response.text and "<style" not in response.text
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


async def test_the_button_symbols_are_served_as_pictures_the_page_may_show(rasa):
    async with client_for(rasa) as client:
        page = await client.get("/")
        symbol = await client.get("/static/symbols/2705.svg")
    # Pictures from the same site only (the widget's symbols): no other source.
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    assert policy["img-src"] == "'self' data:"
    assert symbol.status_code == 200
    assert symbol.headers["content-type"] == "image/svg+xml"
    assert symbol.text.startswith("<svg")


async def test_start_again_restarts_the_same_persons_conversation(rasa):
    async with client_for(rasa) as client:
        before_any_message = await client.post("/api/start-again")
        assert before_any_message.json() == {"messages": []}
        assert rasa.received == []
        await client.post("/api/chat", json={"text": "hi"})
        response = await client.post("/api/start-again")
        await client.post("/api/chat", json={"text": "again"})
    assert response.status_code == 200
    assert [m["message"] for m in rasa.received] == ["hi", "/restart", "again"]
    assert len({m["sender"] for m in rasa.received}) == 1


async def test_start_again_with_rasa_down_gets_a_kind_reply():
    rasa = StandInRasa()
    async with client_for(rasa) as client:
        await client.post("/api/chat", json={"text": "hi"})
        rasa.status = 500
        response = await client.post("/api/start-again")
    assert response.status_code == 503
    assert response.json()["messages"][0]["text"] == channel_message("unavailable")


def test_pseudonym_is_keyed():
    assert pseudonym("a", "web", "1") != pseudonym("b", "web", "1")
    assert pseudonym("a", "web", "1") == pseudonym("a", "web", "1")


async def test_a_forget_signal_deletes_the_conversation_and_starts_a_new_session(tmp_path):
    from sqlalchemy import create_engine, text

    from bot.store.tracker import conversation_events

    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    with create_engine(tracker_url, future=True).begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)"))

    class ForgettingRasa(StandInRasa):
        async def webhook(self, request: Request) -> JSONResponse:
            body = await request.json()
            self.received.append(body)
            with create_engine(tracker_url, future=True).begin() as connection:
                for _ in range(3):
                    connection.execute(
                        text("INSERT INTO events (sender_id) VALUES (:s)"), {"s": body["sender"]}
                    )
                connection.execute(text("INSERT INTO events (sender_id) VALUES ('web-other')"))
            replies = [{"recipient_id": body["sender"], "text": "Done"}]
            if body["message"] == "/affirm":
                replies.append(
                    {"recipient_id": body["sender"], "custom": {"signal": "forget_conversation"}}
                )
            return JSONResponse(replies)

    rasa = ForgettingRasa()
    app = create_app(Settings(secret_key="s", rasa_url="http://rasa", tracker_url=tracker_url))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.post("/api/chat", json={"text": "forget me"})
        first = rasa.received[0]["sender"]
        assert conversation_events(tracker_url, first) == 3
        response = await c.post("/api/chat", json={"payload": "/affirm"})
        assert response.json()["messages"] == [{"text": "Done", "buttons": []}]
        assert conversation_events(tracker_url, first) == 0
        assert conversation_events(tracker_url, "web-other") == 2
        await c.post("/api/chat", json={"text": "hello"})
    assert rasa.received[2]["sender"] != first


async def test_too_many_messages_from_one_session_get_a_kind_slow_down(rasa):
    from pyrate_limiter import Duration, Rate

    from bot.channels.limits import ChatLimits

    app = create_app(Settings(secret_key="s", rasa_url="http://rasa"))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    app.state.limits = ChatLimits([Rate(3, Duration.MINUTE)], [Rate(5, Duration.MINUTE)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as one:
        codes = [(await one.post("/api/chat", json={"text": "hi"})).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        slow = await one.post("/api/chat", json={"text": "hi"})
        assert slow.json()["messages"][0]["text"] == channel_message("slow_down")
    # Another browser at the same address still gets through, up to the address limit.
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as other:
        codes = [(await other.post("/api/chat", json={"text": "hi"})).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
    assert len(rasa.received) == 5


async def test_my_data_downloads_as_a_file_for_this_browser_only(database, rasa):
    from bot.store import repository
    from bot.store.db import unit_of_work

    app = create_app(Settings(secret_key="s", rasa_url="http://rasa", database_url=database))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as mine:
        await mine.post("/api/chat", json={"text": "hello"})
        sender = rasa.received[0]["sender"]
        with unit_of_work() as session:
            review = repository.ensure_general_review(session, "wirral", "Coffee morning")
            ref = repository.start_or_resume(session, review, sender, "web")
            repository.record_answer(session, ref.response_id, "welcome", "yes", "web", "kind")
        response = await mine.get("/api/my-data")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    [held] = data["reviews"]
    assert held["title"] == "Coffee morning"
    assert held["answers"] == [{"question": "welcome", "answer": "yes", "your_words": "kind"}]
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as someone_else:
        other = (await someone_else.get("/api/my-data")).json()
    assert other["reviews"] == [] and other["first_seen"] is None


async def test_my_data_when_the_store_is_down_gets_a_kind_reply(tmp_path):
    app = create_app(
        Settings(secret_key="s", database_url=f"sqlite:///{tmp_path / 'no-tables.db'}")
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/api/my-data")
    assert response.status_code == 503
    assert response.json()["messages"][0]["text"] == channel_message("unavailable")


def test_typed_text_keeps_new_emoji_and_drops_invisible_characters():
    from bot.channels.inbound import typed_text

    assert typed_text("hi \U0001fae0 \U0001f468\u200d\U0001f469 \x0bx\u200by").text == (
        "hi \U0001fae0 \U0001f468\u200d\U0001f469 xy"
    )
