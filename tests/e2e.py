"""Start the real action server and Rasa server for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.cli import action_server_command, rasa_server_command, service_env, stop_processes

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not start in {seconds}s:\n{log.read_text()[-3000:]}")


@dataclass
class Stack:
    rasa_url: str
    database_url: str
    tracker_url: str
    logs: tuple[Path, ...] = ()

    def say(self, sender: str, text: str) -> list[dict]:
        return say_to(self.rasa_url, sender, text)


def say_to(rasa_url: str, sender: str, text: str) -> list[dict]:
    """One message to a Rasa server's REST channel, as from the web chat."""
    response = httpx.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "metadata": {"channel": "web"}},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()


@contextmanager
def running_stack(workdir: Path) -> Iterator[Stack]:
    """Action server and Rasa server on free ports, with their own SQLite files."""
    from bot.store.db import upgrade

    database_url = f"sqlite:///{workdir / 'copro.db'}"
    tracker_url = f"sqlite:///{workdir / 'tracker.db'}"
    upgrade(database_url)
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{workdir / "tracker.db"}"\n'
    )
    env = service_env(dict(os.environ, COPRO_DATABASE_URL=database_url, COPRO_CHARTER="wirral"))
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    processes = []
    try:
        with action_log.open("wb") as alog, rasa_log.open("wb") as rlog:
            actions = subprocess.Popen(
                action_server_command(action_port),
                cwd=ROOT,
                env=env,
                stdout=alog,
                stderr=subprocess.STDOUT,
            )
            processes.append(actions)
            rasa = subprocess.Popen(
                rasa_server_command(MODEL, endpoints, rasa_port),
                cwd=ROOT,
                env=env,
                stdout=rlog,
                stderr=subprocess.STDOUT,
            )
            processes.append(rasa)
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_for(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log)
        yield Stack(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            database_url=database_url,
            tracker_url=tracker_url,
            logs=(action_log, rasa_log),
        )
    finally:
        stop_processes(processes, timeout=20)
