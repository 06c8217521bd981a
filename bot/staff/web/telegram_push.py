"""Sending staff's waiting Telegram messages now: a reply to a concern, an update on a review.

The messages wait in the store's outbox either way; this only sends them at once,
as `copro concerns reply` does. The staff pages know no channel: the server
gives them the way to send (``app.state.send_waiting``, see bot.server).
"""

from __future__ import annotations

from starlette.requests import Request


async def push_telegram(request: Request) -> bool:
    """Send waiting Telegram messages now; whether any went."""
    send_waiting = getattr(request.app.state, "send_waiting", None)
    if send_waiting is None:
        return False
    return bool(await send_waiting())
