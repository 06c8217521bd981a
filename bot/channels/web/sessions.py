"""The web chat's session cookie: it ends with the browser, unless the person chose otherwise.

The chat may be used on a shared computer (a school, a library), so the cookie
``copro_session`` is a browser-session cookie: no ``Max-Age``, gone when the
browser closes. A person on their own device can choose to stay signed in
(``POST /api/keep-signed-in``): the signed session then holds ``KEEP`` and the
cookie gets a ``Max-Age`` of ``KEEP_SECONDS``. Either way the signature is
only accepted for ``KEEP_SECONDS`` after the last request.
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import Message, Receive, Scope, Send

COOKIE = "copro_session"
# The session key that holds the person's choice to stay signed in.
KEEP = "keep"
# How long a session lasts after the last request (and a kept cookie with it).
KEEP_SECONDS = 30 * 24 * 3600

_MAX_AGE = re.compile(r";\s*max-age=\d+", re.IGNORECASE)


def keeps_signed_in(session: dict) -> bool:
    return session.get(KEEP) is True


class ChatSessions(SessionMiddleware):
    """Starlette's signed session cookie, without ``Max-Age`` unless the session holds ``KEEP``."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("session_cookie", COOKIE)
        kwargs.setdefault("max_age", KEEP_SECONDS)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return

        async def send_for_browser_session(message: Message) -> None:
            if message["type"] == "http.response.start" and not keeps_signed_in(
                scope.get("session") or {}
            ):
                _drop_max_age(message, self.session_cookie)
            await send(message)

        await super().__call__(scope, receive, send_for_browser_session)


def _drop_max_age(message: Message, cookie: str) -> None:
    """Make the session's Set-Cookie a browser-session cookie (a cleared one keeps its expiry)."""
    headers = MutableHeaders(scope=message)
    values = headers.getlist("set-cookie")
    ours = f"{cookie}="
    if not any(value.startswith(ours) for value in values):
        return
    del headers["set-cookie"]
    for value in values:
        if value.startswith(ours) and not value.startswith(f"{ours}null;"):
            value = _MAX_AGE.sub("", value)
        headers.append("set-cookie", value)
