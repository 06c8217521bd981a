"""The staff safeguarding queue: each flag with why it was raised and who was alerted.

Staff acknowledge a flag (no escalation after that), mark it a real concern or
a false alarm, and change its status. The marks can be downloaded (staff only)
as labelled messages to grow the risk classifier's data file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.staff.dashboard import (
    FILE,
    PAGE,
    QUEUE_FILTERS,
    _areas,
    _back,
    _field,
    _id_of,
    _matches,
    _no_store,
    _not_found,
    _notice,
    _problem,
    _queue_filter,
    _render,
    _settings,
    _unavailable,
    staff_only,
)
from bot.store import safeguarding
from bot.store.db import engine_for, in_thread, unit_of_work
from bot.store.models import SafeguardingFlag

PAGE_PATH = "/staff/safeguarding"
LEVEL_WORDS = {"severe": "Severe: help given at once", "possible": "Possible: gently checked"}
CHECK_WORDS = {
    "asked": 'Asked "Is someone hurt or in danger now?": no answer yet',
    "yes": "Answered yes: treated as severe",
    "no": "Answered no: the chat carried on",
    "moved_on": "Did not answer the check: the chat carried on",
}
MARK_WORDS = {"real_concern": "Real concern", "false_alarm": "False alarm"}
ALERT_WORDS = {"pending": "Not sent yet (trying again)", "sent": "Sent", "failed": "Failed"}


@lru_cache(maxsize=1)
def _card_words() -> dict[str, str]:
    from bot.safety.cards import load_cards

    return {card.id: card.says for card in load_cards()}


@dataclass(frozen=True)
class FlagView:
    flag: SafeguardingFlag
    cards: list[tuple[str, str]]

    @property
    def alert_trouble(self) -> bool:
        return any(a.status == "failed" or a.last_error for a in self.flag.alerts)


def _view(flag: SafeguardingFlag) -> FlagView:
    ids = [i for i in (flag.cards or "").split(",") if i]
    return FlagView(flag, [(i, _card_words().get(i, "")) for i in ids])


def _queue(url: str, chosen: str) -> list[FlagView]:
    with unit_of_work(engine_for(url)) as session:
        return [_view(f) for f in safeguarding.flags(session) if _matches(f.status, chosen)]


def _one(url: str, flag_id: int) -> FlagView | bool:
    with unit_of_work(engine_for(url)) as session:
        flag = safeguarding.get_flag(session, flag_id)
        return _view(flag) if flag is not None else False


def _page(request: Request, queue: list[FlagView], chosen: str, single: bool) -> Response:
    return _render(
        request,
        "safeguarding.html",
        queue=queue,
        chosen=chosen,
        single=single,
        filters=QUEUE_FILTERS,
        statuses=safeguarding.FLAG_STATUSES,
        notice=_notice(request),
        areas=_areas(),
        level_words=LEVEL_WORDS,
        check_words=CHECK_WORDS,
        mark_words=MARK_WORDS,
        alert_words=ALERT_WORDS,
    )


@staff_only()
async def queue_page(request: Request) -> Response:
    chosen = _queue_filter(request)
    if chosen is None:
        return _problem(request, 400, "Unknown filter", "Choose one of the filters on the page.")
    queue = await in_thread(_queue, _settings(request).database_url, chosen)
    if queue is None:
        return _unavailable(request)
    return _page(request, queue, chosen, single=False)


@staff_only()
async def flag_page(request: Request) -> Response:
    """One flag: where an alert's link leads."""
    flag_id = _id_of(request)
    if flag_id is None:
        return _not_found(request, PAGE, "There is no such safeguarding message.")
    found = await in_thread(_one, _settings(request).database_url, flag_id)
    if found is None:
        return _unavailable(request)
    if found is False:
        return _not_found(request, PAGE, f"There is no safeguarding message #{flag_id}.")
    return _page(request, [found], "all", single=True)


def _change(url: str, flag_id: int, action: str, value: str, member: str) -> bool:
    with unit_of_work(engine_for(url)) as session:
        if action == "acknowledge":
            return safeguarding.acknowledge(session, flag_id, member)
        if action == "mark":
            return safeguarding.mark(session, flag_id, value, member)
        return safeguarding.set_status(session, flag_id, value)


CHOICES = {
    "acknowledge": (),
    "mark": safeguarding.MARKS,
    "status": safeguarding.FLAG_STATUSES,
}
CHOICE_PROBLEMS = {
    "mark": ("Unknown judgement", "Choose real concern or false alarm from the list."),
    "status": ("Unknown status", "Choose a status from the list."),
}


def _handler(action: str):  # type: ignore[no-untyped-def]
    @staff_only()
    async def change(request: Request) -> Response:
        flag_id = _id_of(request)
        if flag_id is None:
            return _not_found(request, PAGE, "There is no such safeguarding message.")
        form = await request.form()
        value = _field(form, action, 20)
        if CHOICES[action] and value not in CHOICES[action]:
            return _problem(request, 400, *CHOICE_PROBLEMS[action])
        member = getattr(request.state.member, "username", "staff")
        url = _settings(request).database_url
        changed = await in_thread(_change, url, flag_id, action, value, member)
        if changed is None:
            return _unavailable(request)
        if not changed:
            return _not_found(request, PAGE, f"There is no safeguarding message #{flag_id}.")
        query = urlencode({"notice": "status", "id": flag_id, "set": value, "what": "flag"})
        if action != "status":
            query = urlencode({"notice": f"flag_{action}", "id": flag_id})
        if _field(form, "single", 5) == "1":
            return RedirectResponse(f"{PAGE_PATH}/{flag_id}?{query}", status_code=303)
        return RedirectResponse(f"{_back(form, PAGE_PATH)}&{query}", status_code=303)

    change.__name__ = f"flag_{action}"
    return change


def _marks(url: str) -> list[str]:
    with unit_of_work(engine_for(url)) as session:
        return [
            json.dumps(
                {"text": m.text, "label": m.label, "source": "staff", "category": ""},
                ensure_ascii=False,
            )
            for m in safeguarding.marked_messages(session)
        ]


@staff_only(FILE)
async def marks_file(request: Request) -> Response:
    """Flags staff marked, as lines for bot/safety/data/risk.jsonl (staff only)."""
    lines = await in_thread(_marks, _settings(request).database_url)
    if lines is None:
        return _unavailable(request, FILE)
    return _no_store(
        Response(
            "".join(line + "\n" for line in lines),
            media_type="application/x-ndjson",
            headers={"content-disposition": 'attachment; filename="safeguarding-marks.jsonl"'},
        )
    )


def _route(path: str, endpoint, methods: list[str]) -> Route:  # type: ignore[no-untyped-def]
    return Route(path, endpoint, methods=methods, include_in_schema=False)


# Before the dashboard's own routes, which end with a catch-all for /staff.
routes = [
    _route(PAGE_PATH, queue_page, ["GET"]),
    _route(f"{PAGE_PATH}/marks.jsonl", marks_file, ["GET"]),
    _route(f"{PAGE_PATH}/{{id}}", flag_page, ["GET"]),
    _route(f"{PAGE_PATH}/{{id}}/acknowledge", _handler("acknowledge"), ["POST"]),
    _route(f"{PAGE_PATH}/{{id}}/mark", _handler("mark"), ["POST"]),
    _route(f"{PAGE_PATH}/{{id}}/status", _handler("status"), ["POST"]),
]
