"""The reviews pages: the list, creating a review, one review's results, closing it, and
"you said, we did" updates to the people who asked to hear back.

A review's results come from bot.staff.export.build_export, so the dashboard
withholds exactly what the exports withhold; the list shows only how many people
each review's results are from (bot.store.review_counts).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.content import list_packs
from bot.staff import reviews
from bot.staff.export import CHANNEL_KEYS, ROLE_KEYS, ReviewResult, build_export
from bot.staff.web.auth import PAGE, member_of, staff_page
from bot.staff.web.pages import areas, field, not_found, render, settings_of
from bot.staff.web.store_work import in_store
from bot.staff.web.telegram_push import push_telegram
from bot.staff.web.words import DOWNLOADS
from bot.store import concerns, repository, review_counts, updates
from bot.store.db import engine_for, unit_of_work

logger = logging.getLogger(__name__)

CODE = re.compile(r"[A-Za-z0-9-]{1,32}")
REVIEW_PROBLEMS = {
    "title": f"Give the review a title of up to {reviews.TITLE_MAX} characters.",
    "charter": "Choose the charter from the list.",
    "level": "Choose a level from the list, or leave it as not said.",
    "date": "Give the date as a date like 2026-11-20, or leave it empty.",
    "questions": "Choose optional questions from the charter you chose, or none.",
}
UPDATE_PROBLEMS = {
    "blank": "Write what you changed before saving it.",
    "too_long": f"This is too long: please keep it to {updates.UPDATE_MAX} characters.",
}


# ---- The list and creating a review ----------------------------------------------------------


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


def _review_rows(url: str, min_group: int) -> list[ReviewRow]:
    with unit_of_work(engine_for(url)) as session:
        found = repository.all_reviews(session)
        people = review_counts.people_shown(session, [r.id for r in found], min_group)
        names = areas()
        return [
            ReviewRow(
                r.code,
                r.title,
                names.get(r.charter, r.charter),
                r.level,
                r.held_on,
                r.created_at,
                r.closed_at,
                people[r.id],
            )
            for r in found
        ]


async def _reviews_page(
    request: Request, status: int = 200, error: dict | None = None, **values: object
) -> Response:
    settings = settings_of(request)
    rows = await in_store(_review_rows, settings.database_url, settings.min_group)
    form = {"title": "", "charter": settings.charter, "level": "", "date": "", "questions": []}
    form.update(values)
    return render(
        request,
        "reviews.html",
        status,
        rows=rows,
        packs=list_packs(),
        levels=reviews.LADDER_LEVELS,
        form=form,
        error=error,
    )


@staff_page
async def reviews_page(request: Request) -> Response:
    return await _reviews_page(request)


def _create(url: str, checked: reviews.NewReview) -> str:
    with unit_of_work(engine_for(url)) as session:
        return reviews.create_review(session, checked)


@staff_page
async def create_review(request: Request) -> Response:
    form = await request.form()
    values = {
        "title": field(form, "title", 1000),
        "charter": field(form, "charter", 100),
        "level": field(form, "level", 100),
        "date": field(form, "date", 100).strip(),
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
    code = await in_store(_create, settings_of(request).database_url, checked)
    logger.info("Staff account #%s created review %s.", member_of(request).id, code)
    return RedirectResponse(f"/staff/reviews/{code}?created=1", status_code=303)


# ---- One review ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewView:
    result: ReviewResult
    closed_at: datetime | None
    area: str


def review_code(request: Request) -> str | None:
    """The review code in the address, in capitals; None when it cannot be a code."""
    code = request.path_params["code"]
    return code.upper() if CODE.fullmatch(code) else None


def _review_view(url: str, min_group: int, code: str, comments: bool) -> ReviewView | None:
    """The review's suppressed results (as in the export), or None when there is none."""
    with unit_of_work(engine_for(url)) as session:
        review = repository.review_by_code(session, code)
        if review is None:
            return None
        [result] = build_export(session, min_group, code=code, comments=comments)
        return ReviewView(result, review.closed_at, areas().get(review.charter, review.charter))


