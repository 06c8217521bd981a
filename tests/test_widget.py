"""The web chat widget in a real browser: Debian's Chromium, driven by Playwright, checked by axe.

bot.server runs in a thread on a free port and talks to the real Rasa and action
servers (tests/e2e.py). Screenshots and axe results go to var/results/widget/.
"""

from __future__ import annotations

import base64
import json
import re
import select
import shutil
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner
from pyrate_limiter import Duration, Rate
from sqlalchemy import text

from bot.channels.inbound import pseudonym
from bot.channels.limits import ChatLimits
from bot.channels.web.symbols import (
    LEFT_AS_TEXT,
    SYMBOLS_DIR,
    WIDGET_JS,
    button_symbols,
    file_key,
    shipped,
    symbol_key,
)
from bot.content import get_pack
from bot.server import create_app
from bot.settings import Settings
from bot.store.db import engine_for
from tests.conftest import in_ci
from tests.e2e import MODEL, ROOT, free_port, running_stack
from tests.test_e2e import answers_of

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("widget")]

SECRET = "widget-e2e-secret"
RESULTS = ROOT / "var" / "results" / "widget"
QUESTIONS = get_pack("wirral").questions
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
STATES = [
    "closed",
    "open-empty",
    "keep-signed-in",
    "mid-review",
    "large-text",
    "high-contrast",
    "large-text-high-contrast",
    "finished",
]
ANSWER_VALUES = {"Yes": "yes", "A bit": "partly", "No": "no", "Not sure": "unsure"}
# How long bot.server may take to start: it loads the safety check first, which takes
# half a minute on a busy 2-core machine.
SERVER_START_SECONDS = 120

# A stand-in for the browser's speech synthesis: what was spoken, and how often it was stopped.
SPEECH_RECORDER = """
window.__spoken = [];
window.__stopped = 0;
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: {
    speaking: false,
    speak: function (u) { window.__spoken.push({ text: u.text, lang: u.lang }); },
    cancel: function () { window.__stopped += 1; },
    pause: function () {}, resume: function () {}, getVoices: function () { return []; }
  }
});
"""

# What a screen reader would announce, by the ARIA rules: text added inside a live
# region, unless an aria-live="off" or aria-hidden part sits between.
ANNOUNCEMENTS = """
window.__announced = [];
(function () {
  function politeness(node) {
    for (var n = node; n && n.nodeType === 1; n = n.parentElement) {
      var live = n.getAttribute("aria-live");
      if (live) { return live; }
      var role = n.getAttribute("role");
      if (role === "log" || role === "status") { return "polite"; }
      if (role === "alert") { return "assertive"; }
    }
    return "off";
  }
  function spoken(node) {
    if (node.nodeType === 3) { return node.data; }
    if (node.nodeType !== 1 || node.hidden || node.getAttribute("aria-hidden") === "true" ||
        node.getAttribute("aria-live") === "off") { return ""; }
    return Array.prototype.map.call(node.childNodes, spoken).join("");
  }
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        var start = node.nodeType === 1 ? node : node.parentElement;
        if (politeness(start) === "off") { return; }
        var words = spoken(node).trim();
        if (words) { window.__announced.push(words); }
      });
    });
  }).observe(document, { childList: true, subtree: true });
})();
"""


# ---- The browser, the stack and the server --------------------------------------------------


