"""The action server keeps answering while one conversation waits for the store."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

from rasa_sdk.executor import ActionExecutor

from tests.conftest import make_tracker


def action_call(action: str, tracker) -> dict:
    return {
        "next_action": action,
        "sender_id": tracker.sender_id,
        "tracker": tracker.current_state(),
        "domain": {},
    }


def test_a_locked_database_holds_up_only_the_conversation_that_needs_it(database):
    executor = ActionExecutor()
    executor.register_package("actions")
    # Another writer holds SQLite's lock for 1.5 seconds.
    holder = sqlite3.connect(database.removeprefix("sqlite:///"), check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(1.5, holder.rollback)
    release.start()

    async def both() -> tuple[float, float, dict, dict]:
        started = time.monotonic()
        forget = asyncio.create_task(
            executor.run(action_call("action_forget_me", make_tracker("affirm", "yes")))
        )
        await asyncio.sleep(0.1)
        explained = await executor.run(
            action_call("action_explain", make_tracker("ask_coproduction", "what is it"))
        )
        explain_done = time.monotonic() - started
        forgotten = await forget
        return explain_done, time.monotonic() - started, explained, forgotten

    try:
        explain_done, forget_done, explained, forgotten = asyncio.run(both())
    finally:
        release.join()
        holder.close()
    # The explanation did not wait for the lock; forgetting waited, then worked.
    assert explain_done < 1.0
    assert forget_done >= 1.4
    assert explained["responses"][0]["response"] == "utter_explain_coproduction"
    assert forgotten["responses"][0]["response"] == "utter_forgotten"
