"""The staff dashboard under /staff: reviews and their results, pledges, concerns, safeguarding,
and the quality indicators self-assessment.

Every page but the login page needs a staff session (see bot/staff/security.py):
a page without one sends the browser to the login page, a download or an image
answers 401 with nothing in it. Results come from bot.staff.export.build_export,
so the dashboard withholds exactly what the exports withhold. Each store read or
write is one short unit of work in a worker thread; when the store does not
answer, a plain 503 page says so.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

import httpx
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from telegram.error import TelegramError

from bot.content import CharterPack, get_pack, list_packs
from bot.names import ANSWER_VALUES, CONCERN_STATUSES
from bot.reports.register import CharterRegister, build_register
from bot.settings import Settings
from bot.staff import (
    accounts,
    login_guard,
    quality,
    quality_files,
    quality_sums,
    reviews,
    security,
    sessions,
)
from bot.staff.charts import ANSWER_WORDS
from bot.staff.export import CHANNEL_KEYS, ROLE_KEYS, ReviewResult, build_export
from bot.staff.export_files import export_csv, export_json, export_xlsx
from bot.staff.routes import TEMPLATES, long_date
from bot.store import concerns, repository, updates
from bot.store.db import engine_for, in_thread, unit_of_work
from bot.store.models import Concern

logger = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
PAGE, FILE = "page", "file"
CODE = re.compile(r"[A-Za-z0-9-]{1,32}")
QUESTION_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
# Where a login may go back to: a dashboard page, never another site.
NEXT = re.compile(r"/staff(/(?!\.)[A-Za-z0-9_.-]+)*")
STATUS_WORDS = {"new": "New", "in_progress": "In progress", "resolved": "Resolved"}
QUEUE_FILTERS = {
    "open": "Not resolved yet",
    "new": "New",
    "in_progress": "In progress",
    "resolved": "Resolved",
    "all": "All",
}
ROLE_WORDS = {
    "parent_carer": "Parents and carers",
    "young_person": "Young people",
    "practitioner": "Practitioners",
    "unknown": "Did not say",
}
CHANNEL_WORDS = {"web": "Web chat", "telegram": "Telegram", "rest": "Other"}
LEVEL_WORDS = {level: level.capitalize() for level in reviews.LADDER_LEVELS}
PLACE_WORDS = {
    "doing_to": "Done to them",
    "doing_for": "Done for them",
    "doing_with": "Done with them",
    "not_sure": "Not sure",
}
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "CSV (spreadsheet, no comments)"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel workbook (XLSX)",
    ),
    "json": ("application/json", "JSON (data)"),
}
LOGIN_FAILED = (
    "That user name and password did not work. After "
    f"{login_guard.MAX_FAILED} wrong tries, logging in with that name from here is paused "
    f"for {int(login_guard.LOCK_FOR.total_seconds() // 60)} minutes."
)
LOGOUT_UNFINISHED = (
    "You are logged out on this computer, but the dashboard could not reach its data to "
    "end your session everywhere. Please log in and log out again in a minute."
)
UNAVAILABLE = "The dashboard cannot reach its data just now. Please try again in a minute."
REVIEW_PROBLEMS = {
    "title": f"Give the review a title of up to {reviews.TITLE_MAX} characters.",
    "charter": "Choose the charter from the list.",
    "level": "Choose a level from the list, or leave it as not said.",
    "date": "Give the date as a date like 2026-11-20, or leave it empty.",
    "questions": "Choose optional questions from the charter you chose, or none.",
}
REPLY_PROBLEMS = {
    "blank": "Write a reply before sending it.",
    "too_long": f"The reply is too long: please keep it to {concerns.REPLY_MAX} characters.",
}
NOTICES = {
    "reply_sent": "Concern {id}: your reply is saved and was sent to them on Telegram.",
    "reply_waiting": (
        "Concern {id}: your reply is saved. It waits for them on {channel}: "
        "they see it with their next message."
    ),
    "reply_saved": (
        "Concern {id}: your reply is saved. They did not ask for a reply, so it was not sent."
    ),
    "status": "{what} {id} is now: {status}.",
    "flag_acknowledge": "Message {id}: acknowledged. No second alert will be sent about it.",
    "flag_mark": "Message {id}: your judgement is saved.",
}


def when(moment: datetime | None) -> str:
    """A stored time as people read it, e.g. "24 November 2026, 14:05 (UTC)"."""
    moment = accounts.as_utc(moment)
    return "" if moment is None else f"{moment.day} {moment:%B %Y, %H:%M} (UTC)"


def day(iso: str | None) -> str:
    """ "2026-11-20" as "20 November 2026"; anything else as it was stored."""
    try:
        return long_date(iso)
    except ValueError:
        return iso or ""


TEMPLATES.filters["when"] = when
TEMPLATES.filters["day"] = day
TEMPLATES.globals.update(
    status_words=STATUS_WORDS,
    answer_words=ANSWER_WORDS,
    answer_values=ANSWER_VALUES,
    role_words=ROLE_WORDS,
    channel_words=CHANNEL_WORDS,
    level_words=LEVEL_WORDS,
    place_words=PLACE_WORDS,
)


# ---- Responses -------------------------------------------------------------------------------


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _section(path: str) -> str:
    for name in ("pledges", "concerns", "safeguarding", "quality"):
        if path.startswith(f"/staff/{name}"):
            return name
    return "reviews"


def _render(request: Request, template: str, status: int = 200, **values: object) -> Response:
    html = TEMPLATES.get_template(f"staff/{template}").render(
        member=getattr(request.state, "member", None),
        csrftoken=request.scope["csrftoken"](),
        section=_section(request.url.path),
        min_group=_settings(request).min_group,
        **values,
    )
    return HTMLResponse(html, status_code=status)


def _problem(request: Request, status: int, heading: str, words: str) -> Response:
    return _render(request, "problem.html", status, heading=heading, words=words)


def _unavailable(request: Request, kind: str = PAGE) -> Response:
    if kind == FILE:
        return PlainTextResponse(UNAVAILABLE, status_code=503)
    return _problem(request, 503, "Not available just now", UNAVAILABLE)


def _not_found(request: Request, kind: str, words: str) -> Response:
    if kind == FILE:
        return PlainTextResponse(words, status_code=404)
    return _problem(request, 404, "Not found", words)


def _no_store(response: Response) -> Response:
    """Staff pages hold personal data: never kept by the browser or a proxy."""
    response.headers["cache-control"] = "no-store"
    return response


def _field(form: FormData, name: str, limit: int = 10_000) -> str:
    """A text field of the form ("" when missing), cut at ``limit`` characters."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