def chromium_path() -> str:
    """Debian's Chromium; missing means a skip on a laptop and a failure in CI."""
    found = next(
        (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).exists()),
        None,
    )
    if found:
        return found
    message = "Chromium is missing: `make test` installs Debian's chromium package."
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci():
            pytest.fail("Playwright is missing: install the dev extra.")
        pytest.skip("Playwright is missing: install the dev extra.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("No trained model: run `make test`, which trains first.")
    with running_stack(tmp_path_factory.mktemp("widget-stack")) as running:
        yield running


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread, on a free port; its address."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws="none", log_level="warning", lifespan="on"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("bot.server did not start")
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def server(stack) -> Iterator[str]:
    """bot.server with uvicorn in a thread, on a free port, talking to the real stack."""
    app = create_app(
        Settings(
            secret_key=SECRET,
            rasa_url=stack.rasa_url,
            database_url=stack.database_url,
            tracker_url=stack.tracker_url,
        )
    )
    # A test answers a whole review in seconds, which a person never does; the
    # limits themselves are tested in tests/test_web_chat.py.
    app.state.limits = ChatLimits([Rate(1000, Duration.MINUTE)], [Rate(5000, Duration.MINUTE)])
    with serving(app) as url:
        yield url


class Watched:
    """A page, and everything that went wrong in it."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def new_page(browser, bypass_csp: bool = False, **options) -> Watched:
    context = browser.new_context(
        viewport=options.pop("viewport", {"width": 1280, "height": 800}),
        locale="en-GB",
        bypass_csp=bypass_csp,
        **options,
    )
    context.add_init_script(SPEECH_RECORDER)
    context.add_init_script(ANNOUNCEMENTS)
    return Watched(context.new_page())


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    page = new_page(browser)
    yield page
    page.page.context.close()
    # No script error and no Content-Security-Policy refusal (an inline style or script).
    assert page.errors == []
    assert page.dialogs == []


# ---- Helpers ---------------------------------------------------------------------------------


def poll(page, function: str, seconds: float = 5) -> None:
    """Wait until ``function`` is true (wait_for_function needs eval, which the CSP forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(function):
        if time.monotonic() > deadline:
            pytest.fail(f"Still false after {seconds}s: {function}")
        page.wait_for_timeout(50)


def settle(page) -> None:
    """Wait for any opening animation to end, so checks see the final colours."""
    poll(page, "() => document.getAnimations().every(a => a.playState !== 'running')")


def load(page, url: str) -> None:
    page.goto(url)
    shown = ".copro:not([hidden]) .copro-launcher:not([hidden]), .copro:not([hidden]) #copro-panel"
    page.locator(shown).first.wait_for(state="visible")


def bot_texts(page) -> list[str]:
    return page.eval_on_selector_all(
        "#copro-log .copro-msg--bot .copro-text",
        "nodes => nodes.map(n => n.textContent.replace(/^Companion says: /, ''))",
    )


def all_texts(page) -> list[str]:
    return page.eval_on_selector_all(
        "#copro-log .copro-text", "nodes => nodes.map(n => n.textContent)"
    )


def choice_words(page) -> list[str]:
    return page.eval_on_selector_all(
        ".copro-choice-list button .copro-word", "nodes => nodes.map(n => n.textContent)"
    )


def wait_reply(page) -> None:
    page.locator("#copro-log[aria-busy='false']").wait_for(state="attached", timeout=90_000)


def press(page, word: str) -> None:
    """Click the offered choice with this word and wait for the assistant's reply."""
    page.locator(".copro-choice-list button", has_text=word).first.click()
    wait_reply(page)


def open_chat(page) -> None:
    page.get_by_role("button", name="Open chat").click()
    page.locator("#copro-panel").wait_for(state="visible")
    settle(page)


def open_settings(page) -> None:
    """Show the chat's settings: one "Settings" button holds them all."""
    toggle = page.get_by_role("button", name="Settings", exact=True)
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def review_step(new: str, words: list[str], pick: Callable[[int], str]) -> str | None:
    """The word to press next in a review, or None at the end."""
    if "That is the end" in new:
        return None
    question = re.findall(r"Question (\d+) of \d+", new)
    if question and int(question[-1]) <= len(QUESTIONS):
        return pick(int(question[-1]))
    if "tell us more" in new:
        return "Next"
    assert words, f"No choices offered after: {new!r}"
    return words[0]  # who is answering, age: the first offered


def review_until_end(page, pick: Callable[[int], str], step: Callable[[str], None]) -> None:
    """Answer every question with ``pick(number)``; ``step`` presses a word."""
    seen = 0
    new = "\n".join(bot_texts(page))
    for _ in range(60):
        word = review_step(new, choice_words(page), pick)
        if word is None:
            return
        seen = len(bot_texts(page))
        step(word)
        new = "\n".join(bot_texts(page)[seen:])
    pytest.fail(f"The review did not end: {bot_texts(page)[-3:]}")


def start_review(page) -> None:
    """From an open, empty chat to the first question."""
    press(page, "Review a meeting")
    for _ in range(5):
        if re.search(r"Question 1 of \d+", "\n".join(bot_texts(page))):
            return
        press(page, choice_words(page)[0])  # who is answering, age
    pytest.fail(f"No first question: {bot_texts(page)[-3:]}")


def sender_of(page) -> str:
    """The pseudonym Rasa and the store know this browser by (from the signed cookie)."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == "copro_session"]
    data = TimestampSigner(SECRET).unsign(cookie["value"].encode())
    session_id = json.loads(base64.b64decode(data))["sid"]
    return pseudonym(SECRET, "web", session_id)


def focus_ring(page) -> dict:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
    )


def focused_word(page) -> str:
    return page.evaluate(
        """() => { const a = document.activeElement;
        const w = a && a.querySelector('.copro-word');
        return w ? w.textContent : (a ? a.id || a.tagName : ''); }"""
    )


def tab_to(page, word: str, limit: int = 40) -> None:
    """Press Tab until the control with this word has focus; every stop shows a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        ring = focus_ring(page)
        assert ring["style"] == "solid" and ring["width"] >= 3, (focused_word(page), ring)
        if focused_word(page) == word:
            return
    pytest.fail(f"Tab never reached {word!r}")


def shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{name}.png"))


# ---- Accessibility in every state (axe-core) ---------------------------------------------


@pytest.fixture(scope="module")
def journey(browser, server) -> dict:
    """Walk through every state once; axe results (or the error that stopped the walk)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    results: dict = {}
    watched = new_page(browser)
    page = watched.page

    def check(state: str) -> None:
        page.mouse.move(1, 1)  # no hover colours in the pictures
        settle(page)
        shot(page, state)
        found = axe.run(page, options=AXE_OPTIONS)
        found.save_to_file(RESULTS / f"axe-{state}.json", violations_only=True)
        results[state] = found

    try:
        load(page, server)
        check("closed")
        open_chat(page)
        check("open-empty")
        open_settings(page)
        page.get_by_role("button", name="Keep me signed in on this device").click()
        page.locator(".copro-keep-status", has_text="signed out").wait_for()
        check("keep-signed-in")
        page.get_by_role("button", name="Go back").click()
        start_review(page)
        check("mid-review")
        for _ in range(4):
            page.get_by_role("button", name="Bigger text").click()
        assert page.locator(".copro-size").text_content() == "Text size: 200%"
        check("large-text")
        page.get_by_role("button", name="High contrast").click()
        check("large-text-high-contrast")
        for _ in range(4):
            page.get_by_role("button", name="Smaller text").click()
        check("high-contrast")
        page.get_by_role("button", name="High contrast").click()
        review_until_end(page, lambda n: "Yes", lambda word: press(page, word))
        check("finished")
    except Exception as error:  # noqa: BLE001 - reported by each state's test below
        results["error"] = error
    finally:
        results["page errors"] = watched.errors + watched.dialogs
        page.context.close()
    return results


@pytest.mark.parametrize("state", STATES)
def test_no_wcag_a_or_aa_violations(journey, state):
    if state not in journey:
        pytest.fail(f"The walk stopped before {state}: {journey.get('error')!r}")
    found = journey[state]
    assert found.violations_count == 0, found.generate_report()


def test_the_walk_through_every_state_had_no_script_errors(journey):
    assert "error" not in journey
    assert journey["page errors"] == []


# ---- Keyboard, focus and announcements ----------------------------------------------------


def test_a_whole_review_with_the_keyboard_only(watched, server, stack):
    page = watched.page
    load(page, server)
    tab_to(page, "Open chat")
    page.keyboard.press("Enter")
    settle(page)
    # Opening moves focus to the place to answer: the first choice.
    assert focused_word(page) == "Review a meeting"
    page.keyboard.press("Enter")
    wait_reply(page)
    words = list(ANSWER_VALUES)
    chosen: dict[int, str] = {}

    def pick(number: int) -> str:
        chosen[number] = words[number % len(words)]
        return chosen[number]

    def step(word: str) -> None:
        # Focus stays in the answer area: the first new choice already has it.
        if focused_word(page) != word:
            tab_to(page, word)
        page.keyboard.press("Space" if word in ANSWER_VALUES else "Enter")
        wait_reply(page)

    review_until_end(page, pick, step)
    assert "That is the end" in "\n".join(bot_texts(page))
    assert sorted(chosen) == list(range(1, len(QUESTIONS) + 1))
    saved = answers_of(stack, sender_of(page))
    assert {q: a.value for q, a in saved.items()} == {
        question.id: ANSWER_VALUES[chosen[number]]
        for number, question in enumerate(QUESTIONS, start=1)
    }
    shot(page, "keyboard-finished")


def test_focus_stays_where_it_was_when_a_reply_comes(watched, server):
    page = watched.page
    load(page, server)
    open_chat(page)
    page.get_by_label("Your message").fill("what is co-production")
    page.get_by_label("Your message").press("Enter")
    wait_reply(page)
    assert page.evaluate("document.activeElement.id") == "copro-message"
    page.locator(".copro-simpler").focus()  # the widget's own (the assistant may offer one too)
    page.keyboard.press("Enter")
    wait_reply(page)
    assert focused_word(page) == "Say it more simply"


def test_only_the_assistants_new_messages_are_announced(watched, server):
    page = watched.page
    load(page, server)
    open_chat(page)
    assert page.get_attribute("#copro-log", "role") == "log"
    assert page.get_attribute("#copro-log", "aria-live") == "polite"
    page.get_by_label("Your message").fill("hello there")
    page.get_by_label("Your message").press("Enter")
    wait_reply(page)
    press(page, choice_words(page)[0])
    announced = page.evaluate("window.__announced")
    expected = [f"Companion says: {said}".strip() for said in bot_texts(page)]
    assert announced == expected
    assert not any("You said" in a or "Read aloud" in a for a in announced)
    # A reload shows the same conversation without announcing it again.
    page.reload()
    page.locator("#copro-panel").wait_for(state="visible")
    assert bot_texts(page) == [e.removeprefix("Companion says: ") for e in expected]
    assert page.evaluate("window.__announced") == []


# ---- Safety -------------------------------------------------------------------------------


def test_markup_typed_in_is_shown_as_text_and_never_run(browser, server):
    # Without the CSP, so this checks the rendering itself, not only the policy.
    watched = new_page(browser, bypass_csp=True)
    page = watched.page
    attack = "<img src=x onerror=alert(1)>"
    try:
        load(page, server)
        open_chat(page)
        page.get_by_label("Your message").fill(attack)
        page.get_by_label("Your message").press("Enter")
        wait_reply(page)
        assert f"You said: {attack}" in all_texts(page)
        page.reload()
        page.locator("#copro-panel").wait_for(state="visible")
        assert f"You said: {attack}" in all_texts(page)
        # The only pictures are the buttons' own symbols, from the widget's folder.
        sources = page.eval_on_selector_all(".copro img", "imgs => imgs.map(i => i.src)")
        assert sources and all(s.startswith(f"{server}/static/symbols/") for s in sources)
        assert page.locator(".copro-text img").count() == 0
        assert watched.dialogs == []
        assert watched.errors == []  # not even a request for the image "x"
        shot(page, "markup-as-text")
    finally:
        page.context.close()


# ---- Settings: size, contrast, motion, reading aloud ----------------------------------------


def test_text_grows_to_200_percent_and_more_and_the_chat_still_fits(watched, server):
    page = watched.page
    page.set_viewport_size({"width": 1024, "height": 768})
    load(page, server)
    open_chat(page)
    start_review(page)

    def text_size() -> float:
        return page.eval_on_selector(
            ".copro-msg--bot .copro-text", "n => parseFloat(getComputedStyle(n).fontSize)"
        )

    normal = text_size()
    open_settings(page)
    bigger = page.get_by_role("button", name="Bigger text")
    while page.get_attribute(".copro-btn:has-text('Bigger text')", "aria-disabled") != "true":
        bigger.click()
    assert page.locator(".copro-size").text_content() == "Text size: 250%"
    assert text_size() >= 2.5 * normal
    # Nothing is cut off sideways: the panel and its choices fit the screen.
    fits = page.evaluate(
        """() => { const p = document.getElementById('copro-panel');
        const inside = [...p.querySelectorAll('button, input')].every(b => {
          const r = b.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; });
        return p.scrollWidth <= p.clientWidth + 1 && inside; }"""
    )
    assert fits
    page.reload()
    page.locator("#copro-panel").wait_for(state="visible")
    assert page.locator(".copro-size").text_content() == "Text size: 250%"


def test_high_contrast_is_a_toggle_that_is_kept_and_follows_the_system(browser, server):
    watched = new_page(browser)
    page = watched.page
    try:
        load(page, server)
        open_chat(page)
        open_settings(page)
        toggle = page.get_by_role("button", name="High contrast")
        assert toggle.get_attribute("aria-pressed") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-pressed") == "true"
        colours = page.eval_on_selector(
            "#copro-panel", "p => [getComputedStyle(p).backgroundColor, getComputedStyle(p).color]"
        )
        assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
        page.reload()
        page.locator("#copro-panel").wait_for(state="visible")
        open_settings(page)
        assert page.get_by_role("button", name="High contrast").get_attribute("aria-pressed") == (
            "true"
        )
        assert watched.errors == []
    finally:
        page.context.close()
    system = new_page(browser)
    try:
        system.page.emulate_media(contrast="more")
        load(system.page, server)
        assert system.page.get_attribute(".copro", "data-theme") == "contrast"
    finally:
        system.page.context.close()


@pytest.mark.parametrize("motion,animation", [("reduce", "none"), ("no-preference", "copro-open")])
def test_the_panel_only_moves_for_people_who_have_not_asked_for_less(
    browser, server, motion, animation
):
    watched = new_page(browser, reduced_motion=motion)
    page = watched.page
    try:
        load(page, server)
        page.get_by_role("button", name="Open chat").click()
        name = page.eval_on_selector("#copro-panel", "p => getComputedStyle(p).animationName")
        assert name == animation
    finally:
        page.context.close()


def test_each_message_can_be_read_aloud_and_stopped(watched, server):
    page = watched.page
    load(page, server)
    open_chat(page)
    press(page, "Say hello")
    greeting = bot_texts(page)[-1]
    page.locator(".copro-msg--bot").last.get_by_role("button", name="Read aloud").click()
    [spoken] = page.evaluate("window.__spoken")
    assert spoken["lang"] == "en-GB"
    # The words of the message, without its symbols (👋 is not read out as "waving hand").
    assert "👋" in greeting
    assert spoken["text"].split() == [w for w in greeting.split() if any(c.isalnum() for c in w)]
    open_settings(page)
    page.get_by_role("button", name="Stop reading").click()
    assert page.evaluate("window.__stopped") >= 2  # before speaking, and now
    # Read new messages: each new message of the assistant is read as it comes.
    page.get_by_role("button", name="Read new messages").click()
    before = len(bot_texts(page))
    press(page, choice_words(page)[0])
    new = bot_texts(page)[before:]
    spoken_now = [s["text"] for s in page.evaluate("window.__spoken")[1:]]
    assert len(spoken_now) == len(new) >= 1


# ---- Buttons ----------------------------------------------------------------------------------


def test_every_button_shows_a_symbol_and_a_word(watched, server):
    page = watched.page
    load(page, server)
    open_chat(page)
    start_review(page)
    assert choice_words(page)[:4] == ["Yes", "A bit", "No", "Not sure"]
    # The symbol is a picture (see the tests below) or, when the set has none, text.
    labels = page.eval_on_selector_all(
        ".copro button",
        """nodes => nodes.map(b => {
            const symbol = b.querySelector('.copro-symbol[aria-hidden=true]');
            return {
              symbol: symbol ? (symbol.querySelector('img') ? 'picture' : symbol.textContent) : '',
              word: (b.querySelector('.copro-word') || {}).textContent || ''};
        })""",
    )
    assert len(labels) > 15
    assert all(label["symbol"].strip() and label["word"].strip() for label in labels), labels
    # The accessible name is the word.
    page.get_by_role("button", name="A bit", exact=True).wait_for()


def test_say_it_more_simply_sends_the_simpler_button(watched, server):
    page = watched.page
    load(page, server)
    open_chat(page)
    with page.expect_request("**/api/chat") as sent:
        page.get_by_role("button", name="Say it more simply").click()
    assert sent.value.post_data_json == {"payload": "/simpler"}
    wait_reply(page)
    assert "You said: 🔤 Say it more simply" in all_texts(page)
    assert bot_texts(page)


# ---- Symbols that look the same on every phone (OpenMoji pictures) -----------------------------

# The picture each button's symbol is drawn with, by the button's word.
PICTURE_OF = {
    "Open chat": "1F4AC.svg",  # 💬
    "Settings": "2699.svg",  # ⚙️
    "Close chat": "2716.svg",  # ✖️
    "Bigger text": "1F520.svg",  # 🔠
    "Smaller text": "1F521.svg",  # 🔡
    "High contrast": "1F313.svg",  # 🌓
    "Read new messages": "1F5E3.svg",  # 🗣️
    "Stop reading": "23F9.svg",  # ⏹️
    "Start again": "1F504.svg",  # 🔄
    "Yes, start again": "2705.svg",  # ✅
    "No, go back": "21A9.svg",  # ↩️
    "Keep me signed in on this device": "1F512.svg",  # 🔒
    "Yes, keep me signed in": "2705.svg",  # ✅
    "No, sign me out when I close": "274C.svg",  # ❌
    "Go back": "21A9.svg",  # ↩️
    "Read aloud": "1F50A.svg",  # 🔊
    "Say it more simply": "1F524.svg",  # 🔤
    "Send": "1F4E8.svg",  # 📨
    "Review a meeting": "1F4DD.svg",  # 📝
    "Say hello": "1F44B.svg",  # 👋
    "Yes": "2705.svg",  # ✅
    "A bit": "1F90F.svg",  # 🤏
    "No": "274C.svg",  # ❌
    "Not sure": "1F937.svg",  # 🤷
    "Skip": "23ED.svg",  # ⏭️
    "Next": "27A1.svg",  # ➡️
}

# Every button on screen: its word, its symbol, and the picture drawn for the symbol.
SHOWN_BUTTONS = """() => [...document.querySelectorAll('.copro button')]
  .filter(b => b.getClientRects().length > 0)
  .map(b => {
    const symbol = b.querySelector('.copro-symbol');
    const img = symbol && symbol.querySelector('img');
    return {
      word: (b.querySelector('.copro-word') || {}).textContent || '',
      symbol: symbol ? symbol.getAttribute('data-symbol') : null,
      hidden: symbol ? symbol.getAttribute('aria-hidden') : null,
      src: img ? new URL(img.src).pathname : null,
      alt: img ? img.getAttribute('alt') : null,
      loaded: img ? img.complete && img.naturalWidth > 0 : null,
      emojiLeft: /[\\p{Extended_Pictographic}\\u{FE0F}]/u.test(b.innerText),
      height: img ? img.getBoundingClientRect().height : null,
      fontSize: parseFloat(getComputedStyle(b).fontSize),
    };
  })"""

ALL_PICTURES_LOADED = """() => [...document.querySelectorAll('.copro img')]
  .filter(i => i.getClientRects().length > 0).every(i => i.complete)"""


def shown_buttons(page) -> list[dict]:
    """The buttons on screen now; each one's word is a button's accessible name now."""
    poll(page, ALL_PICTURES_LOADED)
    shown = page.evaluate(SHOWN_BUTTONS)
    for button in shown:
        named = page.get_by_role("button", name=button["word"], exact=True)
        assert named.count() >= 1, f"no button is named {button['word']!r}"
    return shown


def test_every_button_shows_its_symbol_as_the_shipped_picture_and_keeps_its_word(watched, server):
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 844})
    load(page, server)
    seen = shown_buttons(page)  # the chat is closed: Open chat
    open_chat(page)
    seen += shown_buttons(page)  # Review a meeting, Say hello
    start_review(page)  # Yes, A bit, No, Not sure, Skip
    seen += shown_buttons(page)
    press(page, "Yes")  # Next
    seen += shown_buttons(page)
    open_settings(page)
    page.get_by_role("button", name="Start again").click()
    seen += shown_buttons(page)
    page.get_by_role("button", name="Keep me signed in on this device").click()
    page.locator(".copro-keep-status", has_text="signed out").wait_for()
    seen += shown_buttons(page)

    assert set(PICTURE_OF) <= {button["word"] for button in seen}
    files = shipped()
    for button in seen:
        where = f"{button['word']!r} ({button['symbol']})"
        assert button["word"].strip(), where
        # The symbol is hidden from screen readers; the word is the button's name (checked
        # as each was shown).
        assert button["hidden"] == "true", where
        expected = PICTURE_OF.get(button["word"]) or files[symbol_key(button["symbol"])]
        assert button["src"] == f"/static/symbols/{expected}", where
        assert button["loaded"], f"{where}: the picture did not load"
        assert button["alt"] == "", where
        assert not button["emojiLeft"], f"{where}: an emoji is still shown as text"
        # Sized in em: it grows with the button's text.
        assert button["height"] >= button["fontSize"], where
    shot(page, "symbols")


def test_the_symbols_grow_with_the_text_and_stay_clear_in_high_contrast(watched, server):
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 844})
    load(page, server)
    open_chat(page)
    settings = page.get_by_role("button", name="Settings", exact=True)

    def picture_height() -> float:
        return page.eval_on_selector(
            ".copro-settings-button img", "i => i.getBoundingClientRect().height"
        )

    normal = picture_height()
    set_text_size(page, 200)
    assert picture_height() >= 1.9 * normal
    open_settings(page)
    page.get_by_role("button", name="High contrast").click()
    # Black outlines stay visible on black: each picture sits on a white tile, and the
    # words and the focus ring look as on any other button.
    tile = page.eval_on_selector(
        ".copro-settings-button img", "i => getComputedStyle(i).backgroundColor"
    )
    assert tile == "rgb(255, 255, 255)"
    word_colour = page.eval_on_selector(
        ".copro-settings-button .copro-word", "w => getComputedStyle(w).color"
    )
    assert word_colour == "rgb(255, 255, 0)"
    settings.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = focus_ring(page)
    assert focused_word(page) == "Settings"
    assert ring["style"] == "solid" and ring["width"] >= 3, ring
    page.mouse.move(1, 1)
    settle(page)
    shot(page, "symbols-high-contrast")


def test_a_symbol_without_a_picture_stays_as_text(watched, server):
    page = watched.page
    offered = {
        "messages": [
            {
                "text": "Pick one.",
                "buttons": [
                    {"title": "🦄 Unicorn", "payload": "/greet"},
                    {"title": "✅ Yes", "payload": "/affirm"},
                ],
            }
        ]
    }
    page.route("**/api/chat", lambda route: route.fulfill(status=200, json=offered))
    load(page, server)
    open_chat(page)
    press(page, "Say hello")
    unicorn = page.locator(".copro-choice-list button", has_text="Unicorn")
    assert unicorn.locator(".copro-symbol").text_content() == "🦄"
    assert unicorn.locator(".copro-symbol").get_attribute("aria-hidden") == "true"
    assert unicorn.locator("img").count() == 0
    page.get_by_role("button", name="Unicorn", exact=True).wait_for()
    yes = page.locator(".copro-choice-list button", has_text="Yes")
    assert yes.locator("img").get_attribute("src").endswith("/static/symbols/2705.svg")


def test_every_button_symbol_has_a_picture_or_is_left_as_text_on_purpose():
    """domain.yml, the widget's WORDS, the actions and the channel messages (no browser)."""
    found = button_symbols()
    # Where the symbols are found: each source counts.
    assert {"✅", "🤏", "❌", "🤷", "⏭️", "➡️", "🧑\u200d🏫"} <= set(found)  # domain.yml
    assert {"💬", "⚙️", "✖️", "🔠", "🔊", "🔤", "🔄", "📨"} <= set(found)  # widget.js
    assert {"🏢", "👥", "🔹"} <= set(found)  # actions
    # Short, and each with its reason (see bot/channels/web/symbols.py).
    assert len(LEFT_AS_TEXT) <= 5 and all(LEFT_AS_TEXT.values())
    files = shipped()
    without = {
        symbol: where
        for symbol, where in found.items()
        if symbol_key(symbol) not in files and symbol not in LEFT_AS_TEXT
    }
    assert without == {}, "button symbols with no picture in static/symbols/"
    # Only what the buttons use is kept, and the widget lists exactly those files.
    used = {symbol_key(symbol) for symbol in found}
    assert set(files) <= used, sorted(set(files) - used)
    listed = re.search(r"var SYMBOL_FILES = \[([^\]]*)\];", WIDGET_JS.read_text()).group(1)
    assert sorted(re.findall(r'"([0-9A-F-]+)"', listed)) == sorted(
        name.removesuffix(".svg") for name in files.values()
    )
    # The picture for a symbol is named as OpenMoji names it.
    assert files[symbol_key("⚙️")] == "2699.svg" and file_key("2699") == symbol_key("⚙️")
    assert files[symbol_key("🧑\u200d🏫")] == "1F9D1-200D-1F3EB.svg"


def test_the_symbol_files_are_plain_svg_pictures():
    names = {path.name for path in SYMBOLS_DIR.iterdir()}
    assert names - {"LICENSE", "README.md"} == set(shipped().values())
    for path in SYMBOLS_DIR.glob("*.svg"):
        svg = path.read_text(encoding="utf-8")
        assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg, path.name
        # Nothing that runs, nothing fetched from elsewhere.
        assert not re.search(r"<script|href=|url\(|\son\w+=", svg), path.name


def test_the_symbols_licence_names_openmoji_and_cc_by_sa_4():
    licence = (SYMBOLS_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "OpenMoji" in licence and "https://openmoji.org/" in licence
    assert "CC BY-SA 4.0" in licence
    assert "Attribution-ShareAlike 4.0 International" in licence  # the full text
    readme = (SYMBOLS_DIR / "README.md").read_text(encoding="utf-8")
    [licence_version] = set(re.findall(r"OpenMoji, version (\d+\.\d+\.\d+)", licence))
    assert f"OpenMoji](https://openmoji.org/) {licence_version}" in readme


# ---- Close, reopen, reload, start again ----------------------------------------------------


def test_close_in_one_step_and_reopen_where_it_was(watched, server):
    page = watched.page
    load(page, server)
    open_chat(page)
    start_review(page)
    transcript = all_texts(page)
    # The choices are in the conversation: focusing one scrolls to it, so focus first.
    page.locator(".copro-choice-list button", has_text="A bit").focus()
    page.eval_on_selector("#copro-log", "log => { log.scrollTop = 10; }")
    assert page.eval_on_selector("#copro-log", "log => log.scrollTop") == 10
    page.keyboard.press("Escape")
    assert page.locator("#copro-panel").is_hidden()
    assert focused_word(page) == "Open chat"
    page.keyboard.press("Enter")
    assert all_texts(page) == transcript
    assert page.eval_on_selector("#copro-log", "log => log.scrollTop") == 10
    assert focused_word(page) == "A bit"
    page.get_by_role("button", name="Close chat").click()
    assert page.locator("#copro-panel").is_hidden()
    assert page.get_by_role("button", name="Open chat").get_attribute("aria-expanded") == "false"


def session_cookie_expiry(page) -> float:
    """When the chat's cookie ends: -1 for a browser-session cookie, else a Unix time."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == "copro_session"]
    return cookie["expires"]


def test_keep_me_signed_in_is_a_choice_and_off_until_chosen(watched, server):
    page = watched.page
    load(page, server)
    open_chat(page)
    press(page, "Say hello")
    # A shared computer: the cookie ends when the browser closes.
    assert session_cookie_expiry(page) == -1
    sender = sender_of(page)

    # With the keyboard, from the top of the chat: the settings open, then Tab.
    page.get_by_role("button", name="Settings", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Close chat").focus()
    tab_to(page, "Keep me signed in on this device")
    page.keyboard.press("Enter")
    keep = page.get_by_role("button", name="Keep me signed in on this device")
    assert keep.get_attribute("aria-expanded") == "true"
    panel = page.locator("#copro-keep")
    assert "your own phone or computer" in panel.text_content()
    status = page.locator(".copro-keep-status")
    status.filter(has_text="You are signed out when the browser closes.").wait_for()
    assert status.get_attribute("role") == "status"
    yes = page.get_by_role("button", name="Yes, keep me signed in")
    no = page.get_by_role("button", name="No, sign me out when I close")
    assert (yes.get_attribute("aria-pressed"), no.get_attribute("aria-pressed")) == (
        "false",
        "true",
    )

    yes.click()
    status.filter(has_text="You stay signed in on this device.").wait_for()
    assert yes.get_attribute("aria-pressed") == "true"
    assert session_cookie_expiry(page) > time.time() + 29 * 24 * 3600
    # Still the same person, and every later answer keeps the choice.
    assert sender_of(page) == sender
    page.keyboard.press("Escape")
    assert panel.is_hidden() and focused_word(page) == "Keep me signed in on this device"
    page.locator("#copro-message").fill("thank you")
    page.locator("#copro-message").press("Enter")
    wait_reply(page)
    assert session_cookie_expiry(page) > time.time() + 29 * 24 * 3600

    keep.click()
    status.filter(has_text="You stay signed in on this device.").wait_for()
    no.click()
    status.filter(has_text="You are signed out when the browser closes.").wait_for()
    assert session_cookie_expiry(page) == -1
    assert sender_of(page) == sender


def test_reload_carries_on_the_review_and_start_again_begins_afresh(watched, server, stack):
    page = watched.page
    load(page, server)
    open_chat(page)
    start_review(page)
    press(page, "Yes")
    press(page, "Next")
    assert "Question 2 of" in bot_texts(page)[-1]
    transcript = all_texts(page)
    page.reload()
    page.locator("#copro-panel").wait_for(state="visible")
    assert all_texts(page) == transcript
    press(page, "No")
    sender = sender_of(page)
    saved = answers_of(stack, sender)
    assert (saved[QUESTIONS[0].id].value, saved[QUESTIONS[1].id].value) == ("yes", "no")

    open_settings(page)
    page.get_by_role("button", name="Start again").click()
    page.get_by_role("button", name="Yes, start again").click()
    page.locator("#copro-log .copro-msg").first.wait_for(state="detached")
    assert all_texts(page) == []
    assert choice_words(page) == ["Review a meeting", "Say hello"]
    assert focused_word(page) == "Review a meeting"
    kept = json.loads(page.evaluate("sessionStorage.getItem('copro-chat')"))
    assert kept["messages"] == []
    # The same person (their answers stay theirs), in a new conversation with Rasa.
    assert sender_of(page) == sender
    with engine_for(stack.tracker_url).connect() as connection:
        restarts = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'restart'"),
            {"s": sender},
        ).scalar()
    assert restarts == 1
    assert set(answers_of(stack, sender)) >= {QUESTIONS[0].id, QUESTIONS[1].id}


def test_no_time_limit_ends_the_chat(watched, server):
    page = watched.page
    page.clock.install()
    load(page, server)
    open_chat(page)
    start_review(page)
    page.clock.run_for("03:00:00")
    assert page.locator("#copro-panel").is_visible()
    assert re.search(r"Question 1 of \d+", "\n".join(bot_texts(page)))
    press(page, "Yes")
    assert "tell us more" in bot_texts(page)[-1]


@pytest.mark.parametrize("failure", ["down", "no network"])
def test_when_the_assistant_cannot_answer_a_kind_message_shows_and_the_choices_stay(
    browser, server, failure
):
    watched = new_page(browser)
    page = watched.page
    failing = False

    def fail(route) -> None:
        if not failing:
            route.continue_()
        elif failure == "no network":
            route.abort()
        else:
            kind = {"messages": [{"text": "Sorry, I can't answer right now 😔", "buttons": []}]}
            route.fulfill(status=503, json=kind)

    try:
        # Routed from the start, so the browser sends every request by way of the
        # handler and the failure begins exactly when it is switched on.
        page.route("**/api/chat", fail)
        load(page, server)
        open_chat(page)
        start_review(page)
        offered = choice_words(page)
        page.locator(".copro-choice-list button", has_text="A bit").focus()
        earlier = len(bot_texts(page))
        failing = True
        page.keyboard.press("Enter")
        wait_reply(page)
        said = bot_texts(page)[earlier:]
        assert said and said[0].startswith("Sorry, I can't answer right now 😔"), said
        if failure == "no network":  # the widget's own words carry the help line
            assert "call 999. Childline is free: 0800 1111" in said[0]
        assert choice_words(page) == offered
        assert focused_word(page) == "A bit"  # the same button, and it works again
        failing = False
        page.keyboard.press("Enter")
        wait_reply(page)
        assert "tell us more" in bot_texts(page)[-1]
    finally:
        page.context.close()
    # The failed request itself is logged by the browser; nothing else went wrong.
    assert [e for e in watched.errors if "Failed to load resource" not in e] == []


def test_a_review_link_opens_the_chat_at_that_review(browser, server):
    watched = new_page(browser)
    page = watched.page
    try:
        with page.expect_request("**/api/chat") as sent:
            page.goto(f"{server}/?code=ZZZ-999")
        payload = sent.value.post_data_json["payload"]
        assert payload.startswith("/start_review{")
        assert json.loads(payload.removeprefix("/start_review")) == {"review_code": "ZZZ-999"}
        page.locator("#copro-panel").wait_for(state="visible")
        wait_reply(page)
        assert bot_texts(page)
        # Opened by the link, not by the person: focus is left where the page put it.
        assert page.evaluate("document.activeElement === document.body")
    finally:
        page.context.close()
    assert watched.errors == []


def test_a_reply_from_staff_is_shown_when_the_person_comes_back(watched, server, stack):
    from bot.store import concerns
    from bot.store.db import engine_for, unit_of_work

    page = watched.page
    load(page, server)
    open_chat(page)
    press(page, "Say hello")
    sender = sender_of(page)
    with unit_of_work(engine_for(stack.database_url)) as session:
        concerns.queue_message(
            session,
            sender,
            "web",
            "concern_reply",
            "📬 A reply about your concern: we fixed the ramp.",
        )
    load(page, server)  # the next visit: the chat opens where it was
    poll(page, "() => document.querySelector('.copro-log').textContent.includes('fixed the ramp')")
    assert any("we fixed the ramp" in text for text in bot_texts(page))
    # Shown once: another visit does not repeat it.
    load(page, server)
    settle(page)
    assert sum("fixed the ramp" in text for text in bot_texts(page)) == 1


def test_the_public_pledge_register_page_has_no_wcag_a_or_aa_violations(watched, server, stack):
    from axe_playwright_python.sync_playwright import Axe

    from bot.store import pledges
    from bot.store.db import engine_for, unit_of_work

    with unit_of_work(engine_for(stack.database_url)) as session:
        pledges.sign_pledge(
            session,
            pseudonym="web-axe",
            channel="web",
            charter="birmingham",
            kind="organisation",
            organisation="Birmingham Children's Trust",
            representative="Asha Khan",
            representative_role="Director of SEND",
        )
    page = watched.page
    page.goto(f"{server}/pledges")
    assert page.get_by_role("heading", level=1).text_content().startswith("Who has signed")
    assert page.get_by_role("table").first.is_visible()
    shot(page, "pledge-register")
    found = Axe().run(page, options=AXE_OPTIONS)
    found.save_to_file(RESULTS / "axe-pledge-register.json", violations_only=True)
    assert found.violations_count == 0, found.generate_report()
    assert watched.errors == []


# ---- The staff dashboard ---------------------------------------------------------------------

STAFF_NAME, STAFF_PASSWORD = "axe.tester", "a long staff password"
QUALITY_ORG = "Wokingham SEND Team"


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory) -> Iterator[str]:
    """bot.server alone on a free port: the staff dashboard needs no Rasa.

    One account, a review answered by 6 people (so that its results show), a
    concern, a safeguarding message, a pledge and a quality indicators self-assessment.
    """
    import uvicorn

    from bot.staff import accounts, quality
    from bot.store import concerns, pledges, repository, safeguarding
    from bot.store.db import unit_of_work, upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('staff') / 'copro.db'}"
    upgrade(url)
    with unit_of_work(engine_for(url)) as session:
        accounts.add_account(session, STAFF_NAME, STAFF_PASSWORD)
        review = repository.create_review(
            session, "AXE-234", "Short breaks workshop", "wirral", "co-designing", "2026-11-20"
        )
        for n in range(6):
            ref = repository.start_or_resume(session, review, f"web-axe-{n}", "web")
            repository.set_profile(session, f"web-axe-{n}", "web", role="parent_carer")
            values = ["yes", "no" if n < 2 else "yes", "partly"]
            for question, value in zip(QUESTIONS[:3], values, strict=True):
                repository.record_answer(session, ref.response_id, question.id, value, "web")
            repository.record_answer(session, ref.response_id, "ladder", "doing_with", "web")
        concerns.raise_concern(
            session,
            pseudonym="web-axe-0",
            channel="web",
            charter="wirral",
            about="The transport meeting",
            what_happened="The room had no ramp.",
            principle="value_and_include",
            wants_reply=True,
        )
        safeguarding.raise_flag(
            session,
            pseudonym="web-axe-1",
            channel="web",
            charter="wirral",
            message="im scared",
            detected_by="rules",
            level="severe",
        )
        pledges.sign_pledge(
            session,
            pseudonym="web-axe-2",
            channel="web",
            charter="wirral",
            kind="organisation",
            organisation="Wirral Council",
            representative="Asha Khan",
            representative_role="Director of SEND",
        )
        quality.save_assessment(
            session,
            "wokingham",
            QUALITY_ORG,
            "2025-03-01",
            {
                "voices_heard_and_valued": {"score": 6, "going_well": "The forum says so."},
                "responses_always_kind": {"score": 3, "could_be_better": "Reply sooner."},
                "can_do_approach": {"score": 8},
            },
            {"welcome_care_respect": {"needs_now": "Send agendas a week ahead."}},
        )
    app = create_app(Settings(secret_key=SECRET, database_url=url, rasa_url="http://127.0.0.1:9"))
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws="none", log_level="warning", lifespan="on"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("bot.server did not start")
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=15)
    engine_for(url).dispose()


def test_the_staff_dashboard_has_no_wcag_a_or_aa_violations(watched, staff_server):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = watched.page

    def check(name: str) -> None:
        shot(page, name)
        found = axe.run(page, options=AXE_OPTIONS)
        found.save_to_file(RESULTS / f"axe-{name}.json", violations_only=True)
        assert found.violations_count == 0, found.generate_report()

    page.goto(f"{staff_server}/staff")
    assert page.url == f"{staff_server}/staff/login?next=%2Fstaff"
    check("staff-login")
    # The first Tab reaches the skip link, which moves to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # Log in with the keyboard alone.
    page.get_by_label("User name").focus()
    page.keyboard.type(STAFF_NAME)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{staff_server}/staff")
    assert page.get_by_role("heading", level=1).text_content() == "Reviews"
    assert page.get_by_role("table").first.is_visible()
    check("staff-reviews")

    page.get_by_role("link", name="Short breaks workshop").click()
    page.wait_for_url(f"{staff_server}/staff/reviews/AXE-234")
    assert page.get_by_role("heading", level=1).text_content() == "Short breaks workshop"
    assert page.get_by_role("table", name="Answers to question 1").is_visible()
    # Every chart and the QR code loaded (a refused image would have no width).
    widths = page.eval_on_selector_all("img", "images => images.map(i => i.naturalWidth)")
    assert len(widths) >= 4 and all(width > 0 for width in widths)
    check("staff-review-results")
    for section, heading in (
        ("Pledges", "Pledge register"),
        ("Concerns", "Concerns"),
        ("Safeguarding", "Safeguarding"),
        ("Quality", "Quality indicators"),
    ):
        page.get_by_role("navigation", name="Staff dashboard").get_by_role(
            "link", name=section
        ).click()
        page.wait_for_url(f"{staff_server}/staff/{section.lower()}")
        assert page.get_by_role("heading", level=1).text_content() == heading
        assert page.locator("[aria-current=page]").text_content() == section
        check(f"staff-{section.lower()}")

    # Quality indicators: the self-assessment form, its errors, then the report over time.
    page.get_by_role("link", name="Start a new self-assessment").click()
    page.wait_for_url(f"{staff_server}/staff/quality/new")
    assert page.get_by_role("group", name="WELCOME, CARE, RESPECT", exact=True).is_visible()
    check("staff-quality-new")
    page.get_by_label("Organisation").fill("   ")  # not blank to the browser, blank to us
    with page.expect_navigation():
        page.get_by_role("button", name="Save the self-assessment").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Organisation").get_attribute("aria-invalid") == "true"
    check("staff-quality-errors")
    # The 400 answer is meant; the browser logs it as a failed load, and nothing else.
    bad_request = "the server responded with a status of 400 (Bad Request)"
    assert watched.errors == [f"console: Failed to load resource: {bad_request}"]
    watched.errors.clear()
    page.get_by_label("Organisation").fill(QUALITY_ORG)
    welcome = page.get_by_role("group", name="All voices are heard and valued")
    welcome.get_by_label("How are we doing?").select_option("9")
    welcome.get_by_label("What could be better?").fill("Hear from more young people.")
    page.get_by_role("group", name="Responses are always kind").get_by_label(
        "How are we doing?"
    ).select_option("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the self-assessment").click()
    assert "/staff/quality/report?organisation=Wokingham+SEND+Team" in page.url
    assert page.get_by_role("heading", level=1).text_content() == (
        f"{QUALITY_ORG}: quality indicators"
    )
    averages = page.get_by_role(
        "table", name="Average score for each heading, by date of assessment"
    )
    assert averages.get_by_role("columnheader").count() == 3  # the heading, then two dates
    assert "7.0 (between Established and Embedded)" in averages.text_content()
    widths = page.eval_on_selector_all("img", "images => images.map(i => i.naturalWidth)")
    assert widths and all(width > 0 for width in widths)
    check("staff-quality-report")
    assert watched.errors == []


def test_a_kept_message_gets_its_reply_in_the_chat_when_it_arrives(browser, server):
    """When the assistant kept a message to send later, the widget asks for the reply."""
    from bot.content import channel_message

    watched = new_page(browser)
    page = watched.page
    try:
        page.clock.install()
        load(page, server)
        open_chat(page)
        start_review(page)
        kept = {"messages": [{"text": channel_message("kept"), "buttons": []}], "kept": True}
        page.route("**/api/chat", lambda route: route.fulfill(status=200, json=kept))
        asked: list[int] = []

        def waiting(route) -> None:
            asked.append(1)
            later = [{"text": "Do you want to tell us more?", "buttons": []}]
            route.fulfill(status=200, json={"messages": later if len(asked) == 2 else []})

        page.route("**/api/waiting", waiting)
        press(page, "Yes")
        assert bot_texts(page)[-1] == channel_message("kept")
        page.clock.run_for(5_500)
        page.wait_for_function("() => document.querySelectorAll('.copro-msg--bot').length > 0")
        assert bot_texts(page)[-1] == channel_message("kept") and len(asked) == 1
        page.clock.run_for(5_000)
        page.get_by_text("Do you want to tell us more?").wait_for()
        page.clock.run_for(60_000)
        assert len(asked) == 2  # it stops asking once the reply came
    finally:
        page.context.close()


# ---- Phone first: text that reflows, and the question in view with its choices ------------------
#
# At each width and text size the page itself is measured: where each word's letters
# are drawn (Range.getClientRects), each control's box and scroll size, and what the
# conversation's scrolling box shows. Text size is the widget's own setting ("Bigger
# text", which goes up to 250%), chosen in the settings as a person would.

SCREENS = {320: 568, 390: 844, 1280: 800}  # a small phone, a common phone, a laptop
TEXT_SIZES = [100, 200, 250]
WIDGET_SIZES = [100, 125, 150, 175, 200, 250]  # the steps of the widget's "Bigger text"

# Words broken across lines. Each visible text node in the panel is cut into words at
# spaces (a line may also end after a hyphen or slash, as in "co-production"); a word
# drawn on more than one line is broken, unless it is wider than a whole line of its
# box (then breaking it is the only way to show it).
BROKEN_WORDS = """() => {
  const panel = document.getElementById('copro-panel');
  const broken = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('.copro-vh') || !parent.getClientRects().length) { continue; }
    let block = parent;
    while (getComputedStyle(block).display.startsWith('inline')) { block = block.parentElement; }
    const style = getComputedStyle(block);
    const line = block.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const words = /[^\\s\\-\\u2010-\\u2014\\/]+[\\-\\u2010-\\u2014\\/]*/g;
    for (const match of node.data.matchAll(words)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0)
        .sort((a, b) => a.top - b.top);
      const lines = [];
      for (const r of rects) {
        const last = lines[lines.length - 1];
        if (!last || r.top >= last.bottom - 1) { lines.push({ bottom: r.bottom }); }
        else { last.bottom = Math.max(last.bottom, r.bottom); }
      }
      const width = rects.reduce((sum, r) => sum + r.width, 0);
      if (lines.length > 1 && width <= line + 1) {
        broken.push({ word: match[0], lines: lines.length, width: Math.round(width),
                      line: Math.round(line) });
      }
    }
  }
  return broken;
}"""

# Anything cut off: a control or bubble whose content is wider than its box, a word
# that sticks out of its button, or anything outside the panel or the screen sideways.
CUT_OFF = """() => {
  const panel = document.getElementById('copro-panel');
  const cut = [];
  const box = panel.getBoundingClientRect();
  if (box.left < -0.5 || box.right > innerWidth + 0.5) { cut.push('the panel is off the screen'); }
  for (const scroller of [panel, document.getElementById('copro-log')]) {
    if (scroller.scrollWidth > scroller.clientWidth + 1) {
      cut.push(scroller.id + ' scrolls sideways');
    }
  }
  const name = el => (el.className || el.tagName) + ': ' +
    (el.textContent || el.value || '').trim().slice(0, 40);
  const parts = panel.querySelectorAll(
    'button, input, .copro-msg, .copro-text, .copro-word, .copro-title, .copro-hint, label, p');
  for (const el of parts) {
    if (!el.getClientRects().length || el.closest('.copro-vh')) { continue; }
    const r = el.getBoundingClientRect();
    if (!getComputedStyle(el).display.startsWith('inline') || el.matches('button, input')) {
      if (el.scrollWidth > el.clientWidth + 1) { cut.push('wider than its box: ' + name(el)); }
    }
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
      cut.push('outside the panel: ' + name(el));
    }
    const holder = el.matches('.copro-word') && el.closest('button');
    if (holder) {
      const h = holder.getBoundingClientRect();
      if (r.left < h.left - 0.5 || r.right > h.right + 0.5) {
        cut.push('sticks out of its button: ' + name(el));
      }
    }
  }
  return cut;
}"""

# Where the newest question and its choices are, and what the conversation shows: the
# window, cut down by every box around the question that scrolls or clips.
IN_VIEW = """(firstNew) => {
  const bots = [...document.querySelectorAll('#copro-log .copro-msg--bot')];
  const question = bots[bots.length - 1];
  const choices = document.querySelector('.copro-choices');
  const rect = el => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom };
  };
  let top = 0, bottom = innerHeight, below = 0;
  for (let el = question.parentElement; el; el = el.parentElement) {
    if (!/(auto|scroll|hidden)/.test(getComputedStyle(el).overflowY)) { continue; }
    const r = el.getBoundingClientRect();
    top = Math.max(top, r.top + el.clientTop);
    bottom = Math.min(bottom, r.top + el.clientTop + el.clientHeight);
    below += el.scrollHeight - el.clientHeight - el.scrollTop;  // how much further it scrolls
  }
  return { top, bottom, below, question: rect(question), first: rect(bots[firstNew]),
           choices: rect(choices),
           choicesShown: !choices.hidden && choices.getClientRects().length > 0,
           text: question.textContent.slice(0, 60) };
}"""

FIT_REPORT = RESULTS / "phone-fit.json"


def set_text_size(page, size: int) -> None:
    """The widget's own text size, through its settings, as a person would."""
    open_settings(page)
    for _ in range(WIDGET_SIZES.index(size)):
        page.get_by_role("button", name="Bigger text").click()
    assert page.locator(".copro-size").text_content() == f"Text size: {size}%"
    page.get_by_role("button", name="Settings", exact=True).click()
    assert page.locator("#copro-settings").is_hidden()


