"""Telegram's webhook: the route Telegram posts each update to, checked by its secret."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.request_limits import read_json
from bot.settings import Settings

SECRET_HEADER = b"x-telegram-bot-api-secret-token"
MAX_UPDATE_BYTES = 100_000


def _secret_ok(request: Request, secret: str) -> bool:
    if not secret:
        return False
    given = [value for name, value in request.headers.raw if name.lower() == SECRET_HEADER]
    return len(given) == 1 and hmac.compare_digest(given[0], secret.encode())


async def webhook(request: Request) -> Response:
    """Take one update from Telegram.

    ---
    summary: Telegram's webhook (answers 404 when Telegram is not set up)
    responses:
      "200":
        description: The update was handled.
      "400":
        description: The body was not an update (or its JSON was nested too deep).
      "403":
        description: The secret token header was wrong or missing.
      "404":
        description: Telegram is not set up on this server.
      "408":
        description: The body took too long to arrive.
      "413":
        description: The body was too large.
      "503":
        description: The Telegram channel is not running.
    """
    settings: Settings = request.app.state.settings
    if not settings.telegram_token:
        return Response(status_code=404)
    if not _secret_ok(request, settings.telegram_secret):
        return Response(status_code=403)
    application: Application | None = getattr(request.app.state, "telegram", None)
    if application is None:
        return Response(status_code=503)
    # bot.server refuses a body over MAX_UPDATE_BYTES while reading it.
    body = await request.body()
    try:
        data = read_json(body)
        if not isinstance(data, dict):
            return Response(status_code=400)
        update = Update.de_json(data, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return Response(status_code=400)
    await application.process_update(update)
    return Response(status_code=200)


routes = [Route("/telegram/webhook", webhook, methods=["POST"])]
