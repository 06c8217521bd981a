"""What every web chat route needs: who is writing, and a kind message as the reply.

The person behind a browser is known only by a keyed pseudonym of a random
session id, kept in the chat's signed session cookie (see ``sessions``).
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.channels.inbound import pseudonym
from bot.content import channel_message


def kind_reply(key: str, status: int = 200, **values: object) -> JSONResponse:
    """One of the channel's kind messages (``slow_down``, ``unavailable``, ...) as the reply."""
    return JSONResponse(
        {"messages": [{"text": channel_message(key, **values), "buttons": []}]}, status_code=status
    )


def sender_of(request: Request) -> str:
    """The pseudonym of this browser's person; a new session id when there is none yet."""
    session_id = request.session.get("sid")
    if not session_id:
        session_id = secrets.token_urlsafe(24)
        request.session["sid"] = session_id
    return pseudonym(request.app.state.settings.secret_key, "web", session_id)
