"""``copro safeguarding``: the staff queue of flagged messages (never part of any export), and
the messages staff marked, as labelled data for the risk classifier."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from bot.cli.shape import CoproGroup, OneOf
from bot.cli.store import open_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

STATUSES = ("new", "in_progress", "resolved")


@click.group(
    "safeguarding",
    cls=CoproGroup,
    help="The staff safeguarding queue (never part of any export).",
)
def safeguarding_group() -> None:
    """The staff safeguarding queue."""


@safeguarding_group.command("list", help="List flagged messages.")
@click.option("--status", default="new", type=OneOf((*STATUSES, "all")))
def safeguarding_list(status: str) -> int:
    """The staff safeguarding queue: why each message was flagged, who was told, what was said."""
    from bot.store import safeguarding as queue

    wanted = None if status == "all" else status
    with open_store() as session:
        flags = queue.flags(session, wanted)
        if not flags:
            print(
                "No safeguarding messages" + ("" if wanted is None else f" with status {wanted}.")
            )
            return 0
        for flag in flags:
            alerts = ", ".join(f"{a.route} to {a.target}: {a.status}" for a in flag.alerts)
            acknowledged = (
                f"by {flag.acknowledged_by} {flag.acknowledged_at:%Y-%m-%d %H:%M} UTC"
                if flag.acknowledged_at
                else "not yet"
            )
            score = "-" if flag.score is None else f"{flag.score:.2f}"
            print(
                f"#{flag.id} [{flag.status}] {flag.level}, {flag.created_at:%Y-%m-%d %H:%M} UTC, "
                f"{flag.charter}, {flag.channel}\n"
                f"  Why: cards {flag.cards or '-'}; classifier score {score}; "
                f"found by {flag.detected_by}\n"
                f"  Where: {flag.context or '-'}\n"
                f"  Alerts: {alerts or 'none'}; acknowledged {acknowledged}\n"
                f"  Person (pseudonym): {flag.pseudonym}\n"
                f"  Message: {flag.message}"
            )
    return 0


def change_flag(flag_id: int, change: Callable[[Session], object], done: str) -> int:
    """Apply ``change`` to flag ``flag_id`` and say ``done``; 1 when there is no such flag."""
    with open_store() as session:
        if not change(session):
            print(f"No safeguarding message #{flag_id}.", file=sys.stderr)
            return 1
    print(f"Safeguarding message #{flag_id} {done}")
    return 0


@safeguarding_group.command("set", help="Change a flagged message's status.")
@click.argument("flag_id", metavar="ID", type=int)
@click.argument("status", type=OneOf(STATUSES))
def safeguarding_set(flag_id: int, status: str) -> int:
    """Move a flagged message along the queue."""
    from bot.store import safeguarding as queue

    return change_flag(
        flag_id,
        lambda session: queue.set_status(session, flag_id, status),
        f"is now {status}.",
    )


@safeguarding_group.command(
    "acknowledge", help="Say a flagged message was seen: no second alert goes out."
)
@click.argument("flag_id", metavar="ID", type=int)
@click.option("--by", required=True, help="who acknowledges it (a staff user name)")
def safeguarding_acknowledge(flag_id: int, by: str) -> int:
    """Record who saw a flagged message, so that no second alert is sent."""
    from bot.store import safeguarding as queue

    return change_flag(
        flag_id,
        lambda session: queue.acknowledge(session, flag_id, by),
        "is acknowledged: no second alert will be sent.",
    )


@safeguarding_group.command(
    "marks",
    help="Print messages staff marked real concern or false alarm, one JSON line each "
    "(labelled data for the risk classifier; staff only).",
)
def safeguarding_marks() -> int:
    """Marked flags as labelled lines for bot/safety/data/risk.jsonl (staff only)."""
    from bot.store import safeguarding as queue

    with open_store() as session:
        for marked in queue.marked_messages(session):
            line = {"text": marked.text, "label": marked.label, "source": "staff", "category": ""}
            print(json.dumps(line, ensure_ascii=False))
    return 0