# ---- Who is signed in ------------------------------------------------------------------------


def _account_for(url: str, session_id: str) -> object:
    with unit_of_work(engine_for(url)) as session:
        return sessions.current(session, session_id) or False


def staff_only(kind: str = PAGE) -> Callable[[Handler], Handler]:
    """Only for a signed-in staff member: others go to the login page, or get a 401."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            settings = _settings(request)
            session_id = security.read_session(settings, request.cookies.get(security.COOKIE))
            member: object = False
            if session_id is not None:
                member = await in_thread(_account_for, settings.database_url, session_id)
            if member is None:
                return _no_store(_unavailable(request, kind))
            if member is False:
                return _no_store(_refused(request, kind))
            request.state.member = member
            return _no_store(await handler(request))

        return endpoint

    return decorate


def _refused(request: Request, kind: str) -> Response:
    if kind == FILE:
        return PlainTextResponse("Log in to the staff dashboard first.", status_code=401)
    target = "/staff/login"
    if request.method == "GET" and _safe_next(request.url.path):
        target += "?" + urlencode({"next": request.url.path})
    return RedirectResponse(target, status_code=303)


def _safe_next(path: object) -> str | None:
    if isinstance(path, str) and NEXT.fullmatch(path) and path != "/staff/login":
        return path
    return None


# ---- Logging in and out ----------------------------------------------------------------------


def _login(url: str, name: str, password: str) -> object:
    """Check the password and start a session: (member, session id), False, or None.

    Runs in the password check pool (bot.staff.login_guard); None when the store
    did not answer.
    """
    try:
        with unit_of_work(engine_for(url)) as session:
            result = accounts.verify_login(session, name, password)
            if not result.ok:
                return False
            return result.member, sessions.start(session, result.member.id)
    except SQLAlchemyError as error:
        logger.warning("The store did not answer: %s", type(error).__name__)
        return None


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
    return _no_store(
        _render(
            request,
            "login.html",
            next=_safe_next(request.query_params.get("next")),
            logged_out=request.query_params.get("out") == "1",
        )
    )


def _wait(request: Request, seconds: int, words: str, name: str, after: str | None) -> Response:
    page = _render(request, "login.html", 429, error=words, username=name, next=after)
    page.headers["retry-after"] = str(seconds)
    return _no_store(page)


async def login(request: Request) -> Response:
    settings = _settings(request)
    form = await request.form()
    name = _field(form, "username", 200)
    password = _field(form, "password", accounts.PASSWORD_MAX + 1)
    after = _safe_next(_field(form, "next", 200))
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
    if result is None:
        return _no_store(_unavailable(request))
    if result is False:
        guard.failed(address, name)
        logger.info("A staff login was refused.")
        page = _render(request, "login.html", 401, error=LOGIN_FAILED, username=name, next=after)
        return _no_store(page)
    member, session_id = result
    guard.succeeded(address, name)
    logger.info("Staff account #%s logged in.", member.id)
    response = RedirectResponse(after or "/staff", status_code=303)
    security.set_session(response, settings, security.session_value(settings, session_id))
    security.set_known_device(response, settings, name)
    return _no_store(response)


async def logout(request: Request) -> Response:
    """Ends the session on the server, so that no copy of the cookie works any more."""
    settings = _settings(request)
    session_id = security.read_session(settings, request.cookies.get(security.COOKIE))
    ended = True
    if session_id is not None:
        ended = await in_thread(_end_session, settings.database_url, session_id) is not None
    if ended:
        response = RedirectResponse("/staff/login?out=1", status_code=303)
    else:
        response = _problem(request, 503, "Not logged out everywhere", LOGOUT_UNFINISHED)
    security.clear_session(response, settings)
    return _no_store(response)


# ---- Reviews ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    code: str
    title: str
    area: str
    level: str | None
    held_on: str | None
    created_at: datetime
    closed_at: datetime | None
    people: int | None


def _areas() -> dict[str, str]:
    return {pack.id: pack.area for pack in list_packs()}


def _principles() -> dict[str, dict[str, str]]:
    """Each charter's principles by id: their names, for people."""
    return {pack.id: {p.id: p.name for p in pack.principles} for pack in list_packs()}


