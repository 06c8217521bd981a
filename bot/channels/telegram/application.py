"""The Telegram bot's life: building it, starting and stopping it, polling, the webhook address.

Also sending every waiting message at once (``push_waiting``, ``push_now``),
as staff replies do.
"""

from __future__ import annotations

import logging

import httpx
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.channels.telegram.bridge import BRIDGE_KEY, Bridge
from bot.channels.telegram.handlers import add_handlers
from bot.channels.telegram.sending import PacedRateLimiter, deliver_waiting
from bot.settings import Settings

logger = logging.getLogger(__name__)


async def _close_bridge(application: Application) -> None:
    bridge: Bridge = application.bot_data[BRIDGE_KEY]
    await bridge.close()


def build_application(
    settings: Settings,
    *,
    base_url: str | None = None,
    http: httpx.AsyncClient | None = None,
    pace: float = 1.0,
) -> Application:
    """The bot, with its handlers, talking to Rasa with ``http``.

    ``base_url`` points the bot at another Bot API server (tests use a stand-in).
    Without ``http`` the bridge makes its own client and closes it on shutdown.
    """
    if not settings.telegram_token:
        raise ValueError("COPRO_TELEGRAM_TOKEN must be set for the Telegram channel")
    # The token is part of every Bot API address, and httpx logs addresses at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .rate_limiter(PacedRateLimiter(pace=pace))
        .post_shutdown(_close_bridge)
    )
    base_url = base_url or settings.telegram_api_url
    if base_url:
        builder = builder.base_url(base_url)
    application = builder.build()
    owns_http = http is None
    client = http or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0))
    application.bot_data[BRIDGE_KEY] = Bridge(settings, client, owns_http)
    add_handlers(application)
    return application


async def push_waiting(app_or_bot: Application | Bot, settings: Settings) -> int:
    """Send every waiting Telegram message to its person's kept chat; return how many went.

    A message is marked delivered only after Telegram took it.
    """
    bot = app_or_bot.bot if isinstance(app_or_bot, Application) else app_or_bot
    return await deliver_waiting(bot, settings.database_url)


async def start_application(application: Application) -> None:
    """Start the bot inside a server that takes updates on its webhook."""
    await application.initialize()
    await application.start()


async def stop_application(application: Application) -> None:
    """Stop the bot, and close its clients."""
    if application.running:
        await application.stop()
    await application.shutdown()
    await _close_bridge(application)


def run_polling(
    settings: Settings, *, base_url: str | None = None, handle_signals: bool = True
) -> None:
    """Run the bot with long polling (local use: no public address needed).

    Blocks until stopped (Ctrl+C). ``handle_signals=False`` when run outside
    the main thread, where signal handlers cannot be set.
    """
    application = build_application(settings, base_url=base_url)
    if handle_signals:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)


async def push_now(settings: Settings) -> int:
    """Start the bot just long enough to send every waiting Telegram message."""
    application = build_application(settings)
    async with application:
        return await push_waiting(application, settings)


# What "Telegram could not be reached" looks like from here.
UNREACHABLE = (TelegramError, httpx.HTTPError, OSError)


async def send_waiting(settings: Settings, running: Application | None = None) -> int | None:
    """Send every waiting Telegram message now: a staff reply, an update, a kept reply.

    Through the ``running`` bot when there is one, else through one started for
    it. How many went; 0 when Telegram is not set up; None (logged by its kind)
    when Telegram could not be reached. The messages wait in the store either way.
    """
    if not settings.telegram_token:
        return 0
    try:
        if running is not None:
            return await push_waiting(running, settings)
        return await push_now(settings)
    except UNREACHABLE as error:
        logger.warning("Telegram could not be reached: %s", type(error).__name__)
        return None


async def set_webhook(settings: Settings, url: str | None) -> None:
    """Tell Telegram where to send updates (with the secret), or stop sending them."""
    if url and not settings.telegram_secret:
        raise ValueError("COPRO_TELEGRAM_SECRET must be set before a webhook is registered")
    application = build_application(settings)
    async with application:
        if url:
            await application.bot.set_webhook(
                url, secret_token=settings.telegram_secret, allowed_updates=Update.ALL_TYPES
            )
        else:
            await application.bot.delete_webhook()
