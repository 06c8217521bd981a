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
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.schemas import SchemaGenerator
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.alerts.desk import AlertDesk
from bot.channels import telegram
from bot.channels.kept import delivery, keep_trying
from bot.channels.limits import ChatLimits
from bot.channels.rasa_client import gateway_of
from bot.channels.web.routes import routes as web_routes
from bot.safety import safety_check
from bot.settings import Settings, get_settings
from bot.staff import security
from bot.staff.dashboard import routes as staff_routes
from bot.staff.routes import routes as public_routes
from bot.staff.safeguarding import routes as safeguarding_routes

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


class SecurityHeaders:
    """Add the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in names:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
                }
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

        async def push() -> None:
            if getattr(app.state, "telegram", None) is not None:
                await telegram.push_waiting(app.state.telegram, settings)
            elif settings.telegram_token:
                await telegram.push_now(settings)

        async with _in_background(keep_trying(gateway, delivery(settings, gateway, push))):
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

    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/openapi.json", openapi, include_in_schema=False),
            *web_routes,
            *public_routes,
            *telegram.routes,
            # Not in the OpenAPI description: for staff only, behind a login.
            *safeguarding_routes,
            *staff_routes,
        ],
        middleware=[
            Middleware(SecurityHeaders),
            # Under /staff only: forms checked, then their CSRF token (asgi-csrf).
            Middleware(security.StaffGuard, settings=settings),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="copro_session",
                same_site="strict",
                https_only=settings.production,
                max_age=30 * 24 * 3600,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.limits = ChatLimits()
    app.state.alerts = AlertDesk(settings)
    return app
