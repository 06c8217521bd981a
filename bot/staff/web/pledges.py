"""The pledges page: who has signed each charter, as the public register shows it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.reports.register import CharterRegister, build_register
from bot.staff.web.auth import staff_page
from bot.staff.web.pages import render, settings_of
from bot.staff.web.store_work import in_store
from bot.store.db import engine_for, unit_of_work


def _registers(url: str, min_group: int) -> list[CharterRegister]:
    with unit_of_work(engine_for(url)) as session:
        return build_register(session, min_group=min_group)


@staff_page
async def pledges_page(request: Request) -> Response:
    settings = settings_of(request)
    registers = await in_store(_registers, settings.database_url, settings.min_group)
    return render(request, "pledges.html", registers=registers)
