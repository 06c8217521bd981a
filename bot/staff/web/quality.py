"""The quality indicators pages: staff's self-assessment of organisations against a charter.

The list of organisations assessed, the form for a new assessment, and each
organisation's report over time, with its chart and its CSV download.
"""

from __future__ import annotations

import functools
import logging
import re
from datetime import date
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot.content import CharterPack, get_pack
from bot.staff import quality, quality_files, quality_sums
from bot.staff.web.auth import FILE, PAGE, member_of, staff_file, staff_page
from bot.staff.web.pages import (
    areas,
    attachment,
    field,
    not_found,
    problem,
    render,
    settings_of,
)
from bot.staff.web.store_work import in_store
from bot.staff.web.words import DOWNLOADS
from bot.store.db import engine_for, unit_of_work

logger = logging.getLogger(__name__)

NO_INDICATORS = "No charter pack has quality indicators yet."


def _quality_list(url: str) -> list[quality_sums.OrganisationSummary]:
    with unit_of_work(engine_for(url)) as session:
        return quality_sums.list_organisations(session)


@staff_page
async def quality_page(request: Request) -> Response:
    rows = await in_store(_quality_list, settings_of(request).database_url)
    return render(
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
    return render(
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
    default = settings_of(request).charter
    return next((p for p in packs if p.id == default), packs[0] if packs else None)


@staff_page
async def quality_new(request: Request) -> Response:
    chosen = request.query_params.get("charter")
    pack = _quality_pack(request, chosen)
    if pack is None:
        if chosen is None:
            return not_found(request, PAGE, NO_INDICATORS)
        return not_found(request, PAGE, "That charter has no quality indicators.")
    return _quality_form(request, pack)


def _save_quality(
    url: str, checked: quality.NewAssessment, account_id: int
) -> int | quality.QualityProblem:
    """The new assessment's id, or the problem that stopped it (the date already taken)."""
    try:
        with unit_of_work(engine_for(url)) as session:
            return quality.add_assessment(session, checked, account_id)
    except quality.QualityProblem as trouble:
        return trouble


@staff_page
async def save_quality(request: Request) -> Response:
    form = await request.form()
    charter = field(form, "charter", 100)
    typed = {
        "organisation": field(form, "organisation", 1000),
        "assessed_on": field(form, "assessed_on", 100),
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
    except quality.QualityProblem as trouble:
        pack = _quality_pack(request, charter) or _quality_pack(request, None)
        if pack is None:
            return not_found(request, PAGE, NO_INDICATORS)
        return _quality_form(request, pack, 400, typed, trouble.problems)
    member = member_of(request)
    outcome = await in_store(_save_quality, settings_of(request).database_url, checked, member.id)
    if isinstance(outcome, quality.QualityProblem):
        pack = get_pack(checked.charter)
        return _quality_form(request, pack, 400, typed, outcome.problems)
    logger.info("Staff account #%s saved quality assessment #%s.", member.id, outcome)
    link = _quality_link("report", checked.organisation, checked.charter, saved="1")
    return RedirectResponse(link, status_code=303)


def _quality_report(
    url: str, organisation: str, charter: str | None
) -> quality_sums.QualityReport | None:
    with unit_of_work(engine_for(url)) as session:
        return quality_sums.organisation_report(session, organisation, charter)


async def _find_quality_report(
    request: Request, kind: str
) -> quality_sums.QualityReport | Response:
    organisation = request.query_params.get("organisation", "")
    charter = request.query_params.get("charter") or None
    if not organisation.strip() or len(organisation) > quality.ORGANISATION_MAX:
        words = "Choose an organisation from the list of quality assessments."
        if kind == FILE:
            return PlainTextResponse(words, status_code=400)
        return problem(request, 400, "Which organisation?", words)
    url = settings_of(request).database_url
    found = await in_store(_quality_report, url, organisation, charter)
    if found is None:
        words = f"There is no quality assessment of {organisation.strip()}"
        words += f" against the {charter} charter." if charter else "."
        return not_found(request, kind, words)
    return found


@staff_page
async def quality_report_page(request: Request) -> Response:
    found = await _find_quality_report(request, PAGE)
    if isinstance(found, Response):
        return found
    link = functools.partial(_quality_link, organisation=found.organisation)
    return render(
        request,
        "quality_report.html",
        report=found,
        saved=request.query_params.get("saved") == "1",
        chart=link("report.png", charter=found.charter),
        csv_link=link("report.csv", charter=found.charter),
        other_links=[(areas().get(c, c), link("report", charter=c)) for c in found.other_charters],
        labels=quality.LABELS,
        step_fields=quality.STEP_FIELDS,
    )


@staff_file
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


@staff_file
async def quality_report_csv(request: Request) -> Response:
    found = await _find_quality_report(request, FILE)
    if isinstance(found, Response):
        return found
    slug = re.sub(r"[^a-z0-9]+", "-", quality.fold(found.organisation)).strip("-")[:60]
    name = f"quality-{slug or 'organisation'}-{found.charter}.csv"
    body = quality_files.report_csv(found).encode("utf-8")
    return attachment(body, DOWNLOADS["csv"][0], name)
