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

from bot.staff.web import queues
from bot.staff.web.auth import PAGE, Handler, member_of, staff_file, staff_page
from bot.staff.web.pages import attachment, field, not_found, problem, settings_of
from bot.staff.web.store_work import in_store
from bot.store import safeguarding
from bot.store.db import engine_for, unit_of_work
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
NO_SUCH_FLAG = "There is no such safeguarding message."


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
        return [_view(f) for f in safeguarding.flags(session) if queues.matches(f.status, chosen)]


def _one(url: str, flag_id: int) -> FlagView | None:
    with unit_of_work(engine_for(url)) as session:
        flag = safeguarding.get_flag(session, flag_id)
        return _view(flag) if flag is not None else None


def _page(request: Request, queue: list[FlagView], chosen: str, single: bool) -> Response:
    return queues.render_queue(
        request,
        "safeguarding.html",
        queue,
        chosen,
        safeguarding.FLAG_STATUSES,
        single=single,
        level_words=LEVEL_WORDS,
        check_words=CHECK_WORDS,
        mark_words=MARK_WORDS,
        alert_words=ALERT_WORDS,
    )


@staff_page
async def queue_page(request: Request) -> Response:
    chosen = queues.queue_filter(request)
    if chosen is None:
        return queues.unknown_filter(request)
    queue = await in_store(_queue, settings_of(request).database_url, chosen)
    return _page(request, queue, chosen, single=False)


def _no_flag(request: Request, flag_id: int) -> Response:
    return not_found(request, PAGE, f"There is no safeguarding message #{flag_id}.")


@staff_page
async def flag_page(request: Request) -> Response:
    """One flag: where an alert's link leads."""
    flag_id = queues.id_of(request)
    if flag_id is None:
        return not_found(request, PAGE, NO_SUCH_FLAG)
    found = await in_store(_one, settings_of(request).database_url, flag_id)
    if found is None:
        return _no_flag(request, flag_id)
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


def _handler(action: str) -> Handler:
    @staff_page
    async def change(request: Request) -> Response:
        flag_id = queues.id_of(request)
        if flag_id is None:
            return not_found(request, PAGE, NO_SUCH_FLAG)
        form = await request.form()
        value = field(form, action, 20)
        if CHOICES[action] and value not in CHOICES[action]:
            return problem(request, 400, *CHOICE_PROBLEMS[action])
        member = getattr(member_of(request), "username", "staff")
        url = settings_of(request).database_url
        if not await in_store(_change, url, flag_id, action, value, member):
            return _no_flag(request, flag_id)
        query = {"notice": "status", "id": flag_id, "set": value, "what": "flag"}
        if action != "status":
            query = {"notice": f"flag_{action}", "id": flag_id}
        if field(form, "single", 5) == "1":
            return RedirectResponse(f"{PAGE_PATH}/{flag_id}?{urlencode(query)}", status_code=303)
        return queues.back_with(form, PAGE_PATH, **query)

    change.__name__ = f"flag_{action}"
    return change


flag_acknowledge = _handler("acknowledge")
flag_mark = _handler("mark")
flag_status = _handler("status")


def _marks(url: str) -> list[str]:
    with unit_of_work(engine_for(url)) as session:
        return [
            json.dumps(
                {"text": m.text, "label": m.label, "source": "staff", "category": ""},
                ensure_ascii=False,
            )
            for m in safeguarding.marked_messages(session)
        ]


@staff_file
async def marks_file(request: Request) -> Response:
    """Flags staff marked, as lines for bot/safety/data/risk.jsonl (staff only)."""
    lines = await in_store(_marks, settings_of(request).database_url)
    body = "".join(line + "\n" for line in lines)
    return attachment(body, "application/x-ndjson", "safeguarding-marks.jsonl")