def _review_rows(url: str, min_group: int) -> list[ReviewRow]:
    with unit_of_work(engine_for(url)) as session:
        people = {r.code: r.responses for r in build_export(session, min_group)}
        areas = _areas()
        return [
            ReviewRow(
                r.code,
                r.title,
                areas.get(r.charter, r.charter),
                r.level,
                r.held_on,
                r.created_at,
                r.closed_at,
                people.get(r.code, 0),
            )
            for r in repository.all_reviews(session)
        ]


def people_words(people: int | None, min_group: int) -> str:
    """How many answered, with a small group never given exactly (None: a small group)."""
    if people == 0:
        return "None yet"
    if people is None or people < min_group:
        return f"Fewer than {min_group}"
    return str(people)


TEMPLATES.globals["people_words"] = people_words


async def _reviews_page(
    request: Request, status: int = 200, error: str | None = None, **values: object
) -> Response:
    settings = _settings(request)
    rows = await in_thread(_review_rows, settings.database_url, settings.min_group)
    if rows is None:
        return _unavailable(request)
    form = {"title": "", "charter": settings.charter, "level": "", "date": "", "questions": []}
    form.update(values)
    return _render(
        request,
        "reviews.html",
        status,
        rows=rows,
        packs=list_packs(),
        levels=reviews.LADDER_LEVELS,
        form=form,
        error=error,
    )


@staff_only()
async def reviews_page(request: Request) -> Response:
    return await _reviews_page(request)


def _create(url: str, checked: reviews.NewReview) -> str:
    with unit_of_work(engine_for(url)) as session:
        return reviews.create_review(session, checked)


@staff_only()
async def create_review(request: Request) -> Response:
    form = await request.form()
    values = {
        "title": _field(form, "title", 1000),
        "charter": _field(form, "charter", 100),
        "level": _field(form, "level", 100),
        "date": _field(form, "date", 100).strip(),
        "questions": [str(v)[:200] for v in form.getlist("question")][:50],
    }
    # Each box is "charter:question"; a box ticked for another charter is a mistake to show.
    chosen = [v.split(":", 1) for v in values["questions"] if ":" in v]
    try:
        if any(charter != values["charter"] for charter, _ in chosen):
            raise reviews.ReviewProblem("questions", REVIEW_PROBLEMS["questions"])
        checked = reviews.check_new_review(
            values["title"],
            values["charter"],
            values["level"] or None,
            values["date"] or None,
            [question for _, question in chosen],
        )
    except reviews.ReviewProblem as problem:
        error = {"field": problem.field, "words": REVIEW_PROBLEMS[problem.field]}
        return await _reviews_page(request, 400, error=error, **values)
    code = await in_thread(_create, _settings(request).database_url, checked)
    if code is None:
        return _unavailable(request)
    logger.info("Staff account #%s created review %s.", request.state.member.id, code)
    return RedirectResponse(f"/staff/reviews/{code}?created=1", status_code=303)


