"""``copro telegram``: the Telegram bridge (long polling, or the webhook in production), and
sending waiting Telegram messages straight away after a reply or an update."""

from __future__ import annotations

import sys

import click

from bot.cli.shape import CoproGroup
from bot.cli.store import migrate
from bot.settings import get_settings

NO_TOKEN = "Set COPRO_TELEGRAM_TOKEN first (see README.md, Telegram)."


@click.group("telegram", cls=CoproGroup, help="The Telegram bridge.")
def telegram_group() -> None:
    """The Telegram bridge."""


@telegram_group.command(
    "poll", help="Run the bridge with long polling (copro run does this when a token is set)."
)
def telegram_poll() -> int:
    """Run the Telegram bridge with long polling (local use)."""
    from bot.channels.telegram import run_polling

    settings = get_settings()
    if not settings.telegram_token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    migrate(settings.database_url)
    run_polling(settings)
    return 0


@telegram_group.command(
    "webhook", help="Register the webhook (production), with COPRO_TELEGRAM_SECRET."
)
@click.option("--url", help="https://your.server/telegram/webhook")
@click.option("--delete", is_flag=True, help="Stop sending updates there.")
def telegram_webhook(url: str | None, delete: bool) -> int:
    """Register (or remove) the webhook that sends Telegram's updates to bot.server."""
    import asyncio

    from telegram.error import TelegramError

    from bot.channels.telegram import set_webhook

    if delete and url is not None:
        raise click.UsageError("argument --delete: not allowed with argument --url")
    if not delete and url is None:
        raise click.UsageError("one of the arguments --url --delete is required")
    settings = get_settings()
    if not settings.telegram_token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if url is not None and not url.startswith("https://"):
        print("The webhook address must start with https://", file=sys.stderr)
        return 2
    try:
        asyncio.run(set_webhook(settings, url))
    except (ValueError, TelegramError) as error:
        print(f"Telegram said no: {error}", file=sys.stderr)
        return 1
    print("Webhook removed." if url is None else f"Telegram now sends updates to {url}.")
    return 0


def push_telegram() -> bool:
    """Send waiting Telegram messages now; False when Telegram is not set up or not reachable."""
    import asyncio

    from bot.channels.telegram import send_waiting

    settings = get_settings()
    if not settings.telegram_token:
        return False
    sent = asyncio.run(send_waiting(settings))
    if sent is None:
        print("Telegram could not be reached: the messages wait to be sent.", file=sys.stderr)
    return bool(sent)
