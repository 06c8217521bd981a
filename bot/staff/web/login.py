"""Logging in to the staff dashboard and out of it.

A login is checked against the limits of bot.staff.login_guard, its password in
that module's pool of password checks; a good one starts a session in the store
and gives the browser its signed cookie (bot.staff.security). Logging out ends the
session on the server, so that no copy of the cookie works any more.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.staff import accounts, login_guard, security, sessions
from bot.staff.web.auth import safe_next
from bot.staff.web.pages import field, problem, render, settings_of
from bot.staff.web.store_work import StoreUnavailable, in_store, store_unavailable
from bot.store.db import engine_for, unit_of_work

logger = logging.getLogger(__name__)

LOGIN_FAILED = (
    "That user name and password did not work. After "
    f"{login_guard.MAX_FAILED} wrong tries, logging in with that name from here is paused "
    f"for {int(login_guard.LOCK_FOR.total_seconds() // 60)} minutes."
)
LOGOUT_UNFINISHED = (
    "You are logged out on this computer, but the dashboard could not reach its data to "
    "end your session everywhere. Please log in and log out again in a minute."
)


def _login(url: str, name: str, password: str) -> tuple[accounts.StaffMember, str] | None:
    """Check the password and start a session: (member, session id), or None.

    Runs in the password check pool (bot.staff.login_guard).
    """
    with unit_of_work(engine_for(url)) as session:
        result = accounts.verify_login(session, name, password)
        if not result.ok:
            return None
        return result.member, sessions.start(session, result.member.id)


def _end_session(url: str, session_id: str) -> bool:
    with unit_of_work(engine_for(url)) as session:
        return sessions.end(session, session_id)


def _login_guard(request: Request) -> login_guard.LoginGuard:
    """This server's login limits, made on first use."""
    guard = getattr(request.app.state, "login_guard", None)
    if guard is None:
        guard = request.app.state.login_guard = login_guard.LoginGuard()
    return guard


async def login_page(request: Request) -> Response:
    return render(
        request,
        "login.html",
        next=safe_next(request.query_params.get("next")),
        logged_out=request.query_params.get("out") == "1",
    )


def _wait(request: Request, seconds: int, words: str, name: str, after: str | None) -> Response:
    page = render(request, "login.html", 429, error=words, username=name, next=after)
    page.headers["retry-after"] = str(seconds)
    return page


async def login(request: Request) -> Response:
    settings = settings_of(request)
    form = await request.form()
    name = field(form, "username", 200)
    password = field(form, "password", accounts.PASSWORD_MAX + 1)
    after = safe_next(field(form, "next", 200))
    address = request.client.host if request.client else "unknown"
    guard = _login_guard(request)
    known = security.is_known_device(settings, request.cookies.get(security.KNOWN_COOKIE), name)
    pause = guard.check(address, name, known_device=known)
    if pause is not None:
        logger.info("A staff login was paused: too many attempts.")
        return _wait(request, pause.seconds, pause.words, name, after)
    try:
        result = await login_guard.PASSWORD_CHECKS.run(
            _login, settings.database_url, name, password
        )
    except login_guard.Busy:
        logger.info("A staff login was turned away: every password check was busy.")
        return _wait(request, 60, login_guard.BUSY, name, after)
    except SQLAlchemyError as error:
        raise store_unavailable(error) from error
    if result is None:
        guard.failed(address, name)
        logger.info("A staff login was refused.")
        return render(request, "login.html", 401, error=LOGIN_FAILED, username=name, next=after)
    member, session_id = result
    guard.succeeded(address, name)
    logger.info("Staff account #%s logged in.", member.id)
    response = RedirectResponse(after or "/staff", status_code=303)
    security.set_session(response, settings, security.session_value(settings, session_id))
    security.set_known_device(response, settings, name)
    return response


async def logout(request: Request) -> Response:
    """Ends the session on the server, so that no copy of the cookie works any more."""
    settings = settings_of(request)
    session_id = security.read_session(settings, request.cookies.get(security.COOKIE))
    ended = True
    if session_id is not None:
        try:
            await in_store(_end_session, settings.database_url, session_id)
        except StoreUnavailable:
            ended = False
    if ended:
        response = RedirectResponse("/staff/login?out=1", status_code=303)
    else:
        response = problem(request, 503, "Not logged out everywhere", LOGOUT_UNFINISHED)
    security.clear_session(response, settings)
    return response
