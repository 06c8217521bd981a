"""What keeps the staff dashboard to staff: its session cookie, CSRF tokens, form limits.

- The session is a cookie of its own, ``copro_staff`` (path ``/staff``, HttpOnly,
  SameSite=Strict, Secure in production), signed with ``COPRO_SECRET_KEY`` under
  its own salt and good for 8 hours. It carries only the id of a session kept in
  the store (bot/staff/sessions.py), which the server ends at logout, after 8
  hours, when the password changes or the account is removed: a copy of the
  cookie stops working with it. Each login gets a new session.
- Every POST under ``/staff`` must carry a CSRF token (asgi-csrf: a signed
  ``csrftoken`` cookie and the same value in the form's ``csrftoken`` field).
  ``StaffGuard`` is middleware of the staff application (bot.staff.web.app):
  nothing else on the server passes through it.
- Forms under ``/staff`` are small (``FORM_LIMITS`` names the few bigger ones),
  URL-encoded and UTF-8; anything else gets a plain 4xx answer before it reaches
  asgi-csrf or a page.
"""

from __future__ import annotations

from asgi_csrf import asgi_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.settings import Settings

COOKIE = "copro_staff"
PREFIX = "/staff"
SESSION_SALT = "copro-staff-session"
CSRF_NAMESPACE = "copro-staff-csrf"
SESSION_SECONDS = 8 * 60 * 60
# The longest form is a reply of 2,000 characters; percent-encoded, that fits.
MAX_FORM_BYTES = 64_000
# Bigger forms, by path. The quality indicators self-assessment has a text box of up to
# 2,000 characters for each of 2 notes per statement and 3 next steps per heading:
# 62 boxes for Wokingham's, which fit percent-encoded even in 4-byte characters.
FORM_LIMITS = {"/staff/quality": 1_600_000}
FORM_TYPE = b"application/x-www-form-urlencoded"


def is_staff_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=SESSION_SALT)


def session_value(settings: Settings, session_id: str) -> str:
    """The cookie value for a session: its id, signed."""
    return _signer(settings).dumps({"session": session_id})


def read_session(settings: Settings, value: str | None) -> str | None:
    """The session id a cookie carries, if it is ours, unchanged and under 8 hours old.

    Whether that session is still open is for the store to say (bot/staff/sessions.py).
    """
    if not value:
        return None
    try:
        data = _signer(settings).loads(value, max_age=SESSION_SECONDS)
    except BadSignature:  # also an expired one (SignatureExpired)
        return None
    session_id = data.get("session") if isinstance(data, dict) else None
    if not isinstance(session_id, str) or not 0 < len(session_id) <= 100:
        return None
    return session_id


KNOWN_COOKIE = "copro_staff_known"
KNOWN_SALT = "copro-staff-known-device"
KNOWN_SECONDS = 90 * 24 * 60 * 60


def known_device_value(settings: Settings, name: str) -> str:
    """A signed note that this browser has logged in with ``name`` (no session in it)."""
    return URLSafeTimedSerializer(settings.secret_key, salt=KNOWN_SALT).dumps(name.strip().lower())


def is_known_device(settings: Settings, value: str | None, name: str) -> bool:
    """Whether the cookie says this browser logged in with ``name`` in the last 90 days."""
    if not value:
        return False
    try:
        signer = URLSafeTimedSerializer(settings.secret_key, salt=KNOWN_SALT)
        known = signer.loads(value, max_age=KNOWN_SECONDS)
    except BadSignature:
        return False
    return isinstance(known, str) and known == name.strip().lower()


def set_known_device(response: Response, settings: Settings, name: str) -> None:
    response.set_cookie(
        KNOWN_COOKIE,
        known_device_value(settings, name),
        max_age=KNOWN_SECONDS,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=settings.production,
    )


def set_session(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_SECONDS,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=settings.production,
    )


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path=PREFIX, httponly=True, samesite="strict", secure=settings.production
    )


class _StaffPaths:
    """Every path under /staff, for asgi-csrf's ``always_protect``.

    asgi-csrf lets a POST without any cookie through unless its path is
    "always protected": under /staff none is let through (the login form too).
    """

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and is_staff_path(path)


CSRF_FAILED = (
    "This form could not be accepted: it was out of date or did not come from the "
    "staff dashboard. Go back, reload the page and try again."
)


async def _csrf_failed(scope: Scope, send: Send, message_id: object) -> None:
    await PlainTextResponse(CSRF_FAILED, status_code=403)(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


class StaffGuard:
    """Requests under /staff: forms checked, then their CSRF token; others go straight on.

    A POST under /staff must be a small URL-encoded UTF-8 form, with cookies
    that can be read: anything else gets a plain 4xx answer here, so that
    neither asgi-csrf (which reads both as UTF-8) nor a page ever fails on it.
    Requests anywhere else never reach asgi-csrf at all.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.protected = asgi_csrf(
            app,
            signing_secret=settings.secret_key,
            signing_namespace=CSRF_NAMESPACE,
            cookie_path=PREFIX,
            cookie_secure=settings.production,
            cookie_samesite="Strict",
            always_protect=_StaffPaths(),
            skip_if_scope=lambda scope: not is_staff_path(scope.get("path", "")),
            send_csrf_failed=_csrf_failed,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_staff_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        problem = _unreadable(headers.get(b"cookie", b""))
        if problem is None and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
            if content_type != FORM_TYPE:
                problem = (415, "Send this form from the staff dashboard page.")
            else:
                limit = FORM_LIMITS.get(scope.get("path", ""), MAX_FORM_BYTES)
                body, problem = await _read_form(receive, limit)
                if problem is None:
                    receive = _replay(body, receive)
        if problem is not None:
            status, words = problem
            await PlainTextResponse(words, status_code=status)(scope, receive, send)
            return
        await self.protected(scope, receive, send)


def _unreadable(cookie: bytes) -> tuple[int, str] | None:
    try:
        cookie.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "A cookie of this site could not be read: clear this site's cookies."
    return None


async def _read_form(
    receive: Receive, limit: int = MAX_FORM_BYTES
) -> tuple[bytes, tuple[int, str] | None]:
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", (400, "The form did not arrive whole. Please send it again.")
        body += message.get("body", b"")
        if len(body) > limit:
            return b"", (413, "This form is too long. Please shorten what you wrote.")
        if not message.get("more_body", False):
            break
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return b"", (400, "This form could not be read. Please send it again.")
    return body, None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
