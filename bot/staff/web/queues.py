"""What the concerns queue and the safeguarding queue share: their filters, the notice
after a change, and the way back to the filter staff were looking at.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.staff.web.pages import areas, field, number, problem, render
from bot.staff.web.words import CHANNEL_WORDS, QUEUE_FILTERS, STATUS_WORDS

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


def render_queue(
    request: Request,
    template: str,
    queue: list,
    chosen: str,
    statuses: tuple[str, ...],
    status: int = 200,
    **values: object,
) -> Response:
    """A queue page: its items under the filter chosen, and the notice of the last change."""
    return render(
        request,
        template,
        status,
        queue=queue,
        chosen=chosen,
        filters=QUEUE_FILTERS,
        statuses=statuses,
        notice=notice(request),
        areas=areas(),
        **values,
    )


def queue_filter(request: Request) -> str | None:
    """The filter asked for ("open" when none); None when it is not one of the filters."""
    chosen = request.query_params.get("status", "open")
    return chosen if chosen in QUEUE_FILTERS else None


def unknown_filter(request: Request) -> Response:
    return problem(request, 400, "Unknown filter", "Choose one of the filters on the page.")


def matches(status: str, chosen: str) -> bool:
    return chosen == "all" or status == chosen or (chosen == "open" and status != "resolved")


def notice(request: Request) -> str | None:
    """What the last change did, from the address it sent the browser back to."""
    key = request.query_params.get("notice")
    if key not in NOTICES:
        return None
    status = request.query_params.get("set", "")
    channel = request.query_params.get("on", "")
    item = number(request.query_params.get("id", ""))
    return NOTICES[key].format(
        id=f"#{item}" if item is not None else "",
        what="Message" if request.query_params.get("what") == "flag" else "Concern",
        status=STATUS_WORDS.get(status, ""),
        channel=CHANNEL_WORDS.get(channel, "their channel"),
    )


def back(form: FormData, page: str) -> str:
    """The queue page with the filter the form came from."""
    chosen = field(form, "back", 20)
    return f"{page}?status={chosen if chosen in QUEUE_FILTERS else 'open'}"


def back_with(form: FormData, page: str, **query: object) -> Response:
    """Back to the queue, with the notice of what was done."""
    return RedirectResponse(f"{back(form, page)}&{urlencode(query)}", status_code=303)


def id_of(request: Request) -> int | None:
    return number(request.path_params["id"])
