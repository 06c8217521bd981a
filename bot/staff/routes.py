"""Public pages about the charters: the pledge register."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.reports.register import CharterRegister, build_register, register_json
from bot.store.db import engine_for, in_thread, unit_of_work

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def long_date(iso: str | None) -> str:
    """ "2026-11-24" as "24 November 2026", for people rather than spreadsheets."""
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


TEMPLATES.filters["long_date"] = long_date


def _read(database_url: str, min_group: int) -> list[CharterRegister]:
    with unit_of_work(engine_for(database_url)) as session:
        return build_register(session, min_group=min_group)


async def _registers(request: Request) -> list[CharterRegister] | None:
    settings = request.app.state.settings
    return await in_thread(_read, settings.database_url, settings.min_group)


UNAVAILABLE = "The list of signatures is not available just now. Please try again later."


async def register_page(request: Request) -> Response:
    """The public register of charter pledges.

    ---
    summary: Who has signed each co-production charter (HTML)
    responses:
      "200":
        description: Organisations by name; families only as counts.
        content:
          text/html: {}
      "503":
        description: The store is not available.
        content:
          text/html: {}
    """
    registers = await _registers(request)
    if registers is None:
        return HTMLResponse(f"<p>{UNAVAILABLE}</p>", status_code=503)
    html = TEMPLATES.get_template("register.html").render(registers=registers)
    return HTMLResponse(html)


async def register_data(request: Request) -> Response:
    """The public register of charter pledges, as JSON.

    ---
    summary: Who has signed each co-production charter (JSON)
    responses:
      "200":
        description: Organisations by name; families only as counts.
        content:
          application/json: {}
      "503":
        description: The store is not available.
        content:
          application/json: {}
    """
    registers = await _registers(request)
    if registers is None:
        return JSONResponse({"error": UNAVAILABLE}, status_code=503)
    return Response(register_json(registers), media_type="application/json")


routes = [
    Route("/pledges", register_page, methods=["GET"]),
    Route("/pledges.json", register_data, methods=["GET"]),
]
