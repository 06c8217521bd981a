"""``copro concerns``: the staff queue of concerns that a charter's principles were not kept,
and the replies that reach the people who raised them."""

from __future__ import annotations

import sys

import click

from bot.cli.shape import CoproGroup, OneOf, text_refused
from bot.cli.store import open_store
from bot.cli.telegram import push_telegram


@click.group(
    "concerns",
    cls=CoproGroup,
    help="The staff queue of concerns that the charter's principles were not kept.",
)
def concerns_group() -> None:
    """The staff queue of concerns."""


@concerns_group.command("list", help="List concerns.")
@click.option("--status", default="new", type=OneOf(("new", "in_progress", "resolved", "all")))
def concerns_list(status: str) -> int:
    """The staff queue of concerns."""
    from bot.store import concerns as queue

    wanted = None if status == "all" else status
    with open_store() as session:
        listed = queue.concerns(session, wanted)
        if not listed:
            print("No concerns" + ("." if wanted is None else f" with status {wanted}."))
            return 0
        for c in listed:
            reply = "wants a reply" if c.wants_reply else "no reply wanted"
            print(
                f"#{c.id} [{c.status}] {c.created_at:%Y-%m-%d %H:%M} UTC, {c.charter}, "
                f"{c.channel}, {reply}\n"
                f"  About: {c.about}\n"
                f"  Principle: {c.principle or 'not sure'}\n"
                f"  What happened: {c.what_happened}"
                + (f"\n  Reply sent: {c.reply}" if c.reply else "")
            )
    return 0


@concerns_group.command(
    "reply", help="Reply to a concern; it reaches the person if they asked for a reply."
)
@click.argument("concern_id", metavar="ID", type=int)
@click.option("--text", required=True, help="The reply, in easy read.")
@click.option("--status", default="resolved", type=OneOf(("in_progress", "resolved")))
def concerns_reply(concern_id: int, text: str, status: str) -> int:
    """Answer a concern: the person gets the reply on their own channel if they asked."""
    from bot.store import concerns as queue

    try:
        with open_store() as session:
            result = queue.reply_to_concern(session, concern_id, text, status)
            if result is None:
                print(f"No concern #{concern_id}.", file=sys.stderr)
                return 1
            concern, message = result
            channel = concern.channel
    except queue.TextProblem as problem:
        return text_refused("reply", problem, queue.REPLY_MAX)
    if message is None:
        print(f"Concern #{concern_id} is now {status}. They did not ask for a reply.")
    elif channel == "telegram" and push_telegram():
        print(f"Concern #{concern_id} is now {status}. The reply was sent on Telegram.")
    else:
        print(
            f"Concern #{concern_id} is now {status}. The reply waits for them on {channel}: "
            "they see it with their next message."
        )
    return 0


@concerns_group.command("set", help="Change a concern's status.")
@click.argument("concern_id", metavar="ID", type=int)
@click.argument("status", type=OneOf(("new", "in_progress", "resolved")))
def concerns_set(concern_id: int, status: str) -> int:
    """Move a concern along the queue without replying."""
    from bot.store import concerns as queue

    with open_store() as session:
        if queue.set_status(session, concern_id, status) is None:
            print(f"No concern #{concern_id}.", file=sys.stderr)
            return 1
    print(f"Concern #{concern_id} is now {status}.")
    return 0
