"""The staff dashboard (/staff): accounts, login, CSRF, pages, results, downloads.

Attacks on logging in and sessions are in tests/test_staff_login.py.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.cli import main
from bot.content import get_pack
from bot.names import ANSWER_VALUES
from bot.server import create_app
from bot.settings import Settings
from bot.staff import accounts, quality, security, sessions
from bot.staff.charts import ANSWER_WORDS
from bot.staff.export import CHANNEL_KEYS, ROLE_KEYS, build_export
from bot.staff.web import auth as staff_auth
from bot.staff.web import login as staff_login
from bot.staff.web import reviews as review_pages
from bot.staff.web import words as staff_words
from bot.staff.web.words import CHANNEL_WORDS, ROLE_WORDS
from bot.store import concerns, pledges, repository, safeguarding, updates
from bot.store.db import unit_of_work
from bot.store.models import Concern, OutboxMessage, Review, SafeguardingFlag, utcnow
from bot.store.staff_models import QualityAssessment, StaffAccount
from tests.test_web_chat import StandInRasa

SECRET = "dashboard-test-secret-q7Vx2LmZ9pK4wR8s"
NAME, PASSWORD = "jo.smith", "correct horse battery staple"
QUESTIONS = get_pack("wirral").questions
PNG = b"\x89PNG\r\n\x1a\n"
FLAG_WORDS = "nobody at home is safe tonight"
CONCERN_WORDS = "The room had no ramp."
QUALITY_ORG, QUALITY_WORDS = "Wokingham SEND Team", "Our forum minutes show it."


# ---- Fixtures and helpers ------------------------------------------------------------------


def settings_for(database: str, **values) -> Settings:
    return Settings(secret_key=SECRET, database_url=database, rasa_url="http://rasa", **values)


def add_account(name: str = NAME, password: str = PASSWORD) -> None:
    with unit_of_work() as session:
        accounts.add_account(session, name, password)


@pytest.fixture
def app(database):
    add_account()
    return create_app(settings_for(database))


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def log_in(client, name: str = NAME, password: str = PASSWORD, **extra):
    """Open the login page (for its CSRF token), then send the form."""
    client.get("/staff/login")
    form = {"csrftoken": client.cookies.get("csrftoken"), "username": name, "password": password}
    return client.post("/staff/login", data={**form, **extra}, follow_redirects=False)


@pytest.fixture
def staff(client):
    assert log_in(client).status_code == 303
    return client


def token(client) -> str:
    return client.cookies.get("csrftoken")


def post(client, path: str, **fields):
    return client.post(path, data={"csrftoken": token(client), **fields}, follow_redirects=False)


def answer(code: str, person: str, values: list[str | None], channel: str = "web") -> None:
    """One person's answers to the first questions (None: that question not answered)."""
    with unit_of_work() as session:
        review = repository.review_by_code(session, code)
        ref = repository.start_or_resume(session, review, person, channel)
        repository.set_profile(session, person, channel, role="parent_carer")
        for question, value in zip(QUESTIONS, values, strict=False):
            if value is not None:
                repository.record_answer(session, ref.response_id, question.id, value, channel)


def make_review(code: str, title: str) -> str:
    with unit_of_work() as session:
        repository.create_review(session, code, title, "wirral", "consulting", "2026-11-20")
    return code


def six_people() -> str:
    """6 people: question 1 all yes, 2 split 4/2 (both withheld), 3 all "a bit",
    4 answered "no" by only 2 (a lone small count: the question is withheld)."""
    code = make_review("SIX-234", "Six people meeting")
    for n in range(6):
        answer(
            code,
            f"web-six-{n}",
            ["yes", "yes" if n < 4 else "no", "partly", "no" if n < 2 else None],
            channel="web" if n < 5 else "telegram",
        )
    return code


def four_people() -> str:
    code = make_review("FOR-234", "Four people meeting")
    for n in range(4):
        answer(code, f"web-four-{n}", ["yes"] * len(QUESTIONS))
    return code


def exported(code: str):
    with unit_of_work() as session:
        [result] = build_export(session, 5, code=code)
    return result


def raise_concern(person: str = "web-a", wants_reply: bool = True, channel: str = "web") -> int:
    with unit_of_work() as session:
        return concerns.raise_concern(
            session,
            pseudonym=person,
            channel=channel,
            charter="wirral",
            about="The transport meeting",
            what_happened=CONCERN_WORDS,
            principle="value_and_include",
            wants_reply=wants_reply,
        ).id


def flag() -> int:
    with unit_of_work() as session:
        return safeguarding.raise_flag(
            session,
            pseudonym="web-x",
            channel="web",
            charter="wirral",
            message=FLAG_WORDS,
            detected_by="classifier",
            level="severe",
        ).id


