"""The ASGI application: web chat, Telegram's webhook, pledge register, staff dashboard, health."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.schemas import SchemaGenerator
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.alerts.desk import AlertDesk
from bot.channels import telegram
from bot.channels.inbound import MAX_MESSAGE_CHARS
from bot.channels.kept import delivery, keep_trying
from bot.channels.limits import ChatLimits
from bot.channels.rasa_client import gateway_of
from bot.channels.web.routes import MAX_BODY_BYTES
from bot.channels.web.routes import routes as web_routes
from bot.channels.web.sessions import ChatSessions
from bot.content import channel_message
from bot.request_limits import BodyLimit, RequestLimits, plain_refusal
from bot.safety import safety_check
from bot.settings import Settings, get_settings
from bot.staff import security
from bot.staff.routes import routes as public_routes
from bot.staff.web.app import staff_addresses, staff_app

# How often alerts that did not go are tried again, and escalations looked for.
ALERT_CHECK_SECONDS = 15.0

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
# Answers under these paths are about one person: never kept by a browser or proxy.
PRIVATE_PREFIXES = ("/api/",)

# How big a request body may be, by path, and how long it may take to arrive.
BODY_LIMITS = {
    "/api/chat": BodyLimit(MAX_BODY_BYTES),
    "/telegram/webhook": BodyLimit(telegram.MAX_UPDATE_BYTES),
    # The staff dashboard checks each form against its own limit (bot.staff.security);
    # this only stops a body far past the biggest of them, and gives big forms more time.
    security.PREFIX: BodyLimit(
        2 * max(security.MAX_FORM_BYTES, *security.FORM_LIMITS.values()), seconds=30.0
    ),
}
# Every other path: its body, if any, is a small JSON object.
DEFAULT_BODY_LIMIT = BodyLimit(MAX_BODY_BYTES)


class SecurityHeaders:
    """Add the security headers to every response, and no-store to answers about a person."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        added = dict(SECURITY_HEADERS)
        if scope.get("path", "").startswith(PRIVATE_PREFIXES):
            added["cache-control"] = "no-store"

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in added.items():
                    if name.encode() not in names:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def refusal(path: str, status: int) -> Response:
    """The answer to a body refused by RequestLimits: the chat's kind words under /api/."""
    if not path.startswith("/api/"):
        return plain_refusal(path, status)
    words = channel_message("too_long", limit=MAX_MESSAGE_CHARS)
    if status == 408:
        words = channel_message("too_slow")
    return JSONResponse({"messages": [{"text": words, "buttons": []}]}, status_code=status)


async def health(request: Request) -> Response:
    """Whether the server is up.

    ---
    summary: Health check
    responses:
      "200":
        description: The server is up.
        content:
          application/json:
            schema:
              type: object
              properties:
                status: {type: string}
    """
    return JSONResponse({"status": "ok"})


OPENAPI = SchemaGenerator(
    {
        "openapi": "3.0.3",
        "info": {"title": "Co-production companion", "version": "1"},
        "components": {
            "schemas": {
                "Replies": {
                    "type": "object",
                    "required": ["messages"],
                    "properties": {
                        "messages": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["text", "buttons"],
                                "properties": {
                                    "text": {"type": "string"},
                                    "buttons": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["title", "payload"],
                                            "properties": {
                                                "title": {"type": "string"},
                                                "payload": {"type": "string"},
                                            },
                                        },
                                    },
                                },
                            },
                        },
                        "kept": {
                            "type": "boolean",
                            "description": "The message was kept to be sent when the "
                            "assistant can take it; ask /api/waiting for the reply later.",
                        },
                    },
                },
                "KeepSignedIn": {
                    "type": "object",
                    "required": ["keep"],
                    "properties": {
                        "keep": {
                            "type": "boolean",
                            "description": "Stay signed in on this device after the "
                            "browser closes (30 days from the last message).",
                        }
                    },
                },
            }
        },
    }
)


async def openapi(request: Request) -> Response:
    """The OpenAPI description of this server (JSON)."""
    return JSONResponse(OPENAPI.get_schema(routes=request.app.routes))


@asynccontextmanager
async def _in_background(work: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run ``work`` while the server runs; cancel it when the server stops."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application; nothing is opened until it starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if getattr(app.state, "http", None) is not None:
            yield  # a client given from outside (tests)
            return
        # The safety check is loaded before the first message, not during it.
        await asyncio.to_thread(safety_check, settings.safety_model)
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0)) as client:
            app.state.http = client
            async with (
                _telegram_running(app, client),
                _kept_messages_sent(app),
                _alerts_sent(app),
            ):
                yield

    def _alerts_sent(app: Starlette) -> contextlib.AbstractAsyncContextManager[None]:
        """Safeguarding alerts are tried again and escalated in the background."""
        return _in_background(app.state.alerts.keep_sending(ALERT_CHECK_SECONDS))

    @asynccontextmanager
    async def _kept_messages_sent(app: Starlette) -> AsyncIterator[None]:
        """Messages kept while Rasa was away are sent again in the background."""
        gateway = gateway_of(app.state)

        async with _in_background(
            keep_trying(gateway, delivery(settings, gateway, app.state.send_waiting))
        ):
            yield

    @asynccontextmanager
    async def _telegram_running(app: Starlette, client: httpx.AsyncClient) -> AsyncIterator[None]:
        """The Telegram bridge runs (for the webhook) only when a token is set."""
        if not settings.telegram_token or getattr(app.state, "telegram", None) is not None:
            yield
            return
        application = telegram.build_application(settings, http=client)
        await telegram.start_application(application)
        app.state.telegram = application
        try:
            yield
        finally:
            app.state.telegram = None
            await telegram.stop_application(application)

    staff = staff_app(settings)
    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/openapi.json", openapi, include_in_schema=False),
            *web_routes,
            *public_routes,
            *telegram.routes,
            # Not in the OpenAPI description: the staff dashboard, behind a login, with its
            # own checks of forms and CSRF tokens (bot.staff.web.app).
            *staff_addresses(staff),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            # Bodies refused while they are read: too big, or too slow to arrive.
            Middleware(
                RequestLimits, limits=BODY_LIMITS, default=DEFAULT_BODY_LIMIT, refusal=refusal
            ),
            # The chat's signed session: a browser-session cookie unless the person
            # chose to stay signed in (bot.channels.web.sessions).
            Middleware(
                ChatSessions,
                secret_key=settings.secret_key,
                same_site="strict",
                https_only=settings.production,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings

    async def send_waiting() -> int | None:
        """Waiting Telegram messages sent now (bot.channels.telegram.send_waiting)."""
        return await telegram.send_waiting(settings, getattr(app.state, "telegram", None))

    # The staff pages' and the kept messages' way to send a waiting Telegram message.
    app.state.send_waiting = send_waiting
    app.state.limits = ChatLimits()
    app.state.alerts = AlertDesk(settings)
    # One state for both: the settings, the login limits, the running Telegram bridge.
    staff.state = app.state
    return app
