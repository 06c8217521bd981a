"""Attacks on the staff login and its sessions, each made to fail.

- Many logins at once: password checks (Argon2, 64 MiB each) never run more than
  the pool allows; the rest are asked to wait a minute.
- Many logins from one address, or for one name: slowed with a 429 and Retry-After.
- Wrong passwords for someone else's name: that name is paused from the
  attacker's address only; its owner still gets in from their own.
- A copied session cookie: it stops working at logout, when the password
  changes, when the account is removed, and 8 hours after the login.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
import time
from datetime import timedelta

import httpx
import pytest
from alembic import command
from alembic.config import Config
from itsdangerous import URLSafeTimedSerializer
from pyrate_limiter import Rate
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from bot.cli import main
from bot.server import create_app
from bot.settings import Settings
from bot.staff import accounts, login_guard, security, sessions
from bot.staff.web import login as staff_login
from bot.store import db
from bot.store.db import unit_of_work
from bot.store.models import utcnow
from bot.store.staff_models import StaffSession

SECRET = "staff-login-test-secret"
NAME, PASSWORD = "jo.smith", "correct horse battery staple"
WRONG = "not the password at all"


@pytest.fixture
def app(database):
    with unit_of_work() as session:
        accounts.add_account(session, NAME, PASSWORD)
    return create_app(Settings(secret_key=SECRET, database_url=database, rasa_url="http://rasa"))


def client_from(app, address: str) -> TestClient:
    return TestClient(app, base_url="http://testserver", client=(address, 50000))


def log_in(client, name: str = NAME, password: str = PASSWORD):
    client.get("/staff/login")
    form = {"csrftoken": client.cookies.get("csrftoken"), "username": name, "password": password}
    return client.post("/staff/login", data=form, follow_redirects=False)


def log_out(client):
    if client.cookies.get("csrftoken") is None:
        client.get("/staff/login")
    form = {"csrftoken": client.cookies.get("csrftoken")}
    return client.post("/staff/logout", data=form, follow_redirects=False)


def with_cookie(app, value: str, address: str = "10.9.9.9") -> TestClient:
    other = client_from(app, address)
    other.cookies.set(security.COOKIE, value, domain="testserver.local", path="/staff")
    return other


def is_in(client) -> bool:
    """Whether the client's cookie opens the dashboard (a page and a download)."""
    page = client.get("/staff", follow_redirects=False).status_code
    download = client.get("/staff/reviews/NONE-1/export.csv").status_code
    assert (page == 200) == (download != 401)
    return page == 200


@pytest.fixture
def hashes(monkeypatch):
    """Counts password checks: how many in all, and the most running at once."""
    real = accounts._matches
    seen = {"running": 0, "most": 0, "all": 0}
    lock = threading.Lock()

    def counted(password_hash: str, password: str) -> bool:
        with lock:
            seen["running"] += 1
            seen["all"] += 1
            seen["most"] = max(seen["most"], seen["running"])
        try:
            time.sleep(0.15)  # long enough for every request to arrive meanwhile
            return real(password_hash, password)
        finally:
            with lock:
                seen["running"] -= 1

    monkeypatch.setattr(accounts, "_matches", counted)
    return seen


def session_rows() -> list[StaffSession]:
    with unit_of_work() as session:
        return list(session.scalars(select(StaffSession)))


# ---- 1. Many logins at once ------------------------------------------------------------------


