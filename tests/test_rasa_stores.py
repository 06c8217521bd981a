"""The Rasa server's own faster paths give what Rasa's give.

``StrictSQLTrackerStore`` reads and writes a conversation with one plain
statement each; these tests keep the same conversation in it and in Rasa's
``SQLTrackerStore`` (on SQLite and on this machine's PostgreSQL) and compare
the rows stored and the trackers read back. ``bot.channels.rasa_speed`` finds
an event's class in a table; it must give Rasa's answer for every name.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot.channels import rasa_speed
from bot.store.rasa_stores import StrictSQLTrackerStore
from tests.conftest import in_ci
from tests.production import POSTGRES, create_databases, drop_databases

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, start_review]
slots:
  review_code:
    type: text
    mappings: [{type: custom}]
  answered:
    type: float
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "Hello"}]
"""
)


def _session(at: float) -> list[Event]:
    return [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at)]


def _turn(at: float, text: str, intent: str, slot_value: object) -> list[Event]:
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, {"name": intent, "confidence": 0.97}, timestamp=at + 0.1),
        SlotSet("review_code", slot_value, timestamp=at + 0.2),
        BotUttered("Hello", {"utter_action": "utter_greet"}, timestamp=at + 0.3),
        ActionExecuted("utter_greet", timestamp=at + 0.3),
    ]


def _databases(kind: str, tmp_path) -> list[str]:
    """Two empty databases of ``kind``, one for each store."""
    if kind == "sqlite":
        return [f"sqlite:///{tmp_path / 'ours.db'}", f"sqlite:///{tmp_path / 'rasas.db'}"]
    names = [f"copro_rasa_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        create_databases(*names)
    except sa.exc.OperationalError as error:
        if in_ci():
            pytest.fail(f"PostgreSQL must be reachable in CI: {error}")
        pytest.skip(f"PostgreSQL not reachable here: {error}")
    return [str(sa.engine.make_url(POSTGRES).set(database=name)) for name in names]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def both_stores(request, tmp_path):
    ours_url, rasas_url = _databases(request.param, tmp_path)
    ours = StrictSQLTrackerStore(domain=DOMAIN, host=ours_url)
    url = sa.engine.make_url(rasas_url)
    rasas = SQLTrackerStore(
        domain=DOMAIN,
        dialect=url.drivername,
        host=url.host,
        port=url.port,
        db=url.database,
        username=url.username,
    )
    yield ours, rasas
    ours.engine.dispose()
    rasas.engine.dispose()
    if request.param == "postgresql":
        drop_databases(*(sa.engine.make_url(url).database for url in (ours_url, rasas_url)))


def _rows(store: SQLTrackerStore) -> list[tuple]:
    table = store.SQLEvent.__table__
    columns = [c for c in table.c if c.name != "id"]
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(*columns).order_by(table.c.id))]


def _keep_the_same_conversation(stores, sender: str) -> None:
    """Save the conversation in every store as Rasa does: after each turn, the whole tracker."""
    turns = [
        _session(100.0),
        _turn(101.0, "hello", "greet", "WIRRAL-OPEN"),
        _turn(102.0, "start my review", "start_review", None),
        _session(200.0),  # a new session: the stored tracker starts again from here
        _turn(201.0, "hi again", "greet", "WIRRAL-2"),
    ]
    for events in turns:
        for store in stores:
            # Rasa reads the stored tracker, adds the turn's events, saves it.
            stored = asyncio.run(store.retrieve(sender))
            current = stored if stored is not None else DialogueStateTracker(sender, DOMAIN.slots)
            for event in events:
                current.update(event)
            asyncio.run(store.save(current))


def test_ours_stores_the_same_rows_and_reads_the_same_trackers_as_rasas(both_stores):
    ours, rasas = both_stores
    _keep_the_same_conversation([ours, rasas], "web-one")
    _keep_the_same_conversation([ours, rasas], "telegram-two")

    assert _rows(ours) == _rows(rasas)
    assert len(_rows(ours)) == 2 * (2 * 2 + 3 * 5)  # every event once, no more
    for sender in ["web-one", "telegram-two"]:
        latest = asyncio.run(ours.retrieve(sender))
        assert latest.current_state() == asyncio.run(rasas.retrieve(sender)).current_state()
        assert [e.timestamp for e in latest.events][0] == 200.0  # the latest session only
        assert latest.get_slot("review_code") == "WIRRAL-2"
        full = asyncio.run(ours.retrieve_full_tracker(sender))
        assert list(full.events) == list(asyncio.run(rasas.retrieve_full_tracker(sender)).events)
        assert len(full.events) == 2 * 2 + 3 * 5
    assert asyncio.run(ours.retrieve("nobody")) is None


def test_saving_the_same_tracker_twice_adds_nothing(both_stores):
    ours, _ = both_stores
    tracker = DialogueStateTracker("web-again", DOMAIN.slots)
    for event in [*_session(10.0), *_turn(11.0, "hello", "greet", "WIRRAL-OPEN")]:
        tracker.update(event)
    asyncio.run(ours.save(tracker))
    asyncio.run(ours.save(tracker))
    rows = _rows(ours)
    assert len(rows) == 7
    user_rows = [row for row in rows if row[1] == UserUttered.type_name]
    assert [row[3] for row in user_rows] == ["greet"]  # intent_name
    action_rows = [row for row in rows if row[1] == ActionExecuted.type_name]
    assert [row[4] for row in action_rows] == [
        "action_session_start",
        "action_listen",
        "utter_greet",
    ]


@pytest.mark.parametrize("kind", sorted({cls.type_name for cls in all_subclasses(Event)}))
def test_an_event_class_is_found_by_name_as_rasa_finds_it(kind):
    rasa_speed.install()
    assert Event.resolve_by_type(kind) is rasa_speed._rasa_resolve_by_type(kind)


def test_a_name_no_event_has_gets_rasas_answer():
    rasa_speed.install()
    assert Event.resolve_by_type("no such event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no such event")
    assert Event.resolve_by_type("topic") is None  # Rasa's old, ignored events


def test_a_number_orjson_will_not_read_is_read_back_as_rasa_reads_it(both_stores):
    ours, rasas = both_stores
    tracker = DialogueStateTracker("web-nan", DOMAIN.slots)
    for event in [*_session(10.0), SlotSet("answered", float("inf"), timestamp=11.0)]:
        tracker.update(event)
    for store in both_stores:
        asyncio.run(store.save(tracker))
    assert asyncio.run(ours.retrieve("web-nan")).get_slot("answered") == float("inf")
    assert _rows(ours) == _rows(rasas)


def test_the_action_server_gets_the_same_json_with_the_faster_writer():
    """A real request through Rasa's EndpointConfig, as Rasa calls an action server."""
    from aiohttp import web

    rasa_speed.install()
    received: list[bytes] = []

    async def echo(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.json_response({"events": [], "responses": []})

    payload = {
        "next_action": "action_save_answer",
        "sender_id": "web-one",
        "tracker": {"events": [{"event": "user", "text": "Ça va 👍", "confidence": 0.97}]},
        "version": "3.6.21",
    }
    # orjson refuses integers this large: that payload is written by json instead.
    payloads = [payload, {**payload, "big": 2**70}]

    async def call() -> list[object]:
        app = web.Application()
        app.router.add_post("/webhook", echo)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
            return [await endpoint.request(json=sent, method="post") for sent in payloads]
        finally:
            await runner.cleanup()

    assert asyncio.run(call()) == [{"events": [], "responses": []}] * 2
    assert [json.loads(body) for body in received] == payloads
    assert b'": ' not in received[0]  # orjson's compact writing, not json.dumps's
