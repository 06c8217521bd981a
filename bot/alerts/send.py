"""The two ways an alert travels: e-mail over SMTP, and a staff Telegram chat."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from bot.settings import Settings

SMTP_TIMEOUT = 10.0


def send_email(settings: Settings, to: str, subject: str, body: str) -> None:
    """Hand one e-mail to the SMTP server in ``COPRO_SMTP_URL``; raises when it is not taken."""
    address = urlsplit(settings.smtp_url)
    secure = address.scheme == "smtps"
    port = address.port or (465 if secure else 25)
    message = EmailMessage()
    message["From"] = settings.alert_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    factory = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with factory(address.hostname or "localhost", port, timeout=SMTP_TIMEOUT) as server:
        if not secure and parse_qs(address.query).get("starttls") == ["true"]:
            server.starttls(context=ssl.create_default_context())
        if address.username:
            server.login(unquote(address.username), unquote(address.password or ""))
        server.send_message(message)


async def send_telegram(settings: Settings, chat_id: str, text: str) -> None:
    """Post the alert to the staff chat through the bot; raises when Telegram does not take it."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    base_url = settings.telegram_api_url or "https://api.telegram.org/bot"
    bot = Bot(settings.telegram_token, base_url=base_url, request=HTTPXRequest())
    async with bot:
        await bot.send_message(chat_id=int(chat_id), text=text)
