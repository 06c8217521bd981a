"""Routes of the web chat."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import httpx
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.inbound import button_payload, pseudonym, typed_text
from bot.channels.rasa_client import (
    KEPT,
    UNAVAILABLE,
    RasaUnavailable,
    gateway_of,
)
from bot.channels.turn import conversation_of
from bot.channels.web.sessions import KEEP, keeps_signed_in
from bot.content import channel_message
from bot.names import FORGET_CONVERSATION
from bot.request_limits import read_json
from bot.store import concerns, repository
from bot.store.db import engine_for, in_thread, unit_of_work
from bot.store.held import HeldData

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
# The most a chat message's body may be (bot.server refuses more while reading it).
MAX_BODY_BYTES = 8_000
# How long to wait for a Rasa server to say it is up, when a message was kept.
STARTING_PROBE_SECONDS = 1.0


def _reply(key: str, status: int = 200, **values: object) -> JSONResponse:
    return JSONResponse(
        {"messages": [{"text": channel_message(key, **values), "buttons": []}]}, status_code=status
    )


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


def _sender(request: Request) -> str:
    session_id = request.session.get("sid")
    if not session_id:
        session_id = secrets.token_urlsafe(24)
        request.session["sid"] = session_id
    return pseudonym(request.app.state.settings.secret_key, "web", session_id)


def _too_fast(request: Request) -> bool:
    """Count one message from this session and address; True when over the limits."""
    address = request.client.host if request.client else "unknown"
    return not request.app.state.limits.allow(request.session["sid"], address)


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
      "429":
        description: Too many messages from this session or address.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
      "503":
        description: The assistant is not available; a kind message says so.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
    """
    sender = _sender(request)
    if _too_fast(request):
        return _reply("slow_down", status=429)
    try:
        # Not JSON, or nested too deep to be a message.
        data = read_json(await request.body())
    except ValueError:
        return _reply("bad_request", status=400)
    if not isinstance(data, dict) or any(
        key in data and not isinstance(data[key], str) for key in ("text", "payload")
    ):
        return _reply("bad_request", status=400)
    if "payload" in data:
        inbound = button_payload(data["payload"])
    else:
        inbound = typed_text(data.get("text", ""))
    if inbound.text is None:
        problem = inbound.problem or "bad_request"
        return _reply(problem, status=400 if problem == "bad_request" else 200, limit=1000)
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
      "429":
        description: Too many messages from this session or address.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
      "503":
        description: The assistant is not available; a kind message says so.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
    """
    if not request.session.get("sid"):
        return JSONResponse({"messages": []})  # nothing was said yet
    sender = _sender(request)
    if _too_fast(request):
        return _reply("slow_down", status=429)
    try:
        # Sent by the server itself: a person can never send "/restart" (see inbound.py).
        reply = await gateway_of(request.app.state).send(
            sender, "/restart", "web", keep=False, expect_reply=False
        )
    except RasaUnavailable:
        return _reply("unavailable", status=503)
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
    sender = _sender(request)
    if _too_fast(request):
        return _reply("slow_down", status=429)
    return await _with_waiting(request, sender, [])


def _held_as_dict(held: HeldData) -> dict:
    return {
        "about": "Everything the co-production companion keeps about you.",
        "first_seen": held.first_seen.isoformat() if held.first_seen else None,
        "channel": held.channel,
        "role": held.role,
        "age_band": held.age_band,
        "reviews": [
            {
                "title": review.title,
                "charter": review.charter,
                "started": review.started_at.isoformat(),
                "finished": review.finished,
                "hear_back": review.hear_back,
                "answers": [
                    {"question": a.question_id, "answer": a.value, "your_words": a.comment}
                    for a in review.answers
                ],
            }
            for review in held.reviews
        ],
        "pledges": [
            {
                "charter": p.charter,
                "signed_as": p.signer_kind,
                "organisation": p.organisation,
                "representative": p.representative,
                "role": p.representative_role,
                "first_name": p.first_name,
                "signed": p.signed_at.isoformat(),
                "withdrawn": p.withdrawn_at.isoformat() if p.withdrawn_at else None,
            }
            for p in held.pledges
        ],
        "concerns": [
            {
                "charter": c.charter,
                "about": c.about,
                "what_happened": c.what_happened,
                "principle": c.principle,
                "wants_reply": c.wants_reply,
                "status": c.status,
                "raised": c.created_at.isoformat(),
                "reply": c.reply,
            }
            for c in held.concerns
        ],
        "telegram_chat_kept": held.telegram_chat,
        "safety_messages_kept": held.safety_messages,
    }


def _read_held(database_url: str, sender: str) -> HeldData:
    with unit_of_work(engine_for(database_url)) as session:
        return repository.held_about(session, sender)


async def my_data_file(request: Request) -> Response:
    """Everything kept about this browser's person, as a file to keep.

    ---
    summary: Download my data (the person using this browser)
    responses:
      "200":
        description: A JSON file with everything kept about the person.
        content:
          application/json: {}
      "503":
        description: The store is not available; a kind message says so.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
    """
    settings = request.app.state.settings
    held = await in_thread(_read_held, settings.database_url, _sender(request))
    if held is None:
        return _reply("unavailable", status=503)
    return JSONResponse(
        _held_as_dict(held),
        headers={"content-disposition": 'attachment; filename="my-data.json"'},
    )


class KeepSignedIn(HTTPEndpoint):
    """Whether this browser stays signed in to the chat after it closes.

    By default the chat's cookie ends when the browser closes, so a shared
    computer forgets the person. Kept, it lasts 30 days from the last message.
    """

    async def get(self, request: Request) -> Response:
        """Whether the web chat keeps this browser signed in.

        ---
        summary: Whether the web chat keeps this browser signed in
        responses:
          "200":
            description: True when the person chose to stay signed in on this device.
            content:
              application/json:
                schema: {$ref: "#/components/schemas/KeepSignedIn"}
        """
        return JSONResponse({"keep": keeps_signed_in(request.session)})

    async def post(self, request: Request) -> Response:
        """Choose whether the web chat keeps this browser signed in.

        ---
        summary: Choose whether the web chat keeps this browser signed in
        requestBody:
          required: true
          content:
            application/json:
              schema: {$ref: "#/components/schemas/KeepSignedIn"}
        responses:
          "200":
            description: The choice now in force.
            content:
              application/json:
                schema: {$ref: "#/components/schemas/KeepSignedIn"}
          "400":
            description: The body was not a JSON object with keep as true or false.
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Replies"}
        """
        try:
            data = read_json(await request.body())
        except ValueError:
            return _reply("bad_request", status=400)
        if not isinstance(data, dict) or not isinstance(data.get("keep"), bool):
            return _reply("bad_request", status=400)
        if data["keep"]:
            request.session[KEEP] = True
        else:
            request.session.pop(KEEP, None)
        return JSONResponse({"keep": keeps_signed_in(request.session)})


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