def assert_reflows(page, where: str) -> None:
    broken = page.evaluate(BROKEN_WORDS)
    assert broken == [], f"{where}: words broken across lines: {broken}"
    cut = page.evaluate(CUT_OFF)
    assert cut == [], f"{where}: cut off: {cut}"


def assert_question_in_view(page, first_new: int, where: str) -> dict:
    """The question and its choices are seen together; when they cannot be (taller than
    the view), the question's top is at the top of the view and the choices follow it,
    a scroll away. When the whole reply fits, its first message is in view too."""
    seen = page.evaluate(IN_VIEW, first_new)
    top, bottom = seen["top"], seen["bottom"]
    question, choices, first = seen["question"], seen["choices"], seen["first"]
    assert seen["choicesShown"], f"{where}: no choices after {seen['text']!r}"
    assert top - 1 <= question["top"] < bottom, f"{where}: the question is out of view: {seen}"
    together = choices["bottom"] - question["top"] <= bottom - top
    if together:
        assert choices["bottom"] <= bottom + 1, f"{where}: the choices are out of view: {seen}"
        if choices["bottom"] - first["top"] <= bottom - top:
            assert first["top"] >= top - 1, f"{where}: the reply's start is out of view: {seen}"
    else:
        # Too tall to see at once: the question starts the view, the choices are below it.
        assert question["top"] <= top + 16, f"{where}: the question is not at the top: {seen}"
        assert seen["below"] >= choices["bottom"] - bottom - 1, f"{where}: cannot reach: {seen}"
    return {
        "where": where,
        "together": together,
        "view": round(bottom - top),
        "question_and_choices": round(choices["bottom"] - question["top"]),
    }


