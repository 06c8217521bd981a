"""What every staff page shares: its templates, its answers to problems, its form fields.

Each page is rendered from ``bot/staff/templates/staff/`` with what the layout
needs: the signed-in member, the CSRF token for its forms, the section of the
dashboard it is in and the smallest group shown.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from bot.content import list_packs
from bot.names import ANSWER_VALUES
from bot.settings import Settings
from bot.staff.charts import ANSWER_WORDS
from bot.staff.web import words
from bot.staff.web.auth import FILE, member_of

SECTIONS = ("pledges", "concerns", "safeguarding", "quality")


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def _section(path: str) -> str:
    for name in SECTIONS:
        if path.startswith(f"/staff/{name}"):
            return name
    return "reviews"


def _layout_values(request: Request) -> dict[str, object]:
    """What the layout of every staff page shows."""
    return {
        "member": member_of(request),
        "csrftoken": request.scope["csrftoken"](),
        "section": _section(request.url.path),
        "min_group": settings_of(request).min_group,
    }


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters.update(when=words.when, day=words.day)
    env.globals.update(
        status_words=words.STATUS_WORDS,
        answer_words=ANSWER_WORDS,
        answer_values=ANSWER_VALUES,
        role_words=words.ROLE_WORDS,
        channel_words=words.CHANNEL_WORDS,
        level_words=words.LEVEL_WORDS,
        place_words=words.PLACE_WORDS,
        people_words=words.people_words,
    )
    return env


TEMPLATES = Jinja2Templates(env=_environment(), context_processors=[_layout_values])


def render(request: Request, template: str, status: int = 200, **values: object) -> Response:
    return TEMPLATES.TemplateResponse(request, f"staff/{template}", values, status_code=status)


def problem(request: Request, status: int, heading: str, text: str) -> Response:
    return render(request, "problem.html", status, heading=heading, words=text)


def unavailable(request: Request, kind: str) -> Response:
    if kind == FILE:
        return PlainTextResponse(words.UNAVAILABLE, status_code=503)
    return problem(request, 503, "Not available just now", words.UNAVAILABLE)


def not_found(request: Request, kind: str, text: str) -> Response:
    if kind == FILE:
        return PlainTextResponse(text, status_code=404)
    return problem(request, 404, "Not found", text)


def attachment(body: bytes | str, media_type: str, name: str) -> Response:
    """A file to download under ``name``."""
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def field(form: FormData, name: str, limit: int = 10_000) -> str:
    """A text field of the form ("" when missing), cut at ``limit`` characters."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def areas() -> dict[str, str]:
    """Each charter's area by id (a charter's reviews, concerns and flags name it)."""
    return {pack.id: pack.area for pack in list_packs()}


def principles() -> dict[str, dict[str, str]]:
    """Each charter's principles by id: their names, for people."""
    return {pack.id: {p.id: p.name for p in pack.principles} for pack in list_packs()}
