"""Who is signed in to the staff dashboard, and the pages only they may open.

The staff application's AuthenticationMiddleware asks ``StaffSessions`` for the
member behind the ``copro_staff`` cookie (bot.staff.security, bot.staff.sessions):
``request.user`` is then a ``StaffUser`` with the "staff" scope. A page for staff
only (``staff_page``) sends anyone else to the login page; a download or an image
(``staff_file``) answers 401 in plain words. When the store does not answer the
look-up, those pages answer 503 instead; the login page itself still opens.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    UnauthenticatedUser,
    has_required_scope,
)
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot.staff import security, sessions
from bot.staff.accounts import StaffMember
from bot.staff.web.store_work import StoreUnavailable, in_store
from bot.store.db import engine_for, unit_of_work

Handler = Callable[[Request], Awaitable[Response]]
# What a staff address answers with: a page (HTML) or a file (a download or an image).
PAGE, FILE = "page", "file"
STAFF = "staff"
LOGIN = "/staff/login"
# Where no member is looked up: logging in and out need none, and show none.
NO_MEMBER_PATHS = (LOGIN, "/staff/logout")
# Where a login may go back to: a dashboard page, never another site.
NEXT = re.compile(r"/staff(/(?!\.)[A-Za-z0-9_.-]+)*")
REFUSED_FILE = "Log in to the staff dashboard first."


class StaffUser(BaseUser):
    """A signed-in staff member."""

    def __init__(self, member: StaffMember) -> None:
        self.member = member

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.member.username

    @property
    def identity(self) -> str:
        return str(self.member.id)


class NotChecked(UnauthenticatedUser):
    """Someone whose session could not be looked up: the store did not answer."""


def _account_for(url: str, session_id: str) -> StaffMember | None:
    with unit_of_work(engine_for(url)) as session:
        return sessions.current(session, session_id)


class StaffSessions(AuthenticationBackend):
    """The staff member whose open session the cookie carries, looked up in a worker thread."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        if conn.url.path in NO_MEMBER_PATHS:
            return None
        settings = conn.app.state.settings
        session_id = security.read_session(settings, conn.cookies.get(security.COOKIE))
        if session_id is None:
            return None
        try:
            member = await in_store(_account_for, settings.database_url, session_id)
        except StoreUnavailable:
            return AuthCredentials(), NotChecked()
        if member is None:
            return None
        return AuthCredentials([STAFF]), StaffUser(member)


def member_of(request: Request) -> StaffMember | None:
    """The signed-in member, on a page for staff only."""
    user = request.scope.get("user")
    return user.member if isinstance(user, StaffUser) else None


def staff_only(kind: str) -> Callable[[Handler], Handler]:
    """Only for a signed-in staff member: others go to the login page, or get a 401.

    Starlette's ``requires`` cannot give these answers: its redirect carries the
    whole address as ``next`` (also for a POST, also off the dashboard), and its 401
    has no words of ours.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            if isinstance(request.user, NotChecked):
                raise StoreUnavailable
            if not has_required_scope(request, [STAFF]):
                return _refused(request, kind)
            return await handler(request)

        endpoint.staff_kind = kind  # type: ignore[attr-defined]
        return endpoint

    return decorate


staff_page = staff_only(PAGE)
staff_file = staff_only(FILE)


def kind_of(request: Request) -> str:
    """Whether the address asked for answers with a page or a file."""
    return getattr(request.scope.get("endpoint"), "staff_kind", PAGE)


def _refused(request: Request, kind: str) -> Response:
    if kind == FILE:
        return PlainTextResponse(REFUSED_FILE, status_code=401)
    target = LOGIN
    if request.method == "GET" and safe_next(request.url.path):
        target += "?" + urlencode({"next": request.url.path})
    return RedirectResponse(target, status_code=303)


def safe_next(path: object) -> str | None:
    """``path`` when a login may go back to it: a dashboard page other than the login."""
    if isinstance(path, str) and NEXT.fullmatch(path) and path != LOGIN:
        return path
    return None