def press_and_check(page, word: str, where: str) -> dict:
    before = len(bot_texts(page))
    press(page, word)
    assert len(bot_texts(page)) > before, f"{where}: no reply to {word!r}"
    assert_reflows(page, where)
    return assert_question_in_view(page, before, where)


@pytest.fixture(scope="module")
def fit_report() -> Iterator[list]:
    found: list = []
    yield found
    RESULTS.mkdir(parents=True, exist_ok=True)
    FIT_REPORT.write_text(json.dumps(found, indent=1))


@pytest.mark.parametrize("size", TEXT_SIZES)
@pytest.mark.parametrize("width", list(SCREENS))
def test_the_chat_reflows_and_keeps_the_question_in_view(browser, server, fit_report, width, size):
    from axe_playwright_python.sync_playwright import Axe

    name = f"{width}px-{size}pct"
    watched = new_page(browser, viewport={"width": width, "height": SCREENS[width]})
    page = watched.page
    try:
        load(page, server)
        open_chat(page)
        set_text_size(page, size)
        # The first screen, with the size kept from before: the way to start is in view.
        page.reload()
        page.locator("#copro-panel").wait_for(state="visible")
        settle(page)
        assert_reflows(page, f"{name} open")
        start = page.locator(".copro-choice-list button").first.bounding_box()
        assert start and start["y"] >= 0 and start["y"] + start["height"] <= SCREENS[width]
        # Several messages come, the last asks "who is answering?": it is in view with its choices.
        fit_report.append(press_and_check(page, "Review a meeting", f"{name} who is answering"))
        for _ in range(4):
            if re.search(r"Question 1 of \d+", "\n".join(bot_texts(page))):
                break
            fit_report.append(press_and_check(page, choice_words(page)[0], f"{name} about you"))
        assert re.search(r"Question 1 of \d+", "\n".join(bot_texts(page)))
        fit_report.append(press_and_check(page, "Yes", f"{name} after an answer"))
        settle(page)
        shot(page, f"phone-{name}")
        found = Axe().run(page, options=AXE_OPTIONS)
        found.save_to_file(RESULTS / f"axe-phone-{name}.json", violations_only=True)
        assert found.violations_count == 0, found.generate_report()
        # The settings, open: every control whole, and still no violations.
        open_settings(page)
        assert_reflows(page, f"{name} settings")
        found = Axe().run(page, options=AXE_OPTIONS)
        assert found.violations_count == 0, found.generate_report()
    finally:
        page.context.close()
    assert watched.errors == [] and watched.dialogs == []