@dataclass(frozen=True)
class ReviewView:
    result: ReviewResult
    closed_at: datetime | None
    area: str


def _review_code(request: Request) -> str | None:
    code = request.path_params["code"]
    return code.upper() if CODE.fullmatch(code) else None


def _review_view(url: str, min_group: int, code: str, comments: bool = False) -> object:
    """The review's suppressed results (as in the export), or False when there is none."""
    with unit_of_work(engine_for(url)) as session:
        review = repository.review_by_code(session, code)
        if review is None:
            return False
        [result] = build_export(session, min_group, code=code, comments=comments)
        return ReviewView(result, review.closed_at, _areas().get(review.charter, review.charter))


async def _find_review(
    request: Request, kind: str, comments: bool = False
) -> ReviewView | Response:
    settings = _settings(request)
    code = _review_code(request)
    found = False
    if code is not None:
        found = await in_thread(
            _review_view, settings.database_url, settings.min_group, code, comments
        )
    if found is None:
        return _unavailable(request, kind)
    if found is False:
        shown = request.path_params["code"][:40]
        return _not_found(request, kind, f"There is no review with the code {shown}.")
    return found


@staff_only()
async def review_page(request: Request) -> Response:
    told = request.query_params.get("told", "")
    return await _review_view_page(request, told=int(told) if told.isdigit() else None)


async def _review_view_page(
    request: Request,
    status: int = 200,
    told: int | None = None,
    update_error: dict[str, str] | None = None,
) -> Response:
    found = await _find_review(request, PAGE)
    if isinstance(found, Response):
        return found
    settings = _settings(request)
    return _render(
        request,
        "review.html",
        status,
        told=told,
        update_error=update_error,
        update_max=updates.UPDATE_MAX,
        view=found,
        r=found.result,
        links=reviews.review_links(settings, found.result.code),
        created=request.query_params.get("created") == "1",
        closed_now=request.query_params.get("closed") == "1",
        downloads=DOWNLOADS,
        role_keys=ROLE_KEYS,
        channel_keys=CHANNEL_KEYS,
        principle_names={p.id: p.text for p in found.result.principles},
    )


@staff_only(FILE)
async def review_qr(request: Request) -> Response:
    found = await _find_review(request, FILE)
    if isinstance(found, Response):
        return found
    link = reviews.review_links(_settings(request), found.result.code).web_link
    png = await run_in_threadpool(reviews.qr_png, link)
    return Response(png, media_type="image/png")


@staff_only(FILE)
async def question_chart(request: Request) -> Response:
    from bot.staff.charts import answer_chart

    qid = request.path_params["qid"]
    found = await _find_review(request, FILE)
    if isinstance(found, Response):
        return found
    question = next(
        (q for q in found.result.questions if QUESTION_ID.fullmatch(qid) and q.id == qid), None
    )
    if question is None:
        return _not_found(request, FILE, "This review has no such question.")
    if question.suppressed:
        return _not_found(request, FILE, "This question's answers are withheld: no chart.")
    png = await run_in_threadpool(answer_chart, question.text, question.counts)
    return Response(png, media_type="image/png")