class Tables(HTMLParser):
    """The tables of a page by caption, each a list of rows of cell texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._name = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def shown(count: int | None) -> str:
    return "withheld" if count is None else str(count)


# ---- Accounts and logging in ---------------------------------------------------------------


def test_the_right_password_opens_the_dashboard_in_any_case_of_the_name(client):
    response = log_in(client, name="JO.Smith")
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    page = client.get("/staff")
    assert page.status_code == 200
    assert "<h1>Reviews</h1>" in page.text and "Logged in as jo.smith" in page.text
    assert page.headers["cache-control"] == "no-store"
    with unit_of_work() as session:
        account = accounts.find(session, NAME)
        assert account.failed_logins == 0 and account.last_login_at is not None


@pytest.mark.parametrize("name,password", [(NAME, "wrong password here"), ("nobody", PASSWORD)])
def test_a_wrong_password_or_an_unknown_name_is_refused_with_the_same_words(client, name, password):
    response = log_in(client, name=name, password=password)
    assert response.status_code == 401
    assert staff_login.LOGIN_FAILED in response.text
    assert security.COOKIE not in response.cookies
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_passwords_are_kept_as_argon2_hashes_and_rehashed_when_the_settings_change(
    client, monkeypatch
):
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher())  # the real settings
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    with monkeypatch.context() as patched:
        patched.setattr(accounts, "HASHER", weak)
        add_account("sam", "another long password")
    with unit_of_work() as session:
        old = accounts.find(session, "sam").password_hash
    assert old.startswith("$argon2id$") and "another" not in old
    assert accounts.HASHER.check_needs_rehash(old)
    assert log_in(client, "sam", "another long password").status_code == 303
    with unit_of_work() as session:
        new = accounts.find(session, "sam").password_hash
    assert new != old and not accounts.HASHER.check_needs_rehash(new)
    # The session made at that login is kept with the new hash's print.
    assert client.get("/staff").status_code == 200


def test_names_are_unique_whatever_their_case_in_the_database_too(database):
    add_account("Jo")
    with pytest.raises(accounts.NameTaken), unit_of_work() as session:
        accounts.add_account(session, "jO", PASSWORD)
    with pytest.raises(IntegrityError), unit_of_work() as session:
        session.add(StaffAccount(username="JO", password_hash="x", failed_logins=0))
        session.flush()
    with pytest.raises(accounts.AccountProblem, match="at least 12"), unit_of_work() as session:
        accounts.add_account(session, "ann", "short")
    with pytest.raises(accounts.AccountProblem, match="user name"), unit_of_work() as session:
        accounts.add_account(session, "<script>", PASSWORD)


def test_the_session_cookie_is_httponly_strict_and_scoped_to_staff(client):
    response = log_in(client)
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith("copro_staff=")]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes and "samesite=strict" in attributes
    assert "path=/staff" in attributes and "max-age=28800" in attributes
    assert "secure" not in attributes
    # The CSRF cookie is scoped to /staff and strict as well.
    page = TestClient(client.app).get("/staff/login")
    csrf = page.headers["set-cookie"].lower()
    assert "path=/staff" in csrf and "samesite=strict" in csrf


def test_in_production_the_cookies_are_secure(database):
    add_account()
    app = create_app(settings_for(database, production=True))
    with TestClient(app, base_url="https://testserver") as client:
        assert "secure" in client.get("/staff/login").headers["set-cookie"].lower()
        response = log_in(client)
        assert response.status_code == 303
        [cookie] = [
            c for c in response.headers.get_list("set-cookie") if c.startswith("copro_staff=")
        ]
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]
        assert client.get("/staff").status_code == 200


def test_each_login_gets_a_new_session_value_and_a_forged_one_gets_nothing(client):
    client.cookies.set(security.COOKIE, "chosen-by-someone-else", domain="testserver.local")
    assert client.get("/staff", follow_redirects=False).status_code == 303
    client.cookies.clear()
    first = log_in(client).cookies[security.COOKIE]
    second = log_in(client).cookies[security.COOKIE]
    assert first != second
    assert client.get("/staff").status_code == 200
    # Signed with another key, or changed by a single character: refused.
    with unit_of_work() as session:
        real = sessions.start(session, accounts.find(session, NAME).id)
    other = security.session_value(Settings(secret_key="another key"), real)
    # (Not the last character: its low bits are padding, so a change there may be no change.)
    tampered = second[:5] + ("A" if second[5] != "A" else "B") + second[6:]
    for value in (other, tampered):
        client.cookies.clear()
        client.cookies.set(security.COOKIE, value, domain="testserver.local", path="/staff")
        assert client.get("/staff", follow_redirects=False).status_code == 303


def test_a_session_ends_after_8_hours(client, monkeypatch):
    from itsdangerous import TimestampSigner

    settings = client.app.state.settings
    now = TimestampSigner("x").get_timestamp()

    def started(seconds_ago: int) -> str:
        with unit_of_work() as session:
            account_id = accounts.find(session, NAME).id
            session_id = sessions.start(
                session, account_id, utcnow() - timedelta(seconds=seconds_ago)
            )
        with monkeypatch.context() as patched:
            patched.setattr(TimestampSigner, "get_timestamp", lambda self: now - seconds_ago)
            return security.session_value(settings, session_id)

    client.cookies.set(security.COOKIE, started(7 * 3600), domain="testserver.local")
    assert client.get("/staff", follow_redirects=False).status_code == 200
    client.cookies.set(security.COOKIE, started(8 * 3600 + 60), domain="testserver.local")
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_logging_out_clears_the_cookie(staff):
    response = post(staff, "/staff/logout")
    assert response.status_code == 303 and response.headers["location"] == "/staff/login?out=1"
    assert security.COOKIE not in staff.cookies
    assert staff.get("/staff", follow_redirects=False).status_code == 303
    assert "You are logged out." in staff.get("/staff/login?out=1").text


def test_a_removed_account_or_a_changed_password_ends_its_sessions(staff):
    assert staff.get("/staff").status_code == 200
    with unit_of_work() as session:
        accounts.find(session, NAME).password_hash = accounts.HASHER.hash("a brand new password")
    assert staff.get("/staff", follow_redirects=False).status_code == 303
    assert log_in(staff, password="a brand new password").status_code == 303
    assert staff.get("/staff").status_code == 200
    with unit_of_work() as session:
        assert accounts.remove_account(session, NAME.upper())
    gone = staff.get("/staff", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/staff/login")
    assert staff.get("/staff/reviews/SIX-234/export.csv").status_code == 401


def test_after_login_you_go_back_to_the_page_you_asked_for_and_never_off_site(client):
    asked = client.get("/staff/concerns", follow_redirects=False)
    assert asked.headers["location"] == "/staff/login?next=%2Fstaff%2Fconcerns"
    page = client.get(asked.headers["location"])
    assert 'name="next" value="/staff/concerns"' in page.text
    assert log_in(client, next="/staff/concerns").headers["location"] == "/staff/concerns"
    for elsewhere in ("https://evil.example", "//evil.example", "/staff/../evil", "/pledges"):
        assert log_in(client, next=elsewhere).headers["location"] == "/staff"


# ---- Every route needs a session; CSRF on every POST ----------------------------------------


def test_every_staff_route_without_a_session_gives_a_redirect_or_401_and_no_data(app):
    code = six_people()
    concern_id, flag_id = raise_concern(), flag()
    values = {
        "code": code,
        "qid": QUESTIONS[0].id,
        "fmt": "csv",
        "id": str(concern_id),
        "rest": "somewhere/else",
    }
    assert concern_id == flag_id  # one id fits both kinds of {id}
    with unit_of_work() as session:
        quality.save_assessment(
            session,
            "wokingham",
            QUALITY_ORG,
            "2025-03-01",
            {"voices_heard_and_valued": {"score": 7, "going_well": QUALITY_WORDS}},
        )
    secrets_on_pages = ("Six people meeting", CONCERN_WORDS, FLAG_WORDS, code, QUALITY_WORDS)
    checked = []
    with TestClient(app) as anonymous:
        anonymous.get("/staff/login")  # a CSRF cookie, but no session
        form = {"csrftoken": token(anonymous), "title": "x", "status": "resolved", "text": "x"}
        # Enough for a quality assessment to be saved, were the POST let through.
        form.update(
            charter="wokingham",
            organisation="Sneaky Org",
            assessed_on="2025-01-01",
            **{"score-voices_heard_and_valued": "3"},
        )
        query = "?" + urlencode({"organisation": QUALITY_ORG})
        for route in app.routes:
            if not isinstance(route, Route) or not security.is_staff_path(route.path):
                continue
            assert route.include_in_schema is False, route.path
            path = re.sub(r"{(\w+)(:\w+)?}", lambda m: values[m.group(1)], route.path)
            for method in sorted(route.methods - {"HEAD"}):
                if route.path == "/staff/login":
                    continue  # the one page everyone may open
                if method == "GET":
                    # The quality report's pages and files name their organisation.
                    asked = path + (query if path.startswith("/staff/quality/report") else "")
                    response = anonymous.get(asked, follow_redirects=False)
                else:
                    response = anonymous.post(path, data=form, follow_redirects=False)
                checked.append((method, route.path))
                if method == "GET" and (
                    path.endswith((".png", ".csv", ".jsonl")) or "/export." in path
                ):
                    assert response.status_code == 401, path
                    assert not response.content.startswith(PNG)
                else:
                    assert response.status_code == 303, (method, path)
                    assert response.headers["location"].startswith("/staff/login"), path
                assert not any(words in response.text for words in secrets_on_pages), path
    assert len(checked) >= 22 and ("POST", "/staff/reviews/{code}/close") in checked
    assert {
        ("GET", "/staff/quality"),
        ("POST", "/staff/quality"),
        ("GET", "/staff/quality/new"),
        ("GET", "/staff/quality/report"),
        ("GET", "/staff/quality/report.png"),
        ("GET", "/staff/quality/report.csv"),
        ("GET", "/staff/safeguarding/{id}"),
        ("GET", "/staff/safeguarding/marks.jsonl"),
        ("POST", "/staff/safeguarding/{id}/acknowledge"),
        ("POST", "/staff/safeguarding/{id}/mark"),
    } <= set(checked)
    # Nothing was changed by those POSTs.
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 1
        assert repository.review_by_code(session, code).closed_at is None
        concern = session.get(Concern, concern_id)
        assert concern.status == "new" and concern.reply is None
        flagged = session.get(SafeguardingFlag, flag_id)
        assert flagged.status == "new" and flagged.acknowledged_at is None
        assert flagged.staff_mark is None
        assert repository.review_by_code(session, code).updates == []
        assert session.scalar(select(func.count()).select_from(QualityAssessment)) == 1


def test_staff_routes_are_not_in_the_public_openapi_description(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert paths and not [p for p in paths if p.startswith("/staff")]


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(staff):
    code = six_people()
    concern_id = raise_concern()
    form = {"title": "Sneaky", "charter": "wirral", "level": "", "date": ""}
    for fields in (form, {**form, "csrftoken": "forged"}):
        refused = staff.post("/staff/reviews", data=fields, follow_redirects=False)
        assert refused.status_code == 403
    close = f"/staff/reviews/{code}/close"
    assert staff.post(close, data={"go": "1"}, follow_redirects=False).status_code == 403
    # Not a form at all: refused before the token is even looked at.
    assert staff.post(close, follow_redirects=False).status_code == 415
    reply = {"text": "hello", "status": "resolved"}
    assert staff.post(f"/staff/concerns/{concern_id}/reply", data=reply).status_code == 403
    # Without any cookie at all (asgi-csrf would let that through elsewhere): refused too.
    bare = TestClient(staff.app)
    bare_login = bare.post("/staff/login", data={"username": NAME, "password": PASSWORD})
    assert bare_login.status_code == 403
    with unit_of_work() as session:
        assert repository.review_by_code(session, code).closed_at is None
        assert session.scalar(select(func.count()).select_from(Review)) == 1
        assert session.get(Concern, concern_id).reply is None
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    # With the token, the same form works.
    assert post(staff, "/staff/reviews", **form).status_code == 303


def test_other_routes_are_untouched_by_the_csrf_check(database):
    rasa = StandInRasa()
    app = create_app(settings_for(database))
    app.state.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rasa.app))
    with TestClient(app) as client:
        assert client.post("/api/chat", json={"text": "hello"}).status_code == 200
        assert "copro_session" in client.cookies
        # A second message carries the session cookie and no CSRF token.
        again = client.post("/api/chat", json={"text": "again"})
        assert again.status_code == 200 and "csrftoken" not in again.headers.get("set-cookie", "")


def test_bad_form_bodies_and_cookies_get_a_plain_4xx_never_a_500(staff, app):
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    not_utf8 = staff.post("/staff/reviews", content=b"title=\xff\xfe", headers=form_type)
    assert not_utf8.status_code == 400
    assert staff.post("/staff/reviews", json={"title": "x"}).status_code == 415
    huge = b"title=" + b"a" * 70_000
    assert staff.post("/staff/reviews", content=huge, headers=form_type).status_code == 413

    async def status_with_raw_cookie(path: str) -> int:
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"cookie", b"a=\xff")],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
            "state": {},
        }
        await app(scope, receive, send)
        return sent[0]["status"]

    # A cookie that is not UTF-8: the staff side says so, the rest of the site never sees
    # the CSRF check at all.
    assert asyncio.run(status_with_raw_cookie("/staff/login")) == 400
    assert asyncio.run(status_with_raw_cookie("/health")) == 200
    assert asyncio.run(status_with_raw_cookie("/pledges")) == 200


def test_a_store_error_gives_a_503_page_and_a_log_line_without_the_message(
    staff, monkeypatch, caplog
):
    def broken(*args):
        raise OperationalError("SELECT secret words", {}, Exception("secret words"))

    monkeypatch.setattr(review_pages, "_review_rows", broken)
    page = staff.get("/staff")
    assert page.status_code == 503 and staff_words.UNAVAILABLE in page.text
    assert "secret words" not in page.text and "Traceback" not in page.text
    assert "The store did not answer: OperationalError" in caplog.text
    assert "secret words" not in caplog.text
    monkeypatch.setattr(staff_auth, "_account_for", broken)
    assert staff.get("/staff/pledges").status_code == 503
    assert staff.get("/staff/reviews/SIX-234/export.csv").status_code == 503


# ---- Reviews: the list, creating, results, charts, downloads, closing -----------------------


def test_the_list_shows_people_only_at_or_above_the_smallest_group(staff):
    six, four = six_people(), four_people()
    make_review("NEW-234", "Nobody yet")
    table = Tables(staff.get("/staff").text).tables["All reviews, newest first"]
    rows = {row[0]: row[1:] for row in table[1:]}
    assert rows["Six people meeting"] == [
        six,
        "Wirral",
        "Consulting",
        "20 November 2026",
        "Open",
        "6",
    ]
    assert rows["Four people meeting"][0] == four
    assert rows["Four people meeting"][-1] == "Fewer than 5"
    assert rows["Nobody yet"][-1] == "None yet"


def test_creating_a_review_through_the_form(database):
    add_account()
    app = create_app(settings_for(database, telegram_bot="wirral_copro_bot"))
    with TestClient(app) as staff:
        log_in(staff)
        form = staff.get("/staff").text
        assert '<option value="co-designing">' in form and '<option value="halton"' in form
        made = post(
            staff,
            "/staff/reviews",
            title="  Short breaks workshop ",
            charter="halton",
            level="co-designing",
            date="2026-11-20",
        )
        assert made.status_code == 303
        code = re.fullmatch(r"/staff/reviews/([A-Z0-9-]+)\?created=1", made.headers["location"])[1]
        with unit_of_work() as session:
            review = repository.review_by_code(session, code)
            assert (review.title, review.charter, review.level, review.held_on) == (
                "Short breaks workshop",
                "halton",
                "co-designing",
                "2026-11-20",
            )
        page = staff.get(made.headers["location"]).text
        assert "The review is created." in page and code in page
        assert f"http://localhost:8080/?code={code}" in page
        assert f"https://t.me/wirral_copro_bot?start={code}" in page
        assert f'src="/staff/reviews/{code}/qr.png"' in page
        qr = staff.get(f"/staff/reviews/{code}/qr.png")
        assert qr.headers["content-type"] == "image/png" and qr.content.startswith(PNG)


@pytest.mark.parametrize(
    "changes,words",
    [
        ({"title": "   "}, "Give the review a title"),
        ({"title": "x" * 201}, "Give the review a title"),
        ({"charter": "atlantis"}, "Choose the charter from the list."),
        ({"level": "top rung"}, "Choose a level from the list"),
        ({"date": "20/11/2026"}, "Give the date as a date like 2026-11-20"),
        ({"date": "2026-02-30"}, "Give the date as a date like 2026-11-20"),
    ],
)
def test_bad_review_input_gets_a_clear_400_and_nothing_is_saved(staff, changes, words):
    form = {"title": "Workshop", "charter": "wirral", "level": "", "date": "", **changes}
    response = post(staff, "/staff/reviews", **form)
    assert response.status_code == 400 and words in response.text
    assert 'aria-invalid="true"' in response.text
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 0


def test_six_people_show_the_same_numbers_as_the_export(staff):
    code = six_people()
    result = exported(code)
    page = staff.get(f"/staff/reviews/{code}")
    assert page.status_code == 200
    tables = Tables(page.text).tables
    assert "Answers from 6 people." in page.text
    for n, question in enumerate(result.questions, start=1):
        caption = f"Answers to question {n}"
        if question.suppressed:
            assert caption not in tables
            continue
        rows = {row[0]: row[1] for row in tables[caption][1:]}
        assert rows == {ANSWER_WORDS[v]: shown(question.counts[v]) for v in ANSWER_VALUES}
        # The withheld cells are exactly the export's `withheld`.
        assert {v for v in ANSWER_VALUES if rows[ANSWER_WORDS[v]] == "withheld"} == set(
            question.withheld
        )
    first, second, _, fourth = result.questions[:4]
    assert first.counts["yes"] == 6 and second.withheld == ["yes", "no"] and fourth.suppressed
    assert "The answers to this question are withheld" in page.text
    roles = {row[0]: row[1] for row in tables["People who answered, by role"][1:]}
    assert roles == {ROLE_WORDS[k]: shown(result.by_role[k]) for k in ROLE_KEYS}
    channels = {row[0]: row[1] for row in tables["People who answered, by channel"][1:]}
    assert channels == {CHANNEL_WORDS[k]: shown(result.by_channel[k]) for k in CHANNEL_KEYS}
    assert channels["Web chat"] == channels["Telegram"] == "withheld"  # 5 and 1
    principles = {
        row[0]: row[1:] for row in tables["Answers to all the questions about each principle"][1:]
    }
    for p in result.principles:
        if p.suppressed:
            assert principles[p.text][0].startswith("withheld")
        else:
            assert principles[p.text] == [shown(p.counts[v]) for v in ANSWER_VALUES]
    # A chart for each question whose answers are shown, with a text alternative.
    charts = re.findall(r'<img class="chart" src="([^"]+)"[^>]*alt="([^"]+)"', page.text)
    assert len(charts) == sum(not q.suppressed for q in result.questions)
    assert all("The table next to it gives the same numbers" in alt for _, alt in charts)


def test_four_people_are_withheld_and_no_count_is_shown(staff):
    code = four_people()
    page = staff.get(f"/staff/reviews/{code}")
    assert page.status_code == 200
    assert "The results of this review are withheld." in page.text
    assert "Fewer than 5 people have answered." in page.text
    assert "could be picked out" in page.text
    tables = Tables(page.text).tables
    assert not [caption for caption in tables if caption.startswith(("Answers", "People"))]
    assert "4 people" not in page.text and 'class="chart"' not in page.text
    assert all(q.suppressed for q in exported(code).questions)
    chart = staff.get(f"/staff/reviews/{code}/questions/{QUESTIONS[0].id}.png")
    assert chart.status_code == 404 and not chart.content.startswith(PNG)


def only_started(code: str, person: str, channel: str = "web", role: str | None = None) -> None:
    """Someone who opened the review (perhaps saying who they are) and answered nothing."""
    with unit_of_work() as session:
        review = repository.review_by_code(session, code)
        repository.start_or_resume(session, review, person, channel)
        if role is not None:
            repository.set_profile(session, person, channel, role=role)


def test_people_who_answered_nothing_are_not_counted_on_any_page(staff):
    """As found: "Answers from 5 people" where 2 never answered unlocked the words of 3."""
    from openpyxl import load_workbook

    three = make_review("THR-234", "Three answered")
    for n in range(3):
        answer(three, f"web-three-{n}", ["no"])
        with unit_of_work() as session:
            ref = repository.start_or_resume(
                session, repository.review_by_code(session, three), f"web-three-{n}", "web"
            )
            repository.add_comment(session, ref.response_id, QUESTIONS[0].id, "The room was cold.")
    only_started(three, "web-three-role", role="parent_carer")
    only_started(three, "web-three-nothing")
    five = make_review("FIV-234", "Five answered")
    for n in range(5):
        answer(five, f"web-five-{n}", ["yes"])
    only_started(five, "telegram-five-started", channel="telegram", role="young_person")
    only_started(five, "web-five-nothing")
    rows = {
        row[0]: row[-1]
        for row in Tables(staff.get("/staff").text).tables["All reviews, newest first"][1:]
    }
    assert rows == {"Three answered": "Fewer than 5", "Five answered": "5"}
    page = staff.get(f"/staff/reviews/{three}").text
    assert "Fewer than 5 people have answered." in page and "Answers from" not in page
    download = json.loads(staff.get(f"/staff/reviews/{three}/export.json?comments=1").text)
    [review] = download["reviews"]
    assert "comments" not in review and review["responses"] is None
    workbook = staff.get(f"/staff/reviews/{three}/export.xlsx?comments=1").content
    assert "Comments" not in load_workbook(io.BytesIO(workbook)).sheetnames
    page = staff.get(f"/staff/reviews/{five}").text
    assert "Answers from 5 people." in page
    roles = {row[0]: row[1] for row in Tables(page).tables["People who answered, by role"][1:]}
    assert roles[ROLE_WORDS["parent_carer"]] == "5" and roles[ROLE_WORDS["young_person"]] == "0"


def test_charts_are_pngs_for_shown_questions_only(staff, client):
    code = six_people()
    path = f"/staff/reviews/{code}/questions/{QUESTIONS[0].id}.png"
    chart = staff.get(path)
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(PNG) and len(chart.content) > 2000
    # The fourth question is withheld (a lone small count): no chart.
    withheld = staff.get(f"/staff/reviews/{code}/questions/{QUESTIONS[3].id}.png")
    assert withheld.status_code == 404 and not withheld.content.startswith(PNG)
    assert staff.get(f"/staff/reviews/{code}/questions/nothing.png").status_code == 404
    assert staff.get(f"/staff/reviews/NOP-234/questions/{QUESTIONS[0].id}.png").status_code == 404
    with TestClient(staff.app) as anonymous:
        refused = anonymous.get(path)
    assert refused.status_code == 401 and not refused.content.startswith(PNG)


def test_each_download_parses_back_and_equals_the_cli_export(staff, capsys, tmp_path):
    from openpyxl import load_workbook

    code = six_people()
    base = f"/staff/reviews/{code}/export"
    for fmt in ("csv", "json"):
        assert main(["export", "--format", fmt, "--review", code]) == 0
        cli = capsys.readouterr().out.encode("utf-8")
        download = staff.get(f"{base}.{fmt}")
        assert download.status_code == 200 and download.content == cli
        assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(staff.get(f"{base}.csv").text)))
    assert len(rows) == len(QUESTIONS) and rows[1]["yes"] == rows[1]["no"] == "withheld"
    data = json.loads(staff.get(f"{base}.json").text)
    assert data["reviews"][0]["code"] == code and data["reviews"][0]["responses"] == 6
    assert main(["export", "--format", "json", "--review", code, "--comments"]) == 0
    assert staff.get(f"{base}.json?comments=1").content == capsys.readouterr().out.encode()

    def cells(book):
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}

    for query, extra in (("", []), ("?comments=1", ["--comments"])):
        out = tmp_path / f"cli{len(extra)}.xlsx"
        assert (
            main(["export", "--format", "xlsx", "--review", code, "--out", str(out), *extra]) == 0
        )
        capsys.readouterr()
        download = staff.get(f"{base}.xlsx{query}")
        assert download.status_code == 200
        assert cells(load_workbook(io.BytesIO(download.content))) == cells(load_workbook(out))
    assert staff.get(f"{base}.csv?comments=1").status_code == 400
    assert staff.get(f"{base}.csv?comments=yes").status_code == 400
    assert staff.get(f"{base}.pdf").status_code == 404
    assert staff.get("/staff/reviews/NOP-234/export.csv").status_code == 404
    assert FLAG_WORDS not in staff.get(f"{base}.json?comments=1").text


def test_closing_a_review(staff):
    code = six_people()
    closed = post(staff, f"/staff/reviews/{code}/close")
    assert (
        closed.status_code == 303
        and closed.headers["location"] == f"/staff/reviews/{code}?closed=1"
    )
    with unit_of_work() as session:
        assert repository.review_by_code(session, code).closed_at is not None
        assert repository.find_open_review(session, code) is None
    page = staff.get(closed.headers["location"]).text
    assert "The review is closed." in page and "Closed on" in page
    assert f'action="/staff/reviews/{code}/close"' not in page
    assert post(staff, f"/staff/reviews/{code}/close").status_code == 303  # already closed
    missing = post(staff, "/staff/reviews/NOP-234/close")
    assert missing.status_code == 404 and "There is no review with the code NOP-234" in missing.text


def test_an_unknown_review_or_page_is_a_404_in_plain_words(staff):
    missing = staff.get("/staff/reviews/NOP-234")
    assert (
        missing.status_code == 404 and "There is no review with the code NOP-234." in missing.text
    )
    assert staff.get("/staff/reviews/%3Cscript%3E").status_code == 404
    assert "<script>" not in staff.get("/staff/reviews/%3Cscript%3E").text
    nowhere = staff.get("/staff/nowhere")
    assert nowhere.status_code == 404 and "There is no page at this address." in nowhere.text
    assert staff.get("/staff/", follow_redirects=False).headers["location"] == "/staff"


# ---- Pledges, concerns, safeguarding ---------------------------------------------------------


def test_the_pledge_register_includes_withdrawn_pledges_with_their_date(staff):
    with unit_of_work() as session:
        signed = pledges.sign_pledge(
            session,
            pseudonym="web-org",
            channel="web",
            charter="wirral",
            kind="organisation",
            organisation="Wirral Council",
            representative="Asha Khan",
            representative_role="Director of SEND",
        )
        pledges.withdraw_pledge(session, "web-org", signed.pledge_id)
        pledges.sign_pledge(
            session, pseudonym="web-p", channel="web", charter="wirral", kind="parents_and_carers"
        )
    page = staff.get("/staff/pledges")
    assert page.status_code == 200
    [row] = Tables(page.text).tables["Organisations and services that signed (Wirral)"][1:]
    today = utcnow().date()
    assert row[0] == "Wirral Council" and row[2] == "Asha Khan"
    assert row[5] == f"Withdrawn on {today.day} {today:%B %Y}"
    assert "fewer than 5 from parents and carers" in page.text


def test_a_reply_is_queued_only_when_the_person_asked_for_one(staff):
    wanted, unwanted = raise_concern("web-a", True), raise_concern("web-b", False)
    queue = staff.get("/staff/concerns").text
    assert CONCERN_WORDS in queue and f'action="/staff/concerns/{wanted}/reply"' in queue
    assert "<dt>Principle</dt><dd>Value and include</dd>" in queue
    sent = post(staff, f"/staff/concerns/{wanted}/reply", text="We added a ramp.", back="open")
    assert sent.status_code == 303
    assert (
        "your reply is saved. It waits for them on Web chat"
        in staff.get(sent.headers["location"]).text
    )
    quiet = post(staff, f"/staff/concerns/{unwanted}/reply", text="Noted.", status="in_progress")
    assert "They did not ask for a reply" in staff.get(quiet.headers["location"]).text
    with unit_of_work() as session:
        [message] = concerns.take_messages(session, "web-a")
        assert "We added a ramp." in message
        assert concerns.take_messages(session, "web-b") == []
        first, second = session.get(Concern, wanted), session.get(Concern, unwanted)
        assert (first.status, first.reply) == ("resolved", "We added a ramp.")
        assert (second.status, second.reply) == ("in_progress", "Noted.")


def test_a_reply_on_telegram_is_sent_at_once_when_a_token_is_set(database, monkeypatch):
    from bot.channels import telegram

    pushed = []

    async def push_now(settings):
        pushed.append(settings.telegram_token)
        return 1

    monkeypatch.setattr(telegram.application, "push_now", push_now)
    add_account()
    concern = raise_concern("tg-person", True, channel="telegram")
    # No lifespan: the bridge is not started, so the reply is pushed as the CLI does.
    staff = TestClient(create_app(settings_for(database, telegram_token="123:ABC")))
    log_in(staff)
    sent = post(staff, f"/staff/concerns/{concern}/reply", text="We fixed it.")
    assert pushed == ["123:ABC"]
    assert "was sent to them on Telegram" in staff.get(sent.headers["location"]).text


@pytest.mark.parametrize(
    "path,fields,status,words",
    [
        ("/staff/concerns/{id}/reply", {"text": "   "}, 400, "Write a reply before sending it."),
        ("/staff/concerns/{id}/reply", {"text": "z" * 2001}, 400, "keep it to 2000 characters"),
        ("/staff/concerns/{id}/reply", {"text": "ok", "status": "new"}, 400, "Choose In progress"),
        ("/staff/concerns/abc/reply", {"text": "ok"}, 404, "There is no such concern."),
        ("/staff/concerns/999/reply", {"text": "ok"}, 404, "There is no concern #999."),
        ("/staff/concerns/{id}/status", {"status": "done"}, 400, "Choose a status"),
        ("/staff/concerns/999/status", {"status": "resolved"}, 404, "There is no concern #999."),
        ("/staff/safeguarding/x1/status", {"status": "new"}, 404, "no such safeguarding"),
        ("/staff/safeguarding/{id}/status", {"status": "gone"}, 400, "Choose a status"),
        ("/staff/safeguarding/{id}/mark", {"mark": "maybe"}, 400, "real concern or false alarm"),
        ("/staff/safeguarding/999/acknowledge", {}, 404, "no safeguarding message #999"),
    ],
)
def test_bad_queue_input_gets_a_clear_message_and_changes_nothing(
    staff, path, fields, status, words
):
    concern_id, flag_id = raise_concern(), flag()
    response = post(staff, path.format(id=concern_id), **fields)
    assert response.status_code == status and words in response.text
    with unit_of_work() as session:
        assert session.get(Concern, concern_id).status == "new"
        assert session.get(Concern, concern_id).reply is None
        assert session.get(SafeguardingFlag, flag_id).status == "new"


def test_a_too_long_reply_is_kept_on_the_page_to_shorten(staff):
    concern_id = raise_concern()
    response = post(staff, f"/staff/concerns/{concern_id}/reply", text="Sorry. " + "z" * 2001)
    assert response.status_code == 400 and 'aria-invalid="true"' in response.text
    assert "Sorry. zzz" in response.text


def test_concern_status_changes_and_the_queue_filter(staff):
    first, second = raise_concern("web-a"), raise_concern("web-b")
    changed = post(staff, f"/staff/concerns/{first}/status", status="resolved", back="all")
    assert changed.status_code == 303 and changed.headers["location"].startswith(
        "/staff/concerns?status=all&notice=status"
    )
    assert f"Concern #{first} is now: Resolved." in staff.get(changed.headers["location"]).text
    open_ids = re.findall(r'id="concern-(\d+)"', staff.get("/staff/concerns").text)
    assert open_ids == [str(second)]
    resolved = re.findall(r'id="concern-(\d+)"', staff.get("/staff/concerns?status=resolved").text)
    assert resolved == [str(first)]
    assert staff.get("/staff/concerns?status=bogus").status_code == 400


def test_safeguarding_messages_are_listed_and_their_status_changes(staff):
    flag_id = flag()
    page = staff.get("/staff/safeguarding").text
    assert FLAG_WORDS in page and "Severe: help given at once" in page
    # No address was set, and the page says so rather than implying someone was told.
    assert "No alert was sent" in page
    changed = post(staff, f"/staff/safeguarding/{flag_id}/status", status="in_progress")
    assert changed.status_code == 303
    assert f"Message #{flag_id} is now: In progress." in staff.get(changed.headers["location"]).text
    with unit_of_work() as session:
        assert session.get(SafeguardingFlag, flag_id).status == "in_progress"
    post(staff, f"/staff/safeguarding/{flag_id}/status", status="resolved")
    assert FLAG_WORDS not in staff.get("/staff/safeguarding").text
    assert FLAG_WORDS in staff.get("/staff/safeguarding?status=resolved").text


def test_a_flag_shows_why_it_was_raised_and_is_acknowledged_and_marked(staff):
    with unit_of_work() as session:
        flag_id = safeguarding.raise_flag(
            session,
            pseudonym="web-y",
            channel="telegram",
            charter="halton",
            message="he said he would hurt me",
            level="severe",
            cards=["threats-to-hurt-the-person"],
            score=0.87,
            detected_by="cards+classifier",
        ).id
        safeguarding.set_context(session, flag_id, "review KD7-M4P, question 2 (place)")
        [alert] = safeguarding.add_alerts(session, flag_id, "first", [("email", "duty@x.org")])
        safeguarding.claim_alert(session, alert.id, timedelta(minutes=2))
        safeguarding.alert_failed(session, alert.id, "ConnectionRefusedError")
    page = staff.get(f"/staff/safeguarding/{flag_id}").text
    assert "threats-to-hurt-the-person" in page and "0.87" in page
    assert "review KD7-M4P, question 2 (place)" in page
    assert "email to duty@x.org" in page and "Not sent yet (trying again)" in page
    assert "ConnectionRefusedError" in page
    done = post(staff, f"/staff/safeguarding/{flag_id}/acknowledge", single="1")
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/staff/safeguarding/{flag_id}?")
    assert "acknowledged. No second alert" in staff.get(done.headers["location"]).text
    post(staff, f"/staff/safeguarding/{flag_id}/mark", mark="real_concern")
    with unit_of_work() as session:
        saved = session.get(SafeguardingFlag, flag_id)
        assert saved.acknowledged_by == "jo.smith" and saved.status == "in_progress"
        assert saved.staff_mark == "real_concern" and saved.marked_by == "jo.smith"
    marks = staff.get("/staff/safeguarding/marks.jsonl")
    assert marks.headers["cache-control"] == "no-store"
    assert [json.loads(line) for line in marks.text.splitlines()] == [
        {"text": "he said he would hurt me", "label": 1, "source": "staff", "category": ""}
    ]
    assert "web-y" not in marks.text
    assert staff.get("/staff/safeguarding/999").status_code == 404


# ---- copro staff -----------------------------------------------------------------------------


def test_copro_staff_add_list_and_remove(database, capsys, monkeypatch):
    typed = iter(["a long enough password", "a long enough password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert main(["staff", "add", "Jo.Smith"]) == 0
    assert "Added the staff account Jo.Smith" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["staff", "add", "sam", "--password-stdin"]) == 0
    with unit_of_work() as session:
        login = accounts.verify_login(session, "SAM", "another long password")
        assert login.ok
    # The same name in another case, a short password, a bad name, two different passwords.
    monkeypatch.setattr("sys.stdin", io.StringIO("a third long password\n"))
    assert main(["staff", "add", "JO.SMITH", "--password-stdin"]) == 1
    assert "There is already an account called JO.SMITH." in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["staff", "add", "ann", "--password-stdin"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err
    assert main(["staff", "add", "ann smith"]) == 2
    typed = iter(["a long enough password", "a different password"])
    assert main(["staff", "add", "ann"]) == 2
    assert "not the same" in capsys.readouterr().err
    assert main(["staff", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Jo.Smith: added" in listed and "sam: added" in listed and "ann" not in listed
    assert "last login never" in listed and "last login 20" in listed
    assert main(["staff", "remove", "jo.smith"]) == 0
    assert main(["staff", "remove", "jo.smith"]) == 1
    assert "No staff account called jo.smith." in capsys.readouterr().err
    assert main(["staff", "list"]) == 0
    assert "Jo.Smith" not in capsys.readouterr().out


def test_copro_staff_commands_have_help(capsys):
    for command in ("--help", "add --help", "list --help", "remove --help"):
        with pytest.raises(SystemExit) as exit_:
            main(["staff", *command.split()])
        assert exit_.value.code == 0
    assert "--password-stdin" in capsys.readouterr().out


def test_a_refused_login_is_logged_without_the_name_or_password(client, caplog):
    caplog.set_level(logging.INFO)
    log_in(client, password="my secret guess")
    assert "A staff login was refused" in caplog.text
    assert "my secret guess" not in caplog.text and NAME not in caplog.text


def said_yes(code: str, people: list[str]) -> None:
    with unit_of_work() as session:
        review = repository.review_by_code(session, code)
        for response in review.responses:
            if response.respondent.pseudonym in people:
                updates.set_hear_back(session, response.id, True)


def test_you_said_we_did_goes_only_to_those_who_asked_and_shows_on_the_page(database, monkeypatch):
    from bot.channels import telegram

    pushed = []

    async def push_now(settings):
        pushed.append(settings.telegram_token)
        return 1

    monkeypatch.setattr(telegram.application, "push_now", push_now)
    add_account()
    code = six_people()
    # web-six-5 answered on Telegram; web-six-0 on the web chat; the others said nothing.
    said_yes(code, ["web-six-0", "web-six-5"])
    staff = TestClient(create_app(settings_for(database, telegram_token="123:ABC")))
    log_in(staff)
    page = staff.get(f"/staff/reviews/{code}").text
    assert "You said, we did" in page and "Nothing yet." in page
    sent = post(staff, f"/staff/reviews/{code}/update", text="We moved to a quieter room.")
    assert sent.status_code == 303 and pushed == ["123:ABC"]
    page = staff.get(sent.headers["location"]).text
    assert "It goes to the people who asked to hear back (fewer than 5)." in page
    assert "We moved to a quieter room." in page
    for person in ("web-six-0", "web-six-5"):
        with unit_of_work() as session:
            [message] = concerns.take_messages(session, person)
        assert "We moved to a quieter room." in message
    with unit_of_work() as session:
        assert concerns.take_messages(session, "web-six-1") == []
    assert (
        json.loads(staff.get(f"/staff/reviews/{code}/export.json").text)["reviews"][0][
            "you_said_we_did"
        ][0]["text"]
        == "We moved to a quieter room."
    )


@pytest.mark.parametrize(
    "path,text,status,words",
    [
        ("/staff/reviews/{code}/update", "   ", 400, "Write what you changed before saving it."),
        ("/staff/reviews/{code}/update", "z" * 2001, 400, "keep it to 2000 characters"),
        ("/staff/reviews/NOP-999/update", "ok", 404, "There is no review with the code NOP-999"),
        ("/staff/reviews/%3Cb%3E/update", "ok", 404, "There is no review with the code"),
    ],
)
def test_bad_you_said_we_did_input_gets_a_clear_message_and_sends_nothing(
    staff, path, text, status, words
):
    code = six_people()
    said_yes(code, ["web-six-0"])
    response = post(staff, path.format(code=code), text=text)
    assert response.status_code == status and words in response.text
    if status == 400:
        # What was typed stays in the box, to be shortened or written.
        assert 'aria-invalid="true"' in response.text
    with unit_of_work() as session:
        assert repository.review_by_code(session, code).updates == []
        assert concerns.take_messages(session, "web-six-0") == []


def test_the_ladder_gap_shows_as_in_the_export(staff):
    code = six_people()  # staff placed it at consulting: done for them (step 1)
    with unit_of_work() as session:
        review = repository.review_by_code(session, code)
        for response in review.responses:
            repository.record_answer(session, response.id, "ladder", "doing_with", "web")
    page = staff.get(f"/staff/reviews/{code}").text
    rows = dict(Tables(page).tables["Where families placed the work"][1:])
    assert rows == {
        "Done to them": "0",
        "Done for them": "0",
        "Done with them": "6",
        "Not sure": "0",
    }
    assert exported(code).ladder.gap == 1.0 and "<strong>+1.0</strong>" in page
    small = four_people()
    # A review too small to show has no ladder section at all.
    assert "Ladder gap" not in staff.get(f"/staff/reviews/{small}").text
