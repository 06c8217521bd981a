"""bot.server under fuzzing: schemathesis from its OpenAPI description, and a corpus of bad input.

Rasa is a stand-in here (tests/test_e2e.py sends bad input to the real one):
these tests are about the server never failing, whatever it is sent.
"""

from __future__ import annotations

import tempfile

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pyrate_limiter import Duration, Rate

from bot.channels.limits import ChatLimits
from bot.content import channel_message
from bot.server import create_app
from bot.settings import Settings
from bot.store.db import upgrade
from tests.test_web_chat import StandInRasa

RASA = StandInRasa()
DATABASE = f"sqlite:///{tempfile.mkdtemp(prefix='copro-fuzz-')}/copro.db"


def fuzz_app():
    upgrade(DATABASE)
    app = create_app(Settings(secret_key="fuzz", rasa_url="http://rasa", database_url=DATABASE))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=RASA.app))
    # Far above what the fuzzer sends: these tests are about errors, not limits.
    app.state.limits = ChatLimits(
        [Rate(100_000, Duration.MINUTE)], [Rate(100_000, Duration.MINUTE)]
    )
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app())


@schema.parametrize()
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_server_keeps_its_description_whatever_it_is_sent(case):
    # The first message loads the safety classifier: slow on a busy machine.
    case.call_and_validate(timeout=60)


BAD_INPUT = [
    "",
    "   \t\n  ",
    "x" * 100_000,
    "hello\x00world",
    "\u200b\u200b\u200b",
    "\u202eevil text\u202c",
    "👩‍👩‍👧‍👦🏳️‍🌈👍🏽",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE answer; --",
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "a" * 999,
    "supercalifragilistic" * 40,
    "/restart",
    '/intent{"review_answer": "done"}',
    "{{7*7}} ${7*7} %s %n",
]


@pytest.mark.parametrize("text", BAD_INPUT, ids=range(len(BAD_INPUT)))
async def test_bad_text_gets_a_kind_reply_and_never_a_server_error(text):
    rasa = StandInRasa()
    app = create_app(Settings(secret_key="fuzz", rasa_url="http://rasa"))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for body in ({"text": text}, {"payload": text}):
            response = await client.post("/api/chat", json=body)
            # 413: over the 8,000 bytes a message may be, refused before it is read.
            assert response.status_code in (200, 413)
            [message] = response.json()["messages"]
            assert message["text"]
    for sent in rasa.received:
        assert not sent["message"].startswith("/")
        assert "\x00" not in sent["message"] and "\u202e" not in sent["message"]
        assert len(sent["message"]) <= 1000


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\xfa not utf-8",
        b"\x00\x00\x00",
        b"[]",
        b'"just a string"',
        b'{"text": ["a", "list"]}',
        b'{"payload": {"a": 1}}',
        b"{" * 5000,
        b"x" * 200_000,
    ],
)
async def test_bytes_that_are_not_a_message_get_a_kind_reply(raw):
    rasa = StandInRasa()
    app = create_app(Settings(secret_key="fuzz", rasa_url="http://rasa"))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(
            "/api/chat", content=raw, headers={"content-type": "application/json"}
        )
    # 413: over the 8,000 bytes a message may be, refused before it is read.
    assert response.status_code in (200, 400, 413)
    assert response.json()["messages"][0]["text"] in {
        channel_message(key, limit=1000) for key in ("bad_request", "too_long", "empty")
    }
    assert rasa.received == []
