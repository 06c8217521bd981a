"""The copro command."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from bot.cli import CODE_ALPHABET, main, new_review_code
from bot.store import safeguarding
from bot.store.db import unit_of_work
from bot.store.models import Review


def test_review_codes_are_easy_to_read_aloud():
    for _ in range(200):
        code = new_review_code()
        assert re.fullmatch(rf"[{CODE_ALPHABET}]{{3}}-[{CODE_ALPHABET}]{{3}}", code)
        assert not set(code) & set("01IOL")


def test_review_create_stores_the_review_and_prints_its_code(database, capsys):
    assert (
        main(
            [
                "review",
                "create",
                "--title",
                "Short breaks workshop",
                "--charter",
                "wirral",
                "--level",
                "co-designing",
                "--date",
                "2026-11-20",
            ]
        )
        == 0
    )
    code = re.search(r"Review code: (\S+)", capsys.readouterr().out).group(1)
    with unit_of_work() as session:
        review = session.scalar(select(Review).where(Review.code == code))
    assert (review.title, review.charter, review.level, review.held_on) == (
        "Short breaks workshop",
        "wirral",
        "co-designing",
        "2026-11-20",
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["--title", "x", "--charter", "atlantis"], "no charter pack called 'atlantis'"),
        (["--title", "   ", "--charter", "wirral"], "--title must be 1 to 200 characters"),
        (["--title", "x", "--date", "20/11/2026"], "--date must be a date like 2026-11-20"),
    ],
)
def test_review_create_refuses_bad_input_with_a_clear_message(database, capsys, args, message):
    assert main(["review", "create", *args]) == 2
    assert message in capsys.readouterr().err


def test_every_command_has_help(capsys):
    for command in (
        ["--help"],
        ["run", "--help"],
        ["review", "create", "--help"],
        ["nlp", "build", "--help"],
        ["db", "upgrade", "--help"],
    ):
        with pytest.raises(SystemExit) as exit_:
            main(command)
        assert exit_.value.code == 0
    assert "usage: copro" in capsys.readouterr().out


@pytest.mark.e2e
def test_the_chat_server_command_serves_the_page(tmp_path):
    """The exact command `copro run` uses for bot.server starts and serves the chat."""
    import subprocess
    import time

    import httpx

    from bot.cli import server_command
    from tests.e2e import ROOT, free_port

    port = free_port()
    process = subprocess.Popen(
        server_command("127.0.0.1", port),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # About 5 s on a quiet machine; far longer while other heavy jobs run.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            process.terminate()
            raise AssertionError(process.communicate(timeout=10)[0].decode()[-2000:])
        assert page.status_code == 200 and "/static/widget.js" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_charters_check_passes_on_the_installed_packs(capsys):
    assert main(["charters", "check"]) == 0
    out = capsys.readouterr().out
    assert "ok   glossary.yml" in out and "ok   quiz.yml" in out
    assert "ok   wirral.yml: Wirral" in out


def test_charters_check_names_the_broken_file_and_field(tmp_path, capsys):
    broken = tmp_path / "nowhere.yml"
    broken.write_text("id: nowhere\narea: Nowhere\n")
    assert main(["charters", "check", str(broken)]) == 1
    assert (
        "FAIL nowhere.yml: field 'principles' must be a non-empty list" in capsys.readouterr().err
    )


def test_purge_runs_and_says_what_it_deleted(database, capsys, tmp_path, monkeypatch):
    from bot.settings import get_settings

    monkeypatch.setenv("COPRO_TRACKER_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    get_settings.cache_clear()
    assert main(["purge", "--days", "30"]) == 0
    out = capsys.readouterr().out
    assert "0 answers, 0 responses, 0 respondents" in out and "tallies" in out


def test_the_action_server_and_rasa_listen_on_this_machine_only_without_telemetry():
    from pathlib import Path

    from bot.cli import rasa_server_command, service_env

    env = service_env({"PATH": "/bin"})
    assert env["SANIC_HOST"] == "127.0.0.1"
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    command = rasa_server_command(Path("m.tar.gz"), Path("e.yml"), 5005)
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    # Rasa's HTTP API (which can read and change conversations) is never switched on.
    assert "--enable-api" not in command


def test_the_safeguarding_queue_lists_acknowledges_and_closes_flags(database, capsys):
    with unit_of_work() as session:
        safeguarding.raise_flag(
            session,
            pseudonym="web-x",
            channel="web",
            charter="halton",
            message="im scared",
            detected_by="cards",
            level="possible",
            cards=["physical-fear-of-someone"],
            score=0.41,
        )
    assert main(["safeguarding", "list"]) == 0
    out = capsys.readouterr().out
    assert "#1 [new] possible" in out and "halton" in out and "Message: im scared" in out
    assert "cards physical-fear-of-someone; classifier score 0.41" in out
    assert "acknowledged not yet" in out
    assert main(["safeguarding", "acknowledge", "1", "--by", "jo.smith"]) == 0
    assert main(["safeguarding", "list", "--status", "all"]) == 0
    assert "acknowledged by jo.smith" in capsys.readouterr().out
    with unit_of_work() as session:
        safeguarding.mark(session, 1, "false_alarm", "jo.smith")
    assert main(["safeguarding", "marks"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line) == {"text": "im scared", "label": 0, "source": "staff", "category": ""}
    assert main(["safeguarding", "set", "1", "resolved"]) == 0
    assert main(["safeguarding", "list", "--status", "new"]) == 0
    assert "No safeguarding messages with status new." in capsys.readouterr().out
    assert main(["safeguarding", "set", "99", "resolved"]) == 1


def test_review_create_prints_the_links_and_writes_a_qr_code(
    database, capsys, tmp_path, monkeypatch
):
    from bot.settings import get_settings

    monkeypatch.setenv("COPRO_PUBLIC_URL", "https://localoffer.example.org/chat/")
    monkeypatch.setenv("COPRO_TELEGRAM_BOT", "@wirral_copro_bot")
    get_settings.cache_clear()
    qr = tmp_path / "review.png"
    assert main(["review", "create", "--title", "Transport review", "--qr", str(qr)]) == 0
    out = capsys.readouterr().out
    code = re.search(r"Review code: (\S+)", out).group(1)
    assert f"Web link: https://localoffer.example.org/chat/?code={code}" in out
    assert f"Telegram link: https://t.me/wirral_copro_bot?start={code}" in out
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and qr.stat().st_size > 200
    get_settings.cache_clear()


def test_a_closed_review_code_no_longer_opens_it(database, capsys):
    from bot.store import repository

    assert main(["review", "create", "--title", "Coffee morning"]) == 0
    code = re.search(r"Review code: (\S+)", capsys.readouterr().out).group(1)
    assert main(["review", "close", code.lower()]) == 0
    assert f"Review {code} is closed" in capsys.readouterr().out
    with unit_of_work() as session:
        assert repository.find_open_review(session, code) is None
        assert repository.review_by_code(session, code) is not None
    assert main(["review", "close", code]) == 1
    assert "No open review" in capsys.readouterr().err


def test_the_production_profile_refuses_to_start_without_its_stores(monkeypatch, capsys):
    from bot.settings import get_settings

    monkeypatch.setenv("COPRO_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.delenv("COPRO_REDIS_URL", raising=False)
    get_settings.cache_clear()
    monkeypatch.setattr("bot.cli.services.MODEL_PATH", __import__("pathlib").Path(__file__))
    monkeypatch.setattr("bot.nlp.build.build_pipeline", lambda path: None)
    try:
        assert main(["run", "--profile", "production"]) == 2
    finally:
        get_settings.cache_clear()
    error = capsys.readouterr().err
    assert "COPRO_DATABASE_URL must be a postgresql://" in error
    assert "COPRO_TRACKER_URL must be a postgresql://" in error
    assert "COPRO_REDIS_URL must be a redis://" in error


def test_the_production_profile_starts_every_rasa_server_on_shared_stores():
    from bot.cli import production_services
    from bot.settings import Settings

    settings = Settings(
        database_url="postgresql://db/copro",
        tracker_url="postgresql://db/copro_tracker",
        redis_url="redis://cache:6379/1",
        telegram_token="123:abc",
    )
    services = production_services(settings, [5005, 5006, 5007], {"PATH": "/bin"})
    commands = [" ".join(command) for command, _ in services]
    assert sum("run actions" in c for c in commands) == 1
    rasa = [
        (c, env)
        for (command, env), c in zip(services, commands, strict=True)
        if " run --model" in c
    ]
    assert [c.split("--port ")[1] for c, _ in rasa] == ["5005", "5006", "5007"]
    for command, env in rasa:
        assert "endpoints.production.yml" in command
        assert env["COPRO_TRACKER_URL"] == "postgresql://db/copro_tracker"
        assert env["COPRO_REDIS_URL"] == "redis://cache:6379/1"
        assert env["COPRO_ACTION_URL"] == "http://127.0.0.1:5055/webhook"
    fronts = [
        env
        for (_, env), c in zip(services, commands, strict=True)
        if "bot.serving" in c or "telegram" in c
    ]
    assert len(fronts) == 2
    assert all(
        env["COPRO_RASA_URL"] == "http://127.0.0.1:5005,http://127.0.0.1:5006,http://127.0.0.1:5007"
        for env in fronts
    )


def test_rasa_servers_must_be_between_one_and_eight(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--profile", "production", "--rasa-servers", "9"])
    assert "invalid choice" in capsys.readouterr().err
