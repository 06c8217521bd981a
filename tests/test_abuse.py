"""bot.server under abuse: a real server, in its own process, sent what attackers send.

The server starts as ``copro run`` and the container start it
(``bot.cli.server_command``: uvicorn with bot.serving's timeouts) on a free port
of 127.0.0.1, on SQLite, with Telegram's webhook on (a stand-in Bot API runs
in this process) and no Rasa: the chat answers from its safety check and keeps
messages while Rasa is away.

To add an attack, take the ``server`` fixture (a ``RunningServer``: its ``url``,
``pid``, ``database_url`` and log) and ``peak_growth_mb`` to measure memory.
Every test here shares one server, so the last test checks that it still
answers after everything before it.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from bot.cli import server_command, service_env
from bot.content import channel_message
from bot.request_limits import BODY_SECONDS
from bot.serving import HEAD_SECONDS
from bot.store.db import upgrade
from tests.e2e import ROOT, free_port
from tests.test_telegram import SECRET, TOKEN, StandInBotApi, serving

# One server for the whole file, in its own process: in the end-to-end tier
# (`make test`), not `make test-fast`.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("abuse-server")]

HUGE = 300 * 1024 * 1024  # bytes in each oversized body
CHUNK = 64 * 1024
# How much the server's memory may grow while it refuses a 300 MB body. Refused
# while read, a body costs a few socket buffers; read whole, as before the
# limits, one such body grew the server by 300 MB or more.
MAX_GROWTH_MB = 64
# A refused body stops being read at once: what the client got into the
# connection before that is socket buffers, never the 300 MB.
MAX_SENT_BEFORE_REFUSAL = 32 * 1024 * 1024
# A slow client is cut off within its timeout and this much more.
GRACE_SECONDS = 3.0
STARTUP_SECONDS = 180

TELEGRAM = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"}
BODY_PATHS = {"/api/chat": {"content-type": "application/json"}, "/telegram/webhook": TELEGRAM}


@dataclass
class RunningServer:
    """bot.server in its own process."""

    url: str
    process: subprocess.Popen
    log: Path
    database_url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        return parts.hostname or "127.0.0.1", parts.port or 80

    def memory_mb(self, field: str = "VmRSS") -> float:
        """A memory figure of the server's process from /proc (VmRSS now, VmHWM the peak)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
        raise AssertionError(f"no {field} for process {self.pid}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def peak_growth_mb(server: RunningServer, attack: Callable[[], object]) -> tuple[object, float]:
    """Run ``attack``; what it returned, and how far the server's peak memory rose above its start.

    Writing 5 to /proc/PID/clear_refs sets the peak (VmHWM) back to the memory in use now.
    """
    Path(f"/proc/{server.pid}/clear_refs").write_text("5")
    before = server.memory_mb("VmRSS")
    result = attack()
    time.sleep(0.3)  # let the server finish with what it was sent
    return result, server.memory_mb("VmHWM") - before


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("abuse")
    database_url = f"sqlite:///{folder / 'copro.db'}"
    upgrade(database_url)
    api = StandInBotApi()
    port = free_port()
    log = folder / "server.log"
    base = {k: v for k, v in os.environ.items() if not k.startswith("COPRO_")}
    env = service_env(
        {
            **base,
            "COPRO_SECRET_KEY": "abuse-test-secret-key-1234567890",
            "COPRO_DATABASE_URL": database_url,
            "COPRO_TRACKER_URL": f"sqlite:///{folder / 'tracker.db'}",
            "COPRO_SPOOL_PATH": str(folder / "spool.db"),
            # Nothing listens there: Rasa is away.
            "COPRO_RASA_URL": f"http://127.0.0.1:{free_port()}",
            "COPRO_TELEGRAM_TOKEN": TOKEN,
            "COPRO_TELEGRAM_SECRET": SECRET,
        }
    )
    with serving(api.app) as api_address:
        env["COPRO_TELEGRAM_API_URL"] = f"{api_address}/bot"
        with log.open("wb") as out:
            process = subprocess.Popen(
                server_command("127.0.0.1", port),
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        running = RunningServer(f"http://127.0.0.1:{port}", process, log, database_url)
        try:
            _wait_until_up(running)
            yield running
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_up(server: RunningServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"bot.server stopped while starting:\n{server.log_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"bot.server did not start in {STARTUP_SECONDS}s:\n{server.log_text()[-3000:]}")


# ---- A client that sends what it likes ---------------------------------------------------


@dataclass
class Answer:
    status: int | None  # None: the server closed without answering
    head: str
    body: bytes
    sent: int  # body bytes the client got into the connection
    seconds: float  # from the first byte sent to the answer (or the close)


def _head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def raw_request(
    server: RunningServer, head: bytes, body: Iterable[bytes] = (), wait: float = 10.0
) -> Answer:
    """Send ``head``, then ``body`` piece by piece until the server answers or closes."""
    started = time.monotonic()
    sent = 0
    received = b""
    with socket.create_connection(server.address, timeout=wait) as sock:
        try:
            sock.sendall(head)
            for piece in body:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered (or closed): stop sending
                sock.sendall(piece)
                sent += len(piece)
        except OSError:
            pass  # closed under us: the answer may already be waiting
        deadline = time.monotonic() + wait
        try:
            while time.monotonic() < deadline:
                data = sock.recv(65536)
                if not data:
                    break
                received += data
                if _complete(received):
                    break
        except OSError:
            pass
    seconds = time.monotonic() - started
    head_text, _, rest = received.partition(b"\r\n\r\n")
    text = head_text.decode("latin-1")
    status = int(text.split()[1]) if text.startswith("HTTP/1.1 ") else None
    return Answer(status, text, rest, sent, seconds)


def _complete(received: bytes) -> bool:
    head, found, rest = received.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return len(rest) >= int(value)
    return True


def _pieces(total: int = HUGE) -> Iterator[bytes]:
    piece = b"x" * CHUNK
    for _ in range(total // CHUNK):
        yield piece


def _chunked(total: int = HUGE) -> Iterator[bytes]:
    for piece in _pieces(total):
        yield b"%x\r\n" % len(piece) + piece + b"\r\n"
    yield b"0\r\n\r\n"


# ---- Huge bodies -----------------------------------------------------------------------------


def _from_a_generator(server: RunningServer, path: str) -> Answer:
    """httpx sends a generator as a chunked body, as a script would."""
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        for piece in _pieces():
            sent += len(piece)
            yield piece

    started = time.monotonic()
    try:
        response = httpx.post(
            f"{server.url}{path}", content=body(), headers=BODY_PATHS[path], timeout=30
        )
    except httpx.HTTPError:
        return Answer(None, "", b"", sent, time.monotonic() - started)
    head = "\r\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return Answer(response.status_code, head, response.content, sent, time.monotonic() - started)


def _chunked_by_hand(server: RunningServer, path: str) -> Answer:
    headers = {**BODY_PATHS[path], "Transfer-Encoding": "chunked"}
    return raw_request(server, _head(path, headers), _chunked())


def _says_300_mb(server: RunningServer, path: str) -> Answer:
    """Content-Length says 300 MB: refused before any of it is read."""
    headers = {**BODY_PATHS[path], "Content-Length": str(HUGE)}
    return raw_request(server, _head(path, headers), _pieces())


def _says_less_than_it_sends(server: RunningServer, path: str) -> Answer:
    """Content-Length says 4,000 bytes; 300 MB follow."""
    headers = {**BODY_PATHS[path], "Content-Length": "4000"}
    return raw_request(server, _head(path, headers), _pieces())


HUGE_BODIES = {
    "generator": (_from_a_generator, {413}),
    "chunked": (_chunked_by_hand, {413}),
    "content-length-300MB": (_says_300_mb, {413}),
    # The server takes the 4,000 bytes it was promised (not JSON: 400), then
    # refuses the rest as a broken request.
    "content-length-lie": (_says_less_than_it_sends, {400}),
}


@pytest.mark.parametrize("how", HUGE_BODIES)
@pytest.mark.parametrize("path", BODY_PATHS)
def test_a_300_mb_body_is_refused_while_it_is_read(server, path, how):
    send, statuses = HUGE_BODIES[how]
    answer, growth = peak_growth_mb(server, lambda: send(server, path))
    print(f"{path} {how}: {answer.status}, {answer.sent / 2**20:.1f} MB sent, +{growth:.1f} MB")
    assert answer.status in statuses, answer.head
    assert answer.sent < MAX_SENT_BEFORE_REFUSAL
    assert growth < MAX_GROWTH_MB, f"the server grew by {growth:.0f} MB"
    if path == "/api/chat" and answer.status == 413:
        assert channel_message("too_long", limit=1000).encode() in answer.body


# ---- JSON nested deep --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b"[" * 1000 + b"]" * 1000, b'{"text": ' + b"[" * 1000 + b"]" * 1000 + b"}"]
)
@pytest.mark.parametrize("path", BODY_PATHS)
def test_json_nested_1000_deep_gets_a_400_not_a_500(server, path, body):
    response = httpx.post(f"{server.url}{path}", content=body, headers=BODY_PATHS[path])
    assert response.status_code == 400
    if path == "/api/chat":
        assert response.json()["messages"][0]["text"] == channel_message("bad_request")


# ---- Slow clients --------------------------------------------------------------------------


def _wait_for_close(server: RunningServer, sent: bytes) -> Answer:
    """Send ``sent`` and then nothing: the server must close the connection."""
    return raw_request(server, sent, wait=HEAD_SECONDS + BODY_SECONDS + 30)


SLOW = {
    # Half a request line and headers, then nothing.
    "half-head": (b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty", HEAD_SECONDS, 408),
    # Whole headers, half the body they promised, then nothing.
    "half-body": (
        _head("/api/chat", {"content-type": "application/json", "Content-Length": "100"})
        + b'{"text": "hel',
        BODY_SECONDS,
        408,
    ),
    # A connection that never says anything.
    "silent": (b"", HEAD_SECONDS, None),
}


def test_a_slow_client_is_disconnected_within_its_timeout(server):
    with ThreadPoolExecutor(len(SLOW)) as pool:
        answers = dict(
            zip(SLOW, pool.map(lambda s: _wait_for_close(server, s[0]), SLOW.values()), strict=True)
        )
    for name, (_, limit, status) in SLOW.items():
        answer = answers[name]
        assert answer.seconds < limit + GRACE_SECONDS, f"{name}: open {answer.seconds:.1f}s"
        assert answer.status == status, f"{name}: {answer.head!r}"
    assert channel_message("too_slow").encode() in answers["half-body"].body


# ---- What a person's browser keeps ---------------------------------------------------------------


def test_answers_about_a_person_are_never_cached(server):
    with httpx.Client(base_url=server.url, timeout=60) as browser:
        for response in (
            browser.get("/api/my-data"),
            browser.post("/api/chat", json={"text": "hello"}),
            browser.post("/api/waiting", json={}),
        ):
            assert response.headers["cache-control"] == "no-store", response.url


def _session_cookie(response: httpx.Response) -> str:
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith("copro_session")]
    return cookie.lower()


def test_the_session_cookie_ends_with_the_browser_unless_the_person_keeps_it(server):
    with httpx.Client(base_url=server.url, timeout=60) as browser:
        cookie = _session_cookie(browser.get("/api/my-data"))
        assert "max-age" not in cookie and "expires" not in cookie
        kept = browser.post("/api/keep-signed-in", json={"keep": True})
        assert kept.json() == {"keep": True}
        assert "max-age=2592000" in _session_cookie(kept)
        assert "max-age=2592000" in _session_cookie(browser.get("/api/my-data"))
        not_kept = browser.post("/api/keep-signed-in", json={"keep": False})
        assert not_kept.json() == {"keep": False}
        assert "max-age" not in _session_cookie(not_kept)


# ---- Last: nothing was lost ------------------------------------------------------------------


# ---- Staff logins ----------------------------------------------------------------------------

STAFF_NAME, STAFF_PASSWORD = "jo.smith", "correct horse battery staple"
# Password checks run two at a time (Argon2 at 64 MiB each): 32 logins at once stay
# near that, where before the pool they took the server up by 1.5 GB.
MAX_LOGIN_GROWTH_MB = 200


@pytest.fixture(scope="module")
def staff_account(server) -> str:
    from bot.staff import accounts
    from bot.store.db import engine_for, unit_of_work

    with unit_of_work(engine_for(server.database_url)) as session:
        accounts.add_account(session, STAFF_NAME, STAFF_PASSWORD)
    return STAFF_NAME


@pytest.fixture(scope="module")
def owner(server, staff_account) -> httpx.Client:
    """The account's owner, in the browser they logged in with before any attack."""
    client = _staff_client(server, "127.0.9.9")
    assert _log_in(client, staff_account, STAFF_PASSWORD).status_code == 303
    return client


def _staff_client(server: RunningServer, address: str) -> httpx.Client:
    """A browser at ``address`` (any 127.x.y.z reaches the server), its CSRF cookie set."""
    transport = httpx.HTTPTransport(local_address=address)
    client = httpx.Client(base_url=server.url, transport=transport, timeout=120)
    client.get("/staff/login")
    return client


def _log_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    form = {"csrftoken": client.cookies.get("csrftoken"), "username": name, "password": password}
    return client.post("/staff/login", data=form, follow_redirects=False)


def test_32_logins_at_once_keep_the_server_small(server, staff_account, owner):
    clients = [_staff_client(server, f"127.0.1.{n + 1}") for n in range(32)]

    def attack() -> list[int]:
        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = pool.map(lambda c: _log_in(c, staff_account, "wrong password"), clients)
            return [a.status_code for a in answers]

    codes, growth = peak_growth_mb(server, attack)
    assert set(codes) <= {401, 429} and 401 in codes, codes
    assert growth < MAX_LOGIN_GROWTH_MB, f"grew {growth:.0f} MB"


def test_30_names_in_a_row_from_one_address_are_slowed(server, staff_account):
    client = _staff_client(server, "127.0.2.1")
    codes = [_log_in(client, f"name{n}", "wrong password").status_code for n in range(30)]
    assert codes[0] == 401 and codes[-10:] == [429] * 10


def test_an_attacker_cannot_lock_the_owner_out(server, staff_account, owner):
    """After 32 wrong logins above and more here, the owner's own browser gets in."""
    attacker = _staff_client(server, "127.0.3.66")
    for _ in range(6):
        assert _log_in(attacker, staff_account, "wrong password").status_code in (401, 429)
    assert _log_in(attacker, staff_account, STAFF_PASSWORD).status_code == 429
    assert _log_in(owner, staff_account, STAFF_PASSWORD).status_code == 303


def test_a_copied_staff_cookie_stops_working_at_logout(server, staff_account, owner):
    assert _log_in(owner, staff_account, STAFF_PASSWORD).status_code == 303
    copied = httpx.Client(base_url=server.url, timeout=60)
    copied.cookies.set("copro_staff", owner.cookies.get("copro_staff"), path="/staff")
    assert copied.get("/staff", follow_redirects=False).status_code == 200
    form = {"csrftoken": owner.cookies.get("csrftoken")}
    assert owner.post("/staff/logout", data=form, follow_redirects=False).status_code == 303
    assert copied.get("/staff", follow_redirects=False).status_code != 200


def test_a_vertical_tab_in_you_said_we_did_never_breaks_the_xlsx_export(
    server, staff_account, owner
):
    from bot.store import repository
    from bot.store.db import engine_for, unit_of_work

    with unit_of_work(engine_for(server.database_url)) as session:
        repository.create_review(session, "VTB-234", "Tab meeting", "wirral", None, None)
    staff = owner
    assert _log_in(staff, staff_account, STAFF_PASSWORD).status_code == 303
    form = {"csrftoken": staff.cookies.get("csrftoken"), "text": "We moved\x0b rooms"}
    sent = staff.post("/staff/reviews/VTB-234/update", data=form, follow_redirects=False)
    assert sent.status_code == 303
    workbook = staff.get("/staff/reviews/VTB-234/export.xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    page = staff.get("/staff/reviews/VTB-234").text
    assert "We moved rooms" in page and "\x0b" not in page


@pytest.mark.parametrize(
    "env", [{"COPRO_ENV": "prod"}, {"COPRO_ENV": "production", "COPRO_SECRET_KEY": "a"}]
)
def test_a_mistaken_setting_stops_the_server_with_a_clear_message(env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("COPRO_")}
    started = subprocess.run(
        server_command("127.0.0.1", free_port()),
        env=service_env({**base, **env}),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "COPRO_ENV" in started.stderr or "COPRO_SECRET_KEY" in started.stderr


def test_after_every_attack_a_message_still_gets_an_answer(server):
    response = httpx.post(f"{server.url}/api/chat", json={"text": "hello"}, timeout=60)
    assert response.status_code == 200
    assert response.json()["messages"][0]["text"]
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 555, "type": "private"},
            "from": {"id": 555, "is_bot": False, "first_name": "A"},
            "text": "hello",
        },
    }
    webhook = httpx.post(
        f"{server.url}/telegram/webhook", json=update, headers=TELEGRAM, timeout=60
    )
    assert webhook.status_code == 200
    assert server.process.poll() is None
    assert "Exception in ASGI application" not in server.log_text()
