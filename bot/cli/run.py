"""``copro run``: start the assistant's processes, apply the retention policy daily while they
run, and stop them all together on Ctrl+C, on SIGTERM or when one of them stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli import services
from bot.cli.reports import run_purge
from bot.cli.shape import CoproCommand, OneOf
from bot.cli.store import migrate
from bot.settings import PROJECT_ROOT, get_settings

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

PURGE_EVERY_HOURS = 24


def spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start one of the assistant's processes from the project folder."""
    print("Starting:", " ".join(command), flush=True)
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)


def stop_processes(processes: list[subprocess.Popen[bytes]], timeout: float = 15) -> None:
    """Ask each process to stop; kill any still running after ``timeout`` seconds."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()


def daily_purge() -> None:
    """Apply the retention policy and say what went; a failure is reported, never raised."""
    try:
        print(run_purge(), flush=True)
    except Exception as error:  # noqa: BLE001 - the chat must keep running
        print(f"The daily clean-up failed: {type(error).__name__}", flush=True)


def start_daily_purge() -> BackgroundScheduler:
    """Purge now and then every 24 hours, in the scheduler's own thread."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=timezone.utc)
    scheduler.add_job(
        daily_purge,
        "interval",
        hours=PURGE_EVERY_HOURS,
        next_run_time=datetime.now(timezone.utc),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_until_stopped(processes: list[subprocess.Popen[bytes]]) -> int:
    """Watch the processes, purging daily; stop them all on Ctrl+C, SIGTERM or when one stops."""
    # Set explicitly: a shell that starts us in the background makes SIGINT ignored.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    scheduler = start_daily_purge()
    try:
        while True:
            for process in processes:
                code = process.poll()
                if code is not None:
                    print(f"A process stopped (exit {code}); stopping the rest.", flush=True)
                    return code or 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        scheduler.shutdown(wait=False)
        stop_processes(processes)


@click.command(
    "run",
    cls=CoproCommand,
    help="Start the action server, Rasa and the chat on http://localhost:8080.",
)
@click.option(
    "--profile",
    type=OneOf(("local", "production")),
    default="local",
    help="local: SQLite, one Rasa server (default). production: PostgreSQL "
    "(COPRO_DATABASE_URL, COPRO_TRACKER_URL), Redis (COPRO_REDIS_URL), several "
    "Rasa servers. See docs/deploy.md.",
)
@click.option(
    "--rasa-servers",
    type=OneOf(range(1, 9)),
    default=2,
    metavar="N",
    help="Production profile: how many Rasa servers (1 to 8; default 2), on "
    "ports from COPRO_RASA_URL's port up.",
)
def run_command(profile: str, rasa_servers: int) -> int:
    """Start the assistant with the chosen profile and keep it running."""
    from bot.nlp.build import build_pipeline
    from bot.store.db import create_database

    settings = get_settings()
    if not services.MODEL_PATH.exists():
        print("No trained model: run 'make run' (it trains first).", file=sys.stderr)
        return 2
    build_pipeline(Path(settings.spacy_model))
    env = services.service_env(dict(os.environ))
    first_port = int(settings.rasa_urls[0].rsplit(":", 1)[-1])
    if profile == "production":
        problems = services.production_problems(settings)
        if problems:
            print("The production profile needs:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 2
        for url in (settings.database_url, settings.tracker_url):
            create_database(url)
        migrate(settings.database_url)
        ports = [first_port + n for n in range(rasa_servers)]
        processes = [
            spawn(command, services.service_env(penv))
            for command, penv in services.production_services(settings, ports, env)
        ]
    else:
        migrate(settings.database_url)
        processes = [
            spawn(command, env) for command in services.service_commands(settings, first_port)
        ]
    print(
        f"\nThe chat opens at http://localhost:{settings.server_port} once Rasa has loaded "
        "(about a minute). Press Ctrl+C to stop.\n",
        flush=True,
    )
    return run_until_stopped(processes)