def test_the_settings_are_one_button_that_opens_and_closes_with_the_keyboard(watched, server):
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 844})
    load(page, server)
    tab_to(page, "Open chat")
    page.keyboard.press("Enter")
    settle(page)
    toggle = page.get_by_role("button", name="Settings", exact=True)
    # Closed at first: one button with a symbol and a word, the settings out of the way.
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "copro-settings"
    assert toggle.locator(".copro-symbol").get_attribute("data-symbol") == "⚙️"
    assert toggle.locator(".copro-symbol img").get_attribute("src").endswith("/symbols/2699.svg")
    assert page.locator("#copro-settings").is_hidden()
    assert page.get_by_role("button", name="Bigger text").count() == 0  # not in the a11y tree
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    group = page.get_by_role("group", name="Chat settings")
    assert group.is_visible()
    assert focused_word(page) == "Settings"  # a disclosure: focus stays on its button
    tab_to(page, "Bigger text")
    page.keyboard.press("Enter")
    assert page.locator(".copro-size").text_content() == "Text size: 125%"
    # Escape closes the settings and puts focus back on their button; the chat stays open.
    page.keyboard.press("Escape")
    assert page.locator("#copro-settings").is_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert focused_word(page) == "Settings"
    assert page.locator("#copro-panel").is_visible()
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Space")
    assert page.locator("#copro-settings").is_hidden()


