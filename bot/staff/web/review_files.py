"""A review's files: its QR code, a chart of each question's answers, and its downloads.

A download is the same file as `copro export --review CODE --format FORMAT
[--comments]`; a chart is drawn only for a question whose answers are shown.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.staff import reviews
from bot.staff.export_files import export_csv, export_json, export_xlsx
from bot.staff.web.auth import FILE, staff_file
from bot.staff.web.pages import attachment, not_found, settings_of
from bot.staff.web.reviews import find_review
from bot.staff.web.words import DOWNLOADS

QUESTION_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@staff_file
async def review_qr(request: Request) -> Response:
    found = await find_review(request, FILE)
    if isinstance(found, Response):
        return found
    link = reviews.review_links(settings_of(request), found.result.code).web_link
    png = await run_in_threadpool(reviews.qr_png, link)
    return Response(png, media_type="image/png")


@staff_file
async def question_chart(request: Request) -> Response:
    from bot.staff.charts import answer_chart

    qid = request.path_params["qid"]
    found = await find_review(request, FILE)
    if isinstance(found, Response):
        return found
    question = next(
        (q for q in found.result.questions if QUESTION_ID.fullmatch(qid) and q.id == qid), None
    )
    if question is None:
        return not_found(request, FILE, "This review has no such question.")
    if question.suppressed:
        return not_found(request, FILE, "This question's answers are withheld: no chart.")
    png = await run_in_threadpool(answer_chart, question.text, question.counts)
    return Response(png, media_type="image/png")


@staff_file
async def review_export(request: Request) -> Response:
    """The same file as `copro export --review CODE --format FORMAT [--comments]`."""
    fmt = request.path_params["fmt"]
    if fmt not in DOWNLOADS:
        return not_found(request, FILE, "Downloads come as CSV, XLSX or JSON.")
    asked = request.query_params.get("comments", "0")
    if asked not in ("0", "1"):
        return PlainTextResponse("comments must be 1 (with comments) or 0.", status_code=400)
    comments = asked == "1"
    if comments and fmt == "csv":
        return PlainTextResponse("Comments come in the JSON or XLSX downloads.", status_code=400)
    found = await find_review(request, FILE, comments=comments)
    if isinstance(found, Response):
        return found
    min_group = settings_of(request).min_group
    results = [found.result]
    if fmt == "xlsx":
        body = await run_in_threadpool(export_xlsx, results, min_group)
    elif fmt == "csv":
        body = export_csv(results, min_group).encode("utf-8")
    else:
        body = (export_json(results, min_group) + "\n").encode("utf-8")
    suffix = "-with-comments" if comments else ""
    return attachment(body, DOWNLOADS[fmt][0], f"feedback-{found.result.code}{suffix}.{fmt}")
