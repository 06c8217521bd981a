"""The staff dashboard as an application of its own: its addresses, checks and answers.

Every request under /staff passes, in this order:

1. ``StaffGuard`` (bot.staff.security): a form must be small, URL-encoded UTF-8,
   with its CSRF token;
2. ``AuthenticationMiddleware`` with ``StaffSessions`` (bot.staff.web.auth):
   ``request.user`` is the signed-in staff member, if any;
3. ``NoStore``: staff pages hold personal data, never kept by a browser or a proxy;
4. the page, where a store that does not answer gives the 503 page (or plain
   words for a file or an image).

bot.server lists each of these addresses on the outer application
(``staff_addresses``), which hands every request to one of them, whatever its
method, to this application.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.settings import Settings
from bot.staff.security import StaffGuard
from bot.staff.web import concerns, login, pledges, quality, review_files, reviews, safeguarding
from bot.staff.web.auth import PAGE, Handler, StaffSessions, kind_of, staff_page
from bot.staff.web.pages import not_found, unavailable
from bot.staff.web.store_work import StoreUnavailable


class NoStore:
    """Every answer of the staff application says ``cache-control: no-store``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_no_store)


@staff_page
async def no_page(request: Request) -> Response:
    """Any other address under /staff, for staff only, says so in plain words."""
    if request.path_params.get("rest", "") == "":
        return RedirectResponse("/staff", status_code=303)
    return not_found(request, PAGE, "There is no page at this address.")


async def store_down(request: Request, error: Exception) -> Response:
    return unavailable(request, kind_of(request))


def _route(path: str, endpoint: Handler, methods: list[str]) -> Route:
    return Route(path, endpoint, methods=methods, include_in_schema=False)


ROUTES = [
    _route("/staff/login", login.login_page, ["GET"]),
    _route("/staff/login", login.login, ["POST"]),
    _route("/staff/logout", login.logout, ["POST"]),
    _route("/staff", reviews.reviews_page, ["GET"]),
    _route("/staff/reviews", reviews.create_review, ["POST"]),
    _route("/staff/reviews/{code}", reviews.review_page, ["GET"]),
    _route("/staff/reviews/{code}/qr.png", review_files.review_qr, ["GET"]),
    _route("/staff/reviews/{code}/questions/{qid}.png", review_files.question_chart, ["GET"]),
    _route("/staff/reviews/{code}/export.{fmt}", review_files.review_export, ["GET"]),
    _route("/staff/reviews/{code}/close", reviews.close_review, ["POST"]),
    _route("/staff/reviews/{code}/update", reviews.post_review_update, ["POST"]),
    _route("/staff/pledges", pledges.pledges_page, ["GET"]),
    _route("/staff/concerns", concerns.concerns_page, ["GET"]),
    _route("/staff/concerns/{id}/reply", concerns.reply_concern, ["POST"]),
    _route("/staff/concerns/{id}/status", concerns.concern_status, ["POST"]),
    _route("/staff/safeguarding", safeguarding.queue_page, ["GET"]),
    _route("/staff/safeguarding/marks.jsonl", safeguarding.marks_file, ["GET"]),
    _route("/staff/safeguarding/{id}", safeguarding.flag_page, ["GET"]),
    _route("/staff/safeguarding/{id}/acknowledge", safeguarding.flag_acknowledge, ["POST"]),
    _route("/staff/safeguarding/{id}/mark", safeguarding.flag_mark, ["POST"]),
    _route("/staff/safeguarding/{id}/status", safeguarding.flag_status, ["POST"]),
    _route("/staff/quality", quality.quality_page, ["GET"]),
    _route("/staff/quality", quality.save_quality, ["POST"]),
    _route("/staff/quality/new", quality.quality_new, ["GET"]),
    _route("/staff/quality/report", quality.quality_report_page, ["GET"]),
    _route("/staff/quality/report.png", quality.quality_report_chart, ["GET"]),
    _route("/staff/quality/report.csv", quality.quality_report_csv, ["GET"]),
    # Last: any other address under /staff.
    _route("/staff/{rest:path}", no_page, ["GET", "POST"]),
]


def staff_app(settings: Settings) -> Starlette:
    """The staff dashboard; its state (settings, login limits) is the server's when mounted."""
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(StaffGuard, settings=settings),
            Middleware(AuthenticationMiddleware, backend=StaffSessions()),
            Middleware(NoStore),
        ],
        exception_handlers={StoreUnavailable: store_down},
    )
    app.state.settings = settings
    return app


class StaffAddress(Route):
    """One address of the staff application on the outer one.

    Every request to it goes to the staff application, also one with a method the
    address does not take: the staff application checks its form first, then
    answers 405, as for any address.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def staff_addresses(staff: Starlette) -> list[Route]:
    """The staff application's addresses, for the outer application's routes.

    Listed one by one rather than as one ``Mount``: a mount would not take
    ``/staff`` itself (the reviews page), and the server's route table names every
    address it answers, each kept out of the OpenAPI description.
    """
    return [
        StaffAddress(route.path, staff, methods=route.methods, include_in_schema=False)
        for route in staff.routes
        if isinstance(route, Route)
    ]
