"""Routes of the web chat."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.inbound import button_payload, typed_text
from bot.channels.rasa_client import (
    KEPT,
    UNAVAILABLE,
    RasaUnavailable,
    gateway_of,
)
from bot.channels.turn import conversation_of
from bot.channels.web.keep_signed_in import KeepSignedIn
from bot.channels.web.my_data import my_data_file
from bot.channels.web.replies import kind_reply, sender_of
from bot.content import channel_message
from bot.names import FORGET_CONVERSATION
from bot.request_limits import read_json
from bot.store import concerns
from bot.store.db import engine_for, in_thread, unit_of_work

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
# The most a chat message's body may be (bot.server refuses more while reading it).
MAX_BODY_BYTES = 8_000
# How long to wait for a Rasa server to say it is up, when a message was kept.
STARTING_PROBE_SECONDS = 1.0
# Kind-message answers more than one route gives, each described once for OpenAPI.
KIND_ANSWERS = {
    "429": "Too many messages from this session or address.",
    "503": "The assistant is not available; a kind message says so.",
}
_RESPONSES = re.compile(r"^( *)responses:$", re.MULTILINE)
Endpoint = TypeVar("Endpoint", bound=Callable)


def _also_answers(*statuses: str) -> Callable[[Endpoint], Endpoint]:
    """Add kind-message answers from ``KIND_ANSWERS`` to the end of a route's OpenAPI responses.

    The route's docstring must end with its ``responses:``; each answer added is
    a ``Replies`` body, as the route's own kind messages are.
    """

    def describe(endpoint: Endpoint) -> Endpoint:
        doc = endpoint.__doc__ or ""
        found = _RESPONSES.search(doc)
        if found is None:
            raise ValueError(f"{endpoint.__name__} has no OpenAPI responses to add to")
        key = found.group(1) + "  "
        endpoint.__doc__ = doc.rstrip() + "".join(
            f'\n{key}"{status}":\n{key}  description: {KIND_ANSWERS[status]}'
            f"\n{key}  content:\n{key}    application/json:"
            f'\n{key}      schema: {{$ref: "#/components/schemas/Replies"}}'
            for status in statuses
        )
        return endpoint

    return describe


def _once(messages: list[dict]) -> list[dict]:
    """The messages, each said once: one with the same words as the one before it is left out.

    Replies to messages kept while the assistant was away come together, and
    "hi" then "hello" would otherwise show the same welcome twice.
    """
    said: list[dict] = []
    for message in messages:
        text = message.get("text")
        if said and text and said[-1].get("text") == text:
            if message.get("buttons") and not said[-1].get("buttons"):
                said[-1] = message  # the same words: keep the one with buttons
            continue
        said.append(message)
    return said


async def _rasa_starting(request: Request) -> bool:
    """True when no Rasa server answers at all: it is starting (or starting again).

    A server that answers but could not take the message (its store is away)
    is not starting: the channel's own "kept" words say what happened then.
    """
    gateway = gateway_of(request.app.state)
    for url in gateway.urls:
        try:
            response = await gateway.client.get(f"{url}/", timeout=STARTING_PROBE_SECONDS)
        except httpx.HTTPError:
            continue
        if response.status_code < 500:
            return False
    return True


async def _kept_reply(request: Request, messages: list[dict]) -> JSONResponse:
    """The replies to a message kept for later, with the "kept" words marked.

    The widget says it is waiting once, however many messages are kept, and
    asks for the replies a little later. ``starting`` tells it why it waits.
    """
    kept = channel_message("kept")
    marked = [dict(m, notice="kept") if m.get("text") == kept else m for m in messages]
    starting = await _rasa_starting(request)
    return JSONResponse({"messages": _once(marked), "kept": True, "starting": starting})


def _too_fast(request: Request) -> bool:
    """Count one message from this session and address; True when over the limits."""
    address = request.client.host if request.client else "unknown"
    return not request.app.state.limits.allow(request.session["sid"], address)


@_also_answers("429", "503")
async def chat(request: Request) -> Response:
    """Take one message (typed text or a button payload) and return the replies.

    ---
    summary: Send one message from the web chat to the assistant
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            properties:
              text:
                type: string
                description: What the person typed (up to 1,000 characters).
              payload:
                type: string
                description: The payload of a button the assistant offered.
    responses:
      "200":
        description: The assistant's replies, or a kind message about the input.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
      "400":
        description: The body was not a JSON object with text or a payload as text.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
      "408":
        description: The body took too long to arrive.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
      "413":
        description: The body was over 8,000 bytes.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
    """
    sender = sender_of(request)
    if _too_fast(request):
        return kind_reply("slow_down", status=429)
    try:
        # Not JSON, or nested too deep to be a message.
        data = read_json(await request.body())
    except ValueError:
        return kind_reply("bad_request", status=400)
    if not isinstance(data, dict) or any(
        key in data and not isinstance(data[key], str) for key in ("text", "payload")
    ):
        return kind_reply("bad_request", status=400)
    if "payload" in data:
        inbound = button_payload(data["payload"])
    else:
        inbound = typed_text(data.get("text", ""))
    if inbound.text is None:
        problem = inbound.problem or "bad_request"
        return kind_reply(problem, status=400 if problem == "bad_request" else 200, limit=1000)
    reply = await conversation_of(request.app.state).turn(sender, "web", inbound.text)
    if UNAVAILABLE in reply.signals:
        return JSONResponse({"messages": reply.messages}, status_code=503)
    if FORGET_CONVERSATION in reply.signals:
        # Forgotten: a new session id, so the next message starts a new, empty conversation.
        request.session.pop("sid", None)
        return JSONResponse({"messages": reply.messages})
    if KEPT in reply.signals:
        # Kept to be sent again: the widget asks for the replies a little later.
        return await _kept_reply(request, reply.messages)
    return await _with_waiting(request, sender, reply.messages)


@_also_answers("429", "503")
async def start_again(request: Request) -> Response:
    """Start the conversation again for this browser; saved answers stay saved.

    The session (and so the pseudonym) is kept, so the person can still see,
    change or delete what they gave before.

    ---
    summary: Start the web chat conversation again
    responses:
      "200":
        description: The conversation starts again; any replies from the assistant.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
    """
    if not request.session.get("sid"):
        return JSONResponse({"messages": []})  # nothing was said yet
    sender = sender_of(request)
    if _too_fast(request):
        return kind_reply("slow_down", status=429)
    try:
        # Sent by the server itself: a person can never send "/restart" (see inbound.py).
        reply = await gateway_of(request.app.state).send(
            sender, "/restart", "web", keep=False, expect_reply=False
        )
    except RasaUnavailable:
        return kind_reply("unavailable", status=503)
    return await _with_waiting(request, sender, reply.messages)


def _take_waiting(database_url: str, sender: str) -> list[str]:
    with unit_of_work(engine_for(database_url)) as session:
        return concerns.take_messages(session, sender)


async def _with_waiting(request: Request, sender: str, messages: list[dict]) -> JSONResponse:
    """Rasa's replies, then any message waiting for this person (a reply from staff).

    Each said once: the same message twice in a row is shown once (see ``_once``).
    """
    waiting = await in_thread(_take_waiting, request.app.state.settings.database_url, sender)
    # When the store did not answer, they stay waiting for the next message.
    waiting = waiting or []
    return JSONResponse(
        {"messages": _once(messages + [{"text": t, "buttons": []} for t in waiting])}
    )


async def waiting(request: Request) -> Response:
    """Messages left for this browser's person while they were away (replies from staff).

    Each message is given once. The widget asks when the chat is opened.

    ---
    summary: Take the messages waiting for the person using this browser
    responses:
      "200":
        description: The waiting messages (often none).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
      "429":
        description: Too many requests from this session or address.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
    """
    if not request.session.get("sid"):
        return JSONResponse({"messages": []})  # a new visitor: nothing can be waiting
    sender = sender_of(request)
    if _too_fast(request):
        return kind_reply("slow_down", status=429)
    return await _with_waiting(request, sender, [])


async def page(request: Request) -> Response:
    """A demo page with the chat widget embedded, as a Local Offer page would have it.

    ---
    summary: The demo page with the web chat widget
    responses:
      "200":
        description: An HTML page with the chat widget.
        content:
          text/html: {}
    """
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


routes = [
    Route("/", page),
    Route("/api/chat", chat, methods=["POST"]),
    Route("/api/start-again", start_again, methods=["POST"]),
    Route("/api/waiting", waiting, methods=["POST"]),
    Route("/api/my-data", my_data_file, methods=["GET"]),
    Route("/api/keep-signed-in", KeepSignedIn),
    Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
]
