"""The concerns queue: concerns people raised in the chat, a reply to each, and its status.

A reply is saved with the concern; when the person asked for one it waits in the
outbox for them, and on Telegram it is sent at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from bot.names import CONCERN_STATUSES
from bot.staff.web.auth import PAGE, staff_page
from bot.staff.web.pages import field, not_found, principles, problem, settings_of
from bot.staff.web.queues import (
    back_with,
    id_of,
    matches,
    queue_filter,
    render_queue,
    unknown_filter,
)
from bot.staff.web.store_work import in_store
from bot.staff.web.telegram_push import push_telegram
from bot.staff.web.words import QUEUE_FILTERS
from bot.store import concerns
from bot.store.db import engine_for, unit_of_work
from bot.store.models import Concern

PAGE_PATH = "/staff/concerns"
REPLY_PROBLEMS = {
    "blank": "Write a reply before sending it.",
    "too_long": f"The reply is too long: please keep it to {concerns.REPLY_MAX} characters.",
}


def _concern_queue(url: str, chosen: str) -> list[Concern]:
    with unit_of_work(engine_for(url)) as session:
        return [c for c in concerns.concerns(session) if matches(c.status, chosen)]


@staff_page
async def concerns_page(request: Request) -> Response:
    chosen = queue_filter(request)
    if chosen is None:
        return unknown_filter(request)
    return await _concerns_view(request, chosen)


async def _concerns_view(
    request: Request, chosen: str, status: int = 200, error: dict | None = None
) -> Response:
    queue = await in_store(_concern_queue, settings_of(request).database_url, chosen)
    return render_queue(
        request,
        "concerns.html",
        queue,
        chosen,
        CONCERN_STATUSES,
        status,
        error=error,
        reply_max=concerns.REPLY_MAX,
        principles=principles(),
    )


@dataclass(frozen=True)
class Replied:
    channel: str
    queued: bool


def _reply(url: str, concern_id: int, text: str, status: str) -> Replied | None:
    with unit_of_work(engine_for(url)) as session:
        result = concerns.reply_to_concern(session, concern_id, text, status)
        if result is None:
            return None
        concern, message = result
        return Replied(concern.channel, message is not None)


@staff_page
async def reply_concern(request: Request) -> Response:
    concern_id = id_of(request)
    form = await request.form()
    if concern_id is None:
        return not_found(request, PAGE, "There is no such concern.")
    status = field(form, "status", 20) or "resolved"
    if status not in ("in_progress", "resolved"):
        return problem(request, 400, "Unknown status", "Choose In progress or Resolved.")
    typed = field(form, "text", concerns.REPLY_MAX + 1)
    try:
        text = concerns.clean_text(typed, concerns.REPLY_MAX)
    except concerns.TextProblem as trouble:
        words = REPLY_PROBLEMS[str(trouble)]
        error = {"id": concern_id, "words": words, "text": typed[: concerns.REPLY_MAX]}
        chosen = field(form, "back", 20)
        chosen = chosen if chosen in QUEUE_FILTERS else "all"
        return await _concerns_view(request, chosen, 400, error)
    outcome = await in_store(_reply, settings_of(request).database_url, concern_id, text, status)
    if outcome is None:
        return not_found(request, PAGE, f"There is no concern #{concern_id}.")
    if not outcome.queued:
        told = "reply_saved"
    elif outcome.channel == "telegram" and await push_telegram(request):
        told = "reply_sent"
    else:
        told = "reply_waiting"
    return back_with(form, PAGE_PATH, notice=told, id=concern_id, on=outcome.channel)


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
    """Set the status of one concern (``what`` "concern") or safeguarding flag ("flag")."""
    item_id = id_of(request)
    form = await request.form()
    words = "concern" if what == "concern" else "safeguarding message"
    if item_id is None:
        return not_found(request, PAGE, f"There is no such {words}.")
    status = field(form, "status", 20)
    if status not in statuses:
        return problem(request, 400, "Unknown status", "Choose a status from the list.")
    if not await in_store(change, settings_of(request).database_url, item_id, status):
        return not_found(request, PAGE, f"There is no {words} #{item_id}.")
    return back_with(form, page, notice="status", id=item_id, set=status, what=what)


@staff_page
async def concern_status(request: Request) -> Response:
    return await _change_status(request, _set_concern, CONCERN_STATUSES, PAGE_PATH, "concern")