# ---- While the assistant starts ------------------------------------------------------------------


class LateRasa:
    """A way to the real Rasa server that opens later. Until then nothing answers on its
    port, as while Rasa loads its model."""

    def __init__(self, rasa_url: str) -> None:
        self.target = int(rasa_url.rsplit(":", 1)[1])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: socketserver.ThreadingTCPServer | None = None

    def open(self) -> None:
        target = self.target

        class Pass(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with socket.create_connection(("127.0.0.1", target)) as rasa:
                    ends = [self.request, rasa]
                    while True:
                        ready, _, _ = select.select(ends, [], [], 120)
                        if not ready:
                            return
                        for end in ready:
                            data = end.recv(65536)
                            if not data:
                                return
                            (rasa if end is self.request else self.request).sendall(data)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Pass)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def test_messages_sent_while_the_assistant_starts_are_answered_once_in_order(
    browser, stack, tmp_path
):
    late = LateRasa(stack.rasa_url)
    app = create_app(
        Settings(
            secret_key=SECRET,
            rasa_url=late.url,
            database_url=stack.database_url,
            tracker_url=stack.tracker_url,
            spool_path=tmp_path / "spool.db",
        )
    )
    app.state.limits = ChatLimits([Rate(1000, Duration.MINUTE)], [Rate(5000, Duration.MINUTE)])
    watched = new_page(browser, viewport={"width": 390, "height": 844})
    page = watched.page
    try:
        with serving(app) as url:
            load(page, url)
            open_chat(page)
            box = page.get_by_label("Your message")
            for text_sent in ["hello"] * 8 + ["what is co-production"]:
                box.fill(text_sent)
                box.press("Enter")
                wait_reply(page)
            starting = "⏳ The assistant is starting. I will answer soon."
            # Said once, however many messages were sent.
            assert bot_texts(page) == [starting]
            assert all_texts(page).count("You said: hello") == 8
            late.open()  # Rasa is up: the kept messages are sent, and the widget asks for replies
            poll(page, "() => document.querySelectorAll('.copro-msg--bot').length >= 3", 60)
            page.wait_for_timeout(6_000)  # one more round of asking: nothing more comes
            said = bot_texts(page)
            welcomes = [t for t in said if t.startswith("Hello 👋")]
            assert len(welcomes) == 1, said
            assert said.index(welcomes[0]) == 1  # in order: the welcome, then the answer
            assert len(said) == 3, said
            assert "co-production" in said[2].lower(), said
            shot(page, "kept-while-starting")
    finally:
        page.context.close()
        late.close()
    assert [e for e in watched.errors if "Failed to load resource" not in e] == []
