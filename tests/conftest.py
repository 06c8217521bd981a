"""Shared fixtures: a fresh database per test, trackers built in code."""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

# Before any test module brings in TensorFlow: skops lists its trusted types by
# searching every loaded module, about 4 s more in each worker once TensorFlow
# is loaded (see bot/safety/classifier.py).
import skops.io  # noqa: F401
from rasa_sdk import Tracker

from bot.settings import get_settings
from bot.store import db


def _reset_caches() -> None:
    get_settings.cache_clear()
    db.engine_for.cache_clear()


def pytest_collection_modifyitems(items) -> None:
    """Tests of this machine's PostgreSQL and Redis run on one worker, one at a time.

    They share the database `test` and Redis. With `--dist loadgroup`, a module
    that starts its own servers names its group too (`xdist_group`), so the
    workers share out the slow end-to-end modules and start each stack once.
    """
    for item in items:
        if item.get_closest_marker("services") and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("services"))


@pytest.fixture(autouse=True)
def _kept_messages_in_tmp(tmp_path_factory, monkeypatch) -> None:
    """Messages kept while Rasa is away go to a folder of the test's own, not var/.

    The folder is made only when a test keeps messages (most never do).
    """
    from bot.channels import rasa_client
    from bot.settings import PROJECT_ROOT

    real = rasa_client.Spool
    default = PROJECT_ROOT / "var" / "spool.db"
    folder: list[Path] = []

    def spool(path):
        if Path(path) != default:
            return real(path)
        if not folder:
            folder.append(tmp_path_factory.mktemp("kept"))
        return real(folder[0] / "spool.db")

    monkeypatch.setattr(rasa_client, "Spool", spool)


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch) -> None:
    """Staff passwords hashed with Argon2 at its lowest cost in tests.

    The real settings take about 0.1 s a hash, paid at every account made and
    every login; the test of the real settings puts them back.
    """
    from argon2 import PasswordHasher

    from bot.staff import accounts

    monkeypatch.setattr(
        accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real action server and Rasa server, shared by the end-to-end test modules."""
    from tests.e2e import MODEL, running_stack

    if not MODEL.exists():
        pytest.fail("No trained model: run `make test`, which trains first.")
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """An SQLite file with every migration applied, copied for each test that needs one."""
    path = tmp_path_factory.mktemp("migrated") / "copro.db"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    db.engine_for(url).dispose()
    return path


@pytest.fixture
def database(migrated_database, tmp_path, monkeypatch) -> str:
    """A migrated SQLite database in a temporary folder, used by get_engine()."""
    path = tmp_path / "copro.db"
    shutil.copyfile(migrated_database, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("COPRO_DATABASE_URL", url)
    monkeypatch.setenv("COPRO_CHARTER", "wirral")
    _reset_caches()
    yield url
    db.engine_for(url).dispose()
    _reset_caches()


def finished(step: Any) -> Any:
    """What an action's `run` or `validate_<slot>` returned, awaited if it is a coroutine.

    Steps that use the store run in a worker thread, so they return a coroutine.
    """
    return asyncio.run(step) if inspect.iscoroutine(step) else step


def make_tracker(
    intent: str | None = None,
    text: str = "",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    sender: str = "web-test-person",
    active_loop: str | None = None,
    channel: str = "web",
    extra: dict[str, Any] | None = None,
    confidence: float = 0.99,
    before: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message has ``intent`` and ``text``, after the events ``before``."""
    latest = {
        "intent": {"name": intent, "confidence": confidence} if intent else {},
        "entities": entities or [],
        "text": text,
        "metadata": {"channel": channel},
        **(extra or {}),
    }
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message=latest,
        events=[
            *(before or []),
            {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"},
        ],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def bot_said(response: str, **values: Any) -> dict[str, Any]:
    """A bot message event as Rasa records it for a response sent with ``values``."""
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response, **values}}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