def no_such_review(request: Request, kind: str, code: str | None = None) -> Response:
    shown = code or request.path_params["code"][:40]
    return not_found(request, kind, f"There is no review with the code {shown}.")


async def find_review(request: Request, kind: str, comments: bool = False) -> ReviewView | Response:
    """The review the address names, or the answer that there is none."""
    settings = settings_of(request)
    code = review_code(request)
    found = None
    if code is not None:
        url, min_group = settings.database_url, settings.min_group
        found = await in_store(_review_view, url, min_group, code, comments)
    return found if found is not None else no_such_review(request, kind)


@staff_page
async def review_page(request: Request) -> Response:
    told = request.query_params.get("told", "")
    return await _review_view_page(request, told=int(told) if told.isdigit() else None)


async def _review_view_page(
    request: Request,
    status: int = 200,
    told: int | None = None,
    update_error: dict[str, str] | None = None,
) -> Response:
    found = await find_review(request, PAGE)
    if isinstance(found, Response):
        return found
    return render(
        request,
        "review.html",
        status,
        told=told,
        update_error=update_error,
        update_max=updates.UPDATE_MAX,
        view=found,
        r=found.result,
        links=reviews.review_links(settings_of(request), found.result.code),
        created=request.query_params.get("created") == "1",
        closed_now=request.query_params.get("closed") == "1",
        downloads=DOWNLOADS,
        role_keys=ROLE_KEYS,
        channel_keys=CHANNEL_KEYS,
        principle_names={p.id: p.text for p in found.result.principles},
    )


# ---- Closing a review and telling people what changed ---------------------------------------


def _close(url: str, code: str) -> str | None:
    """ "closed", "already" (closed before), or None when there is no such review."""
    with unit_of_work(engine_for(url)) as session:
        if reviews.close_review(session, code) is not None:
            return "closed"
        return "already" if repository.review_by_code(session, code) else None


@staff_page
async def close_review(request: Request) -> Response:
    code = review_code(request)
    outcome = None
    if code is not None:
        outcome = await in_store(_close, settings_of(request).database_url, code)
    if outcome is None:
        return no_such_review(request, PAGE)
    if outcome == "closed":
        logger.info("Staff account #%s closed review %s.", member_of(request).id, code)
    return RedirectResponse(f"/staff/reviews/{code}?closed=1", status_code=303)


@dataclass(frozen=True)
class Posted:
    told: int
    on_telegram: bool


def _post_update(url: str, code: str, text: str) -> Posted | None:
    with unit_of_work(engine_for(url)) as session:
        review = repository.review_by_code(session, code)
        if review is None:
            return None
        update = updates.post_update(session, review, text)
        told = updates.people_to_tell(session, review.id)
        return Posted(update.people_told, any(channel == "telegram" for _, channel in told))


@staff_page
async def post_review_update(request: Request) -> Response:
    """You said, we did: save what changed; send it to the people who asked to hear back."""
    code = review_code(request)
    form = await request.form()
    if code is None:
        return no_such_review(request, PAGE)
    typed = field(form, "text", updates.UPDATE_MAX + 1)
    try:
        text = concerns.clean_text(typed, updates.UPDATE_MAX)
    except concerns.TextProblem as problem:
        error = {"words": UPDATE_PROBLEMS[str(problem)], "text": typed[: updates.UPDATE_MAX]}
        return await _review_view_page(request, 400, update_error=error)
    outcome = await in_store(_post_update, settings_of(request).database_url, code, text)
    if outcome is None:
        return no_such_review(request, PAGE, code)
    logger.info("Staff account #%s posted an update to review %s.", member_of(request).id, code)
    if outcome.on_telegram:
        await push_telegram(request)
    return RedirectResponse(f"/staff/reviews/{code}?told={outcome.told}", status_code=303)