@staff_only(FILE)
async def review_export(request: Request) -> Response:
    """The same file as `copro export --review CODE --format FORMAT [--comments]`."""
    fmt = request.path_params["fmt"]
    if fmt not in DOWNLOADS:
        return _not_found(request, FILE, "Downloads come as CSV, XLSX or JSON.")
    asked = request.query_params.get("comments", "0")
    if asked not in ("0", "1"):
        return PlainTextResponse("comments must be 1 (with comments) or 0.", status_code=400)
    comments = asked == "1"
    if comments and fmt == "csv":
        return PlainTextResponse("Comments come in the JSON or XLSX downloads.", status_code=400)
    found = await _find_review(request, FILE, comments=comments)
    if isinstance(found, Response):
        return found
    min_group = _settings(request).min_group
    results = [found.result]
    if fmt == "xlsx":
        body = await run_in_threadpool(export_xlsx, results, min_group)
    elif fmt == "csv":
        body = export_csv(results, min_group).encode("utf-8")
    else:
        body = (export_json(results, min_group) + "\n").encode("utf-8")
    suffix = "-with-comments" if comments else ""
    name = f"feedback-{found.result.code}{suffix}.{fmt}"
    return Response(
        body,
        media_type=DOWNLOADS[fmt][0],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _close(url: str, code: str) -> object:
    with unit_of_work(engine_for(url)) as session:
        if reviews.close_review(session, code) is not None:
            return "closed"
        return "already" if repository.review_by_code(session, code) else False


@staff_only()
async def close_review(request: Request) -> Response:
    code = _review_code(request)
    outcome: object = False
    if code is not None:
        outcome = await in_thread(_close, _settings(request).database_url, code)
    if outcome is None:
        return _unavailable(request)
    if outcome is False:
        shown = request.path_params["code"][:40]
        return _not_found(request, PAGE, f"There is no review with the code {shown}.")
    if outcome == "closed":
        logger.info("Staff account #%s closed review %s.", request.state.member.id, code)
    return RedirectResponse(f"/staff/reviews/{code}?closed=1", status_code=303)


UPDATE_PROBLEMS = {
    "blank": "Write what you changed before saving it.",
    "too_long": f"This is too long: please keep it to {updates.UPDATE_MAX} characters.",
}


@dataclass(frozen=True)
class Posted:
    told: int
    on_telegram: bool


def _post_update(url: str, code: str, text: str) -> object:
    with unit_of_work(engine_for(url)) as session:
        review = repository.review_by_code(session, code)
        if review is None:
            return False
        update = updates.post_update(session, review, text)
        told = updates.people_to_tell(session, review.id)
        return Posted(update.people_told, any(channel == "telegram" for _, channel in told))


@staff_only()
async def post_review_update(request: Request) -> Response:
    """You said, we did: save what changed; send it to the people who asked to hear back."""
    code = _review_code(request)
    form = await request.form()
    if code is None:
        shown = request.path_params["code"][:40]
        return _not_found(request, PAGE, f"There is no review with the code {shown}.")
    typed = _field(form, "text", updates.UPDATE_MAX + 1)
    try:
        text = concerns.clean_text(typed, updates.UPDATE_MAX)
    except concerns.TextProblem as problem:
        error = {"words": UPDATE_PROBLEMS[str(problem)], "text": typed[: updates.UPDATE_MAX]}
        return await _review_view_page(request, 400, update_error=error)
    outcome = await in_thread(_post_update, _settings(request).database_url, code, text)
    if outcome is None:
        return _unavailable(request)
    if outcome is False:
        return _not_found(request, PAGE, f"There is no review with the code {code}.")
    logger.info("Staff account #%s posted an update to review %s.", request.state.member.id, code)
    if outcome.on_telegram:
        await _push_telegram(request)
    return RedirectResponse(f"/staff/reviews/{code}?told={outcome.told}", status_code=303)


# ---- Pledges ---------------------------------------------------------------------------------


def _registers(url: str, min_group: int) -> list[CharterRegister]:
    with unit_of_work(engine_for(url)) as session:
        return build_register(session, min_group=min_group)


@staff_only()
async def pledges_page(request: Request) -> Response:
    settings = _settings(request)
    registers = await in_thread(_registers, settings.database_url, settings.min_group)
    if registers is None:
        return _unavailable(request)
    return _render(request, "pledges.html", registers=registers)


# ---- Concerns and safeguarding ---------------------------------------------------------------


def _queue_filter(request: Request) -> str | None:
    chosen = request.query_params.get("status", "open")
    return chosen if chosen in QUEUE_FILTERS else None


def _matches(status: str, chosen: str) -> bool:
    return chosen == "all" or status == chosen or (chosen == "open" and status != "resolved")


def _concern_queue(url: str, chosen: str) -> list[Concern]:
    with unit_of_work(engine_for(url)) as session:
        return [c for c in concerns.concerns(session) if _matches(c.status, chosen)]


def _notice(request: Request) -> str | None:
    key = request.query_params.get("notice")
    if key not in NOTICES:
        return None
    status = request.query_params.get("set", "")
    channel = request.query_params.get("on", "")
    item = _number(request.query_params.get("id", ""))
    return NOTICES[key].format(
        id=f"#{item}" if item is not None else "",
        what="Message" if request.query_params.get("what") == "flag" else "Concern",
        status=STATUS_WORDS.get(status, ""),
        channel=CHANNEL_WORDS.get(channel, "their channel"),
    )


@staff_only()
async def concerns_page(request: Request) -> Response:
    chosen = _queue_filter(request)
    if chosen is None:
        return _problem(request, 400, "Unknown filter", "Choose one of the filters on the page.")
    return await _concerns_view(request, chosen)


async def _concerns_view(
    request: Request, chosen: str, status: int = 200, error: dict | None = None
) -> Response:
    queue = await in_thread(_concern_queue, _settings(request).database_url, chosen)
    if queue is None:
        return _unavailable(request)
    return _render(
        request,
        "concerns.html",
        status,
        error=error,
        queue=queue,
        chosen=chosen,
        filters=QUEUE_FILTERS,
        statuses=CONCERN_STATUSES,
        reply_max=concerns.REPLY_MAX,
        notice=_notice(request),
        areas=_areas(),
        principles=_principles(),
    )


def _back(form: FormData, page: str) -> str:
    chosen = _field(form, "back", 20)
    return f"{page}?status={chosen if chosen in QUEUE_FILTERS else 'open'}"


def _id_of(request: Request) -> int | None:
    return _number(request.path_params["id"])


@dataclass(frozen=True)
class Replied:
    channel: str
    queued: bool


def _reply(url: str, concern_id: int, text: str, status: str) -> object:
    with unit_of_work(engine_for(url)) as session:
        result = concerns.reply_to_concern(session, concern_id, text, status)
        if result is None:
            return False
        concern, message = result
        return Replied(concern.channel, message is not None)


async def _push_telegram(request: Request) -> bool:
    """Send waiting Telegram messages now, as `copro concerns reply` does."""
    from bot.channels import telegram

    settings = _settings(request)
    if not settings.telegram_token:
        return False
    running = getattr(request.app.state, "telegram", None)
    try:
        if running is not None:
            sent = await telegram.push_waiting(running, settings)
        else:
            sent = await telegram.push_now(settings)
    except (TelegramError, httpx.HTTPError, OSError) as error:
        logger.warning("Telegram could not be reached: %s", type(error).__name__)
        return False
    return sent > 0


@staff_only()
async def reply_concern(request: Request) -> Response:
    concern_id = _id_of(request)
    form = await request.form()
    if concern_id is None:
        return _not_found(request, PAGE, "There is no such concern.")
    status = _field(form, "status", 20) or "resolved"
    if status not in ("in_progress", "resolved"):
        return _problem(request, 400, "Unknown status", "Choose In progress or Resolved.")
    typed = _field(form, "text", concerns.REPLY_MAX + 1)
    try:
        text = concerns.clean_text(typed, concerns.REPLY_MAX)
    except concerns.TextProblem as problem:
        words = REPLY_PROBLEMS[str(problem)]
        error = {"id": concern_id, "words": words, "text": typed[: concerns.REPLY_MAX]}
        chosen = _field(form, "back", 20)
        chosen = chosen if chosen in QUEUE_FILTERS else "all"
        return await _concerns_view(request, chosen, 400, error)
    outcome = await in_thread(_reply, _settings(request).database_url, concern_id, text, status)
    if outcome is None:
        return _unavailable(request)
    if outcome is False:
        return _not_found(request, PAGE, f"There is no concern #{concern_id}.")
    if not outcome.queued:
        notice = "reply_saved"
    elif outcome.channel == "telegram" and await _push_telegram(request):
        notice = "reply_sent"
    else:
        notice = "reply_waiting"
    query = urlencode({"notice": notice, "id": concern_id, "on": outcome.channel})
    return RedirectResponse(f"{_back(form, '/staff/concerns')}&{query}", status_code=303)


def _set_concern(url: str, concern_id: int, status: str) -> bool:
    with unit_of_work(engine_for(url)) as session:
        return concerns.set_status(session, concern_id, status) is not None


async def _change_status(
    request: Request,
    change: Callable[[str, int, str], bool],
    statuses: tuple[str, ...],
    page: str,
    what: str,
) -> Response:
    item_id = _id_of(request)
    form = await request.form()
    words = "concern" if what == "concern" else "safeguarding message"
    if item_id is None:
        return _not_found(request, PAGE, f"There is no such {words}.")
    status = _field(form, "status", 20)
    if status not in statuses:
        return _problem(request, 400, "Unknown status", "Choose a status from the list.")
    changed = await in_thread(change, _settings(request).database_url, item_id, status)
    if changed is None:
        return _unavailable(request)
    if not changed:
        return _not_found(request, PAGE, f"There is no {words} #{item_id}.")
    query = urlencode({"notice": "status", "id": item_id, "set": status, "what": what})
    return RedirectResponse(f"{_back(form, page)}&{query}", status_code=303)


@staff_only()
async def concern_status(request: Request) -> Response:
    return await _change_status(
        request, _set_concern, CONCERN_STATUSES, "/staff/concerns", "concern"
    )


# ---- Quality indicators: staff's self-assessment of organisations ---------------------------


def _quality_list(url: str) -> list[quality_sums.OrganisationSummary]:
    with unit_of_work(engine_for(url)) as session:
        return quality_sums.list_organisations(session)


@staff_only()
async def quality_page(request: Request) -> Response:
    rows = await in_thread(_quality_list, _settings(request).database_url)
    if rows is None:
        return _unavailable(request)
    return _render(
        request,
        "quality.html",
        rows=rows,
        packs=quality.packs_with_indicators(),
        report_link=_quality_link,
    )


def _quality_link(path: str, organisation: str, charter: str | None = None, **more: str) -> str:
    """A report address: /staff/quality/report?organisation=NAME (and the charter)."""
    query = {"organisation": organisation, **({"charter": charter} if charter else {}), **more}
    return f"/staff/quality/{path}?{urlencode(query)}"


def _quality_form(
    request: Request,
    pack: CharterPack,
    status: int = 200,
    typed: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
) -> Response:
    today = date.today().isoformat()
    return _render(
        request,
        "quality_new.html",
        status,
        pack=pack,
        packs=quality.packs_with_indicators(),
        typed=typed or {"organisation": "", "assessed_on": today},
        problems=problems or {},
        today=today,
        labels=quality.LABELS,
        note_fields=quality.NOTE_FIELDS,
        step_fields=quality.STEP_FIELDS,
        scores=quality.SCORES,
        score_words=quality.SCORE_WORDS,
        text_max=quality.TEXT_MAX,
        organisation_max=quality.ORGANISATION_MAX,
    )


def _quality_pack(request: Request, chosen: str | None) -> CharterPack | None:
    """The charter a new assessment is for: the one asked for, else the default's, else the
    first with quality indicators."""
    packs = quality.packs_with_indicators()
    if chosen is not None:
        return next((p for p in packs if p.id == chosen), None)
    default = _settings(request).charter
    return next((p for p in packs if p.id == default), packs[0] if packs else None)


NO_INDICATORS = "No charter pack has quality indicators yet."


@staff_only()
async def quality_new(request: Request) -> Response:
    chosen = request.query_params.get("charter")
    pack = _quality_pack(request, chosen)
    if pack is None:
        if chosen is None:
            return _not_found(request, PAGE, NO_INDICATORS)
        return _not_found(request, PAGE, "That charter has no quality indicators.")
    return _quality_form(request, pack)


def _save_quality(url: str, checked: quality.NewAssessment, account_id: int) -> object:
    """The new assessment's id, or the problem that stopped it (the date already taken)."""
    try:
        with unit_of_work(engine_for(url)) as session:
            return quality.add_assessment(session, checked, account_id)
    except quality.QualityProblem as problem:
        return problem


@staff_only()
async def save_quality(request: Request) -> Response:
    form = await request.form()
    charter = _field(form, "charter", 100)
    typed = {
        "organisation": _field(form, "organisation", 1000),
        "assessed_on": _field(form, "assessed_on", 100),
    }
    ratings: dict[str, dict[str, str]] = {}
    steps: dict[str, dict[str, str]] = {}
    for key, value in form.multi_items():
        name, _, item = key.partition("-")
        if not isinstance(value, str) or not item:
            continue
        if name == "score" or name in quality.NOTE_FIELDS:
            ratings.setdefault(item, {})[name] = value
        elif name in quality.STEP_FIELDS:
            steps.setdefault(item, {})[name] = value
        else:
            continue
        typed[key] = value
    try:
        checked = quality.check_assessment(
            charter, typed["organisation"], typed["assessed_on"], ratings, steps
        )
    except quality.QualityProblem as problem:
        pack = _quality_pack(request, charter) or _quality_pack(request, None)
        if pack is None:
            return _not_found(request, PAGE, NO_INDICATORS)
        return _quality_form(request, pack, 400, typed, problem.problems)
    member = request.state.member
    outcome = await in_thread(_save_quality, _settings(request).database_url, checked, member.id)
    if outcome is None:
        return _unavailable(request)
    if isinstance(outcome, quality.QualityProblem):
        pack = get_pack(checked.charter)
        return _quality_form(request, pack, 400, typed, outcome.problems)
    logger.info("Staff account #%s saved quality assessment #%s.", member.id, outcome)
    link = _quality_link("report", checked.organisation, checked.charter, saved="1")
    return RedirectResponse(link, status_code=303)


def _quality_report(url: str, organisation: str, charter: str | None) -> object:
    with unit_of_work(engine_for(url)) as session:
        return quality_sums.organisation_report(session, organisation, charter) or False


async def _find_quality_report(
    request: Request, kind: str
) -> quality_sums.QualityReport | Response:
    organisation = request.query_params.get("organisation", "")
    charter = request.query_params.get("charter") or None
    if not organisation.strip() or len(organisation) > quality.ORGANISATION_MAX:
        words = "Choose an organisation from the list of quality assessments."
        if kind == FILE:
            return PlainTextResponse(words, status_code=400)
        return _problem(request, 400, "Which organisation?", words)
    found = await in_thread(_quality_report, _settings(request).database_url, organisation, charter)
    if found is None:
        return _unavailable(request, kind)
    if found is False:
        words = f"There is no quality assessment of {organisation.strip()}"
        words += f" against the {charter} charter." if charter else "."
        return _not_found(request, kind, words)
    return found


@staff_only()
async def quality_report_page(request: Request) -> Response:
    found = await _find_quality_report(request, PAGE)
    if isinstance(found, Response):
        return found
    link = functools.partial(_quality_link, organisation=found.organisation)
    return _render(
        request,
        "quality_report.html",
        report=found,
        saved=request.query_params.get("saved") == "1",
        chart=link("report.png", charter=found.charter),
        csv_link=link("report.csv", charter=found.charter),
        other_links=[(_areas().get(c, c), link("report", charter=c)) for c in found.other_charters],
        labels=quality.LABELS,
        step_fields=quality.STEP_FIELDS,
    )


@staff_only(FILE)
async def quality_report_chart(request: Request) -> Response:
    from bot.staff.charts import quality_chart

    found = await _find_quality_report(request, FILE)
    if isinstance(found, Response):
        return found
    dates = [column.assessed_on for column in found.assessments]
    lines = [(h.name, [a.value for a in h.averages]) for h in found.headings]
    title = f"{found.organisation}: average score for each heading"
    png = await run_in_threadpool(quality_chart, title, dates, lines)
    return Response(png, media_type="image/png")


@staff_only(FILE)
async def quality_report_csv(request: Request) -> Response:
    found = await _find_quality_report(request, FILE)
    if isinstance(found, Response):
        return found
    slug = re.sub(r"[^a-z0-9]+", "-", quality.fold(found.organisation)).strip("-")[:60]
    name = f"quality-{slug or 'organisation'}-{found.charter}.csv"
    return Response(
        quality_files.report_csv(found).encode("utf-8"),
        media_type=DOWNLOADS["csv"][0],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@staff_only()
async def not_found(request: Request) -> Response:
    if request.path_params.get("rest", "") == "":
        return RedirectResponse("/staff", status_code=303)
    return _not_found(request, PAGE, "There is no page at this address.")


def _route(path: str, endpoint: Handler, methods: list[str]) -> Route:
    return Route(path, endpoint, methods=methods, include_in_schema=False)


routes = [
    _route("/staff/login", login_page, ["GET"]),
    _route("/staff/login", login, ["POST"]),
    _route("/staff/logout", logout, ["POST"]),
    _route("/staff", reviews_page, ["GET"]),
    _route("/staff/reviews", create_review, ["POST"]),
    _route("/staff/reviews/{code}", review_page, ["GET"]),
    _route("/staff/reviews/{code}/qr.png", review_qr, ["GET"]),
    _route("/staff/reviews/{code}/questions/{qid}.png", question_chart, ["GET"]),
    _route("/staff/reviews/{code}/export.{fmt}", review_export, ["GET"]),
    _route("/staff/reviews/{code}/close", close_review, ["POST"]),
    _route("/staff/reviews/{code}/update", post_review_update, ["POST"]),
    _route("/staff/pledges", pledges_page, ["GET"]),
    _route("/staff/concerns", concerns_page, ["GET"]),
    _route("/staff/concerns/{id}/reply", reply_concern, ["POST"]),
    _route("/staff/concerns/{id}/status", concern_status, ["POST"]),
    _route("/staff/quality", quality_page, ["GET"]),
    _route("/staff/quality", save_quality, ["POST"]),
    _route("/staff/quality/new", quality_new, ["GET"]),
    _route("/staff/quality/report", quality_report_page, ["GET"]),
    _route("/staff/quality/report.png", quality_report_chart, ["GET"]),
    _route("/staff/quality/report.csv", quality_report_csv, ["GET"]),
    # Last: any other address under /staff, for staff only, says so in plain words.
    _route("/staff/{rest:path}", not_found, ["GET", "POST"]),
]