def test_32_logins_at_once_never_run_more_password_checks_than_the_pool(app, hashes):
    async def attempt(n: int) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(f"10.1.0.{n}", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            await c.get("/staff/login")
            form = {"csrftoken": c.cookies.get("csrftoken"), "username": f"guess{n}"}
            return await c.post("/staff/login", data={**form, "password": WRONG})

    async def everyone() -> list[httpx.Response]:
        return await asyncio.gather(*(attempt(n) for n in range(32)))

    answers = asyncio.run(everyone())
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {401, 429}
    assert hashes["most"] == login_guard.HASH_WORKERS
    # The pool took as many as it has places for; the others were asked to wait.
    places = login_guard.HASH_WORKERS + login_guard.HASH_WAITING
    assert statuses.count(401) == hashes["all"] <= places
    busy = [a for a in answers if a.status_code == 429]
    assert len(busy) >= 32 - places
    assert all(login_guard.BUSY in a.text and a.headers["retry-after"] == "60" for a in busy)
    assert login_guard.PASSWORD_CHECKS.taken == 0
    # Once the crowd has gone, logging in works again.
    assert log_in(client_from(app, "10.1.1.1")).status_code == 303


def test_the_pool_refuses_beyond_its_places_and_frees_them_when_checks_end():
    pool = login_guard.HashPool(workers=1, waiting=1)
    release = threading.Event()

    async def run() -> None:
        first = asyncio.ensure_future(pool.run(release.wait, 5))
        second = asyncio.ensure_future(pool.run(release.wait, 5))
        await asyncio.sleep(0.05)
        with pytest.raises(login_guard.Busy):
            await pool.run(release.wait, 5)
        # A request that gives up while its check runs keeps its place until the
        # check has ended; one still waiting gives its place up at once.
        first.cancel()
        await asyncio.sleep(0.05)
        assert pool.taken == 2
        second.cancel()
        await asyncio.sleep(0.05)
        assert pool.taken == 1
        release.set()
        for _ in range(100):
            if pool.taken == 0:
                break
            await asyncio.sleep(0.01)
        assert pool.taken == 0
        assert await pool.run(sum, [1, 2]) == 3

    asyncio.run(run())


# ---- 2. Many logins from one address, or for one name -----------------------------------------


def test_30_logins_with_different_names_from_one_address_are_slowed(app, hashes):
    client = client_from(app, "10.2.0.1")
    answers = [log_in(client, f"name{n}", WRONG) for n in range(30)]
    allowed = login_guard.PER_ADDRESS[0].limit
    assert [a.status_code for a in answers] == [401] * allowed + [429] * (30 - allowed)
    for slowed in answers[allowed:]:
        assert 1 <= int(slowed.headers["retry-after"]) <= 60
        assert "too many login attempts" in slowed.text
        assert "Please wait a minute and try again." in slowed.text
    assert hashes["all"] == allowed  # a slowed attempt costs no password check
    # Someone at another address is not slowed.
    assert log_in(client_from(app, "10.2.0.2")).status_code == 303


def test_an_ipv6_network_counts_as_one_address(app):
    answers = [
        log_in(client_from(app, f"2001:db8:1:2::{n:x}"), f"name{n}", WRONG) for n in range(12)
    ]
    assert [a.status_code for a in answers][-2:] == [429, 429]
    assert log_in(client_from(app, "2001:db8:1:3::1")).status_code == 303


def test_one_name_from_many_addresses_is_slowed_for_a_minute_at_most(app, hashes):
    answers = [log_in(client_from(app, f"10.3.0.{n}"), NAME, WRONG) for n in range(12)]
    allowed = login_guard.PER_NAME[0].limit
    assert [a.status_code for a in answers] == [401] * allowed + [429] * (12 - allowed)
    assert all(1 <= int(a.headers["retry-after"]) <= 60 for a in answers[allowed:])
    assert hashes["all"] == allowed


def test_guessing_a_name_from_many_addresses_never_keeps_its_owner_out(app):
    """The owner's browser has logged in before (its known-device cookie): the name's
    slowdown, which anyone who knows the name can bring on, does not hold it."""
    owner = client_from(app, "10.3.5.5")
    assert log_in(owner).status_code == 303
    assert security.KNOWN_COOKIE in owner.cookies
    assert log_out(owner).status_code == 303
    for n in range(login_guard.PER_NAME[0].limit + 2):
        log_in(client_from(app, f"10.3.6.{n}"), NAME, WRONG)
    # A new browser is slowed; the owner's is not.
    assert log_in(client_from(app, "10.3.7.1")).status_code == 429
    assert log_in(owner).status_code == 303 and is_in(owner)
    # The cookie names one account: it does not pass another name.
    assert log_in(owner, "someone.else", WRONG).status_code in (401, 429)
    forged = client_from(app, "10.3.7.2")
    forged.cookies.set(security.KNOWN_COOKIE, "jo.smith", domain="testserver.local", path="/staff")
    assert log_in(forged).status_code == 429


def test_the_name_slowdown_ends_by_itself(app):
    app.state.login_guard = login_guard.LoginGuard(per_name=[Rate(3, 2000)])
    for n in range(3):
        assert log_in(client_from(app, f"10.4.0.{n}"), NAME, WRONG).status_code == 401
    owner = client_from(app, "10.4.1.1")
    slowed = log_in(owner)
    assert slowed.status_code == 429
    time.sleep(int(slowed.headers["retry-after"]))
    assert log_in(owner).status_code == 303


# ---- 3. Nobody can lock someone else out -----------------------------------------------------


def test_an_attackers_wrong_passwords_never_lock_the_owner_out(app, hashes):
    attacker = client_from(app, "10.5.0.66")
    for _ in range(login_guard.MAX_FAILED):
        refused = log_in(attacker, NAME, WRONG)
        assert refused.status_code == 401 and staff_login.LOGIN_FAILED in refused.text
    with unit_of_work() as session:  # the record of wrong passwords is kept
        assert accounts.find(session, NAME).failed_logins == login_guard.MAX_FAILED
    # From the attacker's address the name is paused, even with the right password ...
    checked = hashes["all"]
    paused = log_in(attacker, NAME, PASSWORD)
    assert paused.status_code == 429 and security.COOKIE not in paused.cookies
    assert 14 * 60 < int(paused.headers["retry-after"]) <= 15 * 60
    assert "logging in with this name from here is paused" in paused.text
    assert "Please wait 15 minutes and try again." in paused.text
    assert hashes["all"] == checked  # and no password was checked
    # ... but the owner, at their own address, gets straight in.
    owner = client_from(app, "10.5.0.7")
    assert log_in(owner).status_code == 303 and is_in(owner)
    with unit_of_work() as session:
        assert accounts.find(session, NAME).failed_logins == 0
    # An unknown name is paused just the same: no hint of which names exist.
    attacker = client_from(app, "10.5.0.67")
    for _ in range(login_guard.MAX_FAILED):
        assert log_in(attacker, "nobody", WRONG).status_code == 401
    unknown = log_in(attacker, "NOBODY", WRONG)
    assert unknown.status_code == 429 and "from here is paused" in unknown.text


def test_a_success_clears_the_count_and_the_pause_ends(app):
    app.state.login_guard = login_guard.LoginGuard(
        # Long enough for five password checks at the tests' hashing cost on a busy
        # machine, short enough to wait out.
        per_address=[Rate(100, 60_000)],
        per_name=[Rate(100, 60_000)],
        lock_for=timedelta(seconds=5),
    )
    client = client_from(app, "10.6.0.1")
    for _ in range(login_guard.MAX_FAILED - 1):
        assert log_in(client, NAME, WRONG).status_code == 401
    assert log_in(client).status_code == 303
    for _ in range(login_guard.MAX_FAILED):
        assert log_in(client, NAME.upper(), WRONG).status_code == 401
    paused = log_in(client)
    assert paused.status_code == 429 and 1 <= int(paused.headers["retry-after"]) <= 5
    time.sleep(int(paused.headers["retry-after"]))
    assert log_in(client).status_code == 303


# ---- 4. Sessions the server can end ----------------------------------------------------------


def test_the_cookie_carries_only_the_signed_id_of_a_session_in_the_store(app):
    client = client_from(app, "10.7.0.1")
    value = log_in(client).cookies[security.COOKIE]
    data = URLSafeTimedSerializer(SECRET, salt=security.SESSION_SALT).loads(value)
    assert set(data) == {"session"} and len(data["session"]) >= 40
    [row] = session_rows()
    assert row.id == hashlib.sha256(data["session"].encode()).hexdigest()
    assert row.ended_at is None and row.created_at is not None and row.last_seen_at is not None


def test_logging_out_ends_the_session_for_every_copy_of_the_cookie(app):
    client = client_from(app, "10.8.0.1")
    copied = log_in(client).cookies[security.COOKIE]
    elsewhere = with_cookie(app, copied)
    assert is_in(client) and is_in(elsewhere)
    response = log_out(client)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login?out=1"
    assert not is_in(client)
    assert not is_in(elsewhere)
    assert not is_in(with_cookie(app, copied, "10.8.0.2"))
    [row] = session_rows()
    assert row.ended_at is not None
    # Logging out again, or with no session at all, is harmless.
    assert log_out(elsewhere).status_code == 303
    assert log_out(client_from(app, "10.8.0.3")).status_code == 303


def test_logging_out_ends_only_that_session(app):
    first, second = client_from(app, "10.9.0.1"), client_from(app, "10.9.0.2")
    assert log_in(first).status_code == 303 and log_in(second).status_code == 303
    log_out(first)
    assert not is_in(first) and is_in(second)


def test_when_the_store_cannot_end_the_session_logging_out_says_so(app, monkeypatch):
    client = client_from(app, "10.10.0.1")
    log_in(client)

    def broken(*args):
        raise OperationalError("UPDATE staff_session", {}, Exception("gone"))

    monkeypatch.setattr(staff_login, "_end_session", broken)
    response = log_out(client)
    assert response.status_code == 503 and staff_login.LOGOUT_UNFINISHED in response.text
    assert security.COOKIE not in client.cookies  # logged out here at least


def test_a_new_password_or_removing_the_account_ends_every_session(app, capsys):
    one, two = client_from(app, "10.11.0.1"), client_from(app, "10.11.0.2")
    log_in(one), log_in(two)
    with unit_of_work() as session:
        accounts.find(session, NAME).password_hash = accounts.HASHER.hash("a brand new password")
    assert not is_in(one) and not is_in(two)
    assert all(row.ended_at is not None for row in session_rows())
    assert log_in(one, password="a brand new password").status_code == 303 and is_in(one)
    copied = with_cookie(app, one.cookies[security.COOKIE])
    assert main(["staff", "remove", NAME]) == 0
    assert "Its sessions have ended." in capsys.readouterr().out
    assert not is_in(one) and not is_in(copied)
    assert session_rows() == []


def test_a_session_ends_8_hours_after_the_login_whatever_its_cookie_says(app):
    with unit_of_work() as session:
        account_id = accounts.find(session, NAME).id
        stale = sessions.start(session, account_id, utcnow() - timedelta(hours=9))
        old = sessions.start(session, account_id, utcnow() - timedelta(hours=8, minutes=1))
    # A freshly signed cookie cannot stretch a session past its 8 hours.
    fresh = with_cookie(app, security.session_value(app.state.settings, old))
    assert not is_in(fresh)
    client = client_from(app, "10.12.0.1")
    assert log_in(client).status_code == 303 and is_in(client)
    ended = {row.id: row.ended_at for row in session_rows()}
    key = {name: hashlib.sha256(name.encode()).hexdigest() for name in (stale, old)}
    assert ended[key[old]] is not None  # ended when it was used
    assert ended[key[stale]] is not None  # ended at the next login, though never used
    assert sum(when is None for when in ended.values()) == 1  # the new one


def test_bad_input_to_the_login_form_gets_a_kind_answer(app):
    client = client_from(app, "10.13.0.1")
    for name, password in [("", ""), ("x" * 500, "y"), (NAME, "p" * 5000), ("<b>jo</b>", "\x00")]:
        response = log_in(client, name, password)
        assert response.status_code in (401, 413)
        assert "Traceback" not in response.text
    assert log_in(client_from(app, "10.13.0.2")).status_code == 303


def test_copro_staff_list_still_works(app, capsys):
    for _ in range(login_guard.MAX_FAILED):
        log_in(client_from(app, "10.14.0.1"), NAME, WRONG)
    assert main(["staff", "list"]) == 0
    listed = capsys.readouterr().out
    assert "jo.smith: added" in listed and "locked" not in listed


# ---- The migration ---------------------------------------------------------------------------


def test_the_sessions_migration_goes_up_and_down_keeping_staff_links(tmp_path):
    url = f"sqlite:///{tmp_path / 'steps.db'}"
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    engine = db.engine_for(url)

    def move(step, target: str) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, target)

    def tables_and_columns() -> tuple[set[str], list[str]]:
        found = inspect(engine)
        return set(found.get_table_names()), [c["name"] for c in found.get_columns("staff_account")]

    try:
        move(command.upgrade, "0008")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO staff_account (username, password_hash, failed_logins, "
                    "locked_until, created_at) VALUES ('jo', 'h', 2, '2026-12-01', '2026-12-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO quality_assessment (charter, organisation, organisation_key, "
                    "assessed_on, created_at, staff_account_id) "
                    "VALUES ('wokingham', 'Org', 'org', '2026-12-01', '2026-12-01', 1)"
                )
            )
        move(command.upgrade, "0009")
        tables, columns = tables_and_columns()
        assert "staff_session" in tables and "locked_until" not in columns
        with engine.connect() as connection:
            indexes = [
                row[1] for row in connection.execute(text("PRAGMA index_list(staff_account)"))
            ]
            assert "staff_account_username_any_case" in indexes
        move(command.downgrade, "0008")
        tables, columns = tables_and_columns()
        assert "staff_session" not in tables and "locked_until" in columns
        with engine.connect() as connection:
            linked = connection.execute(text("SELECT staff_account_id FROM quality_assessment"))
            assert linked.scalar_one() == 1
            account = connection.execute(text("SELECT username, failed_logins FROM staff_account"))
            assert account.one() == ("jo", 2)
    finally:
        engine.dispose()


def test_copro_staff_add_makes_an_account_that_can_log_in(app, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["staff", "add", "sam", "--password-stdin"]) == 0
    assert log_in(client_from(app, "10.16.0.1"), "sam", "another long password").status_code == 303
