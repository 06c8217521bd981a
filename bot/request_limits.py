"""Bounds on what a client may send bot.server: body size, time to arrive, JSON depth.

``RequestLimits`` is an ASGI middleware. Each path has a ``BodyLimit``:

- a body whose ``Content-Length`` is over the limit is refused with 413 before
  any of it is read; a body sent in chunks (or longer than it said) is refused
  as soon as the bytes read pass the limit, so the server never holds more
  than the limit and one chunk;
- the whole body must arrive within ``seconds`` of the request reaching the
  application, or the request is answered 408;
- a refusal, or any answer given before more than ``DRAIN_BYTES`` of the body
  were read, closes the connection, so the rest of a body is never read.

uvicorn bounds the time a request's line and headers may take
(``bot.serving``); this bounds the body. ``read_json`` parses a body and
refuses JSON nested deeper than ``MAX_JSON_DEPTH``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JSON deeper than this is never a message or a Telegram update.
MAX_JSON_DEPTH = 32
# How long a body may take to arrive. A chat message is a few hundred bytes.
BODY_SECONDS = 10.0
# Answered before its body was read, a request keeps its connection only when
# at most this much of the body is left (uvicorn reads it and drops it).
DRAIN_BYTES = 64 * 1024


@dataclass(frozen=True)
class BodyLimit:
    """The most bytes a request body may have, and how long it may take to arrive."""

    max_bytes: int
    seconds: float = BODY_SECONDS


class BodyRefused(Exception):
    """A body that cannot be taken; ``status`` is the answer (413 or 408)."""

    status = 400


class BodyTooLarge(BodyRefused):
    status = 413


class BodyTooSlow(BodyRefused):
    status = 408


class TooDeep(ValueError):
    """JSON nested deeper than ``MAX_JSON_DEPTH``."""


# Builds the answer to a refused request: (path, status) -> a response.
Refusal = Callable[[str, int], Response]


def plain_refusal(path: str, status: int) -> Response:
    words = {413: "This is too big to send.", 408: "This took too long to arrive."}
    return Response(words.get(status, "This could not be read."), status, media_type="text/plain")


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers") or []:
        if name == wanted:
            return value
    return None


def _declared_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class RequestLimits:
    """Refuse request bodies over their path's limit, or too slow to arrive, while reading them.

    ``limits`` maps a path to its limit; a path also covers everything under it
    (``"/staff"`` covers ``"/staff/quality"``), and the longest match wins.
    Other paths get ``default``. ``refusal`` builds the answer.
    """

    def __init__(
        self,
        app: ASGIApp,
        limits: dict[str, BodyLimit],
        default: BodyLimit,
        refusal: Refusal = plain_refusal,
    ) -> None:
        self.app = app
        self.limits = sorted(limits.items(), key=lambda item: len(item[0]), reverse=True)
        self.default = default
        self.refusal = refusal

    def limit_for(self, path: str) -> BodyLimit:
        for prefix, limit in self.limits:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.limit_for(path)
        declared = _declared_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await self._refuse(scope, send, path, BodyTooLarge.status)
            return

        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit.seconds
        read = 0
        # Without Content-Length or chunks, an HTTP/1.1 request has no body.
        body_done = not declared and _header(scope, b"transfer-encoding") is None
        response_started = False

        async def guarded_receive() -> Message:
            nonlocal read, body_done
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise BodyTooSlow from None
            if message["type"] != "http.request":
                body_done = True
                return message
            read += len(message.get("body", b""))
            if read > limit.max_bytes:
                raise BodyTooLarge
            body_done = not message.get("more_body", False)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                left = None if declared is None else declared - read
                if not body_done and (left is None or left > DRAIN_BYTES):
                    # Answered before the body was read (a 4xx): the rest is not wanted.
                    MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except BodyRefused as refused:
            if response_started:
                return  # too late to answer: the server closes the unfinished response
            await self._refuse(scope, guarded_send, path, refused.status)
        except ClientDisconnect:
            return  # the client went away half way through its body: nobody to answer

    async def _refuse(self, scope: Scope, send: Send, path: str, status: int) -> None:
        response = self.refusal(path, status)
        response.headers["connection"] = "close"
        await response(scope, _nothing_more, send)


async def _nothing_more() -> Message:
    return {"type": "http.disconnect"}


def _depth(value: object) -> int:
    """How deeply lists and objects are nested in ``value`` (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def read_json(body: bytes | str) -> object:
    """The JSON in ``body``: ``ValueError`` when it is not JSON, ``TooDeep`` when too deep."""
    try:
        value = json.loads(body)
    except RecursionError:
        raise TooDeep(f"JSON nested more than {MAX_JSON_DEPTH} deep") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise TooDeep(f"JSON nested more than {MAX_JSON_DEPTH} deep")
    return value
