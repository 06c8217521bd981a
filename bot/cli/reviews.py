"""``copro review``: create a review of a meeting or project, tell people what changed because
of it (you said, we did), and close it."""

from __future__ import annotations

import sys

import click

from bot.cli.shape import CoproGroup, OneOf, charter_or_default, text_refused
from bot.cli.store import open_store
from bot.cli.telegram import push_telegram
from bot.settings import get_settings
from bot.staff.reviews import LADDER_LEVELS

REVIEW_PROBLEMS = {
    "title": "Error: --title must be 1 to 200 characters.",
    "date": "Error: --date must be a date like 2026-11-20.",
}


@click.group("review", cls=CoproGroup, help="Reviews of meetings and projects.")
def review_group() -> None:
    """Reviews of meetings and projects."""


@review_group.command("create", help="Create a review and print its code.")
@click.option("--title", required=True, help="What the meeting or project was.")
@click.option(
    "--charter",
    default=None,
    callback=charter_or_default,
    help="Charter pack id (default COPRO_CHARTER).",
)
@click.option(
    "--level",
    type=OneOf(LADDER_LEVELS),
    help="Where staff think the work sat on the ladder of participation.",
)
@click.option("--date", "held_on", help="When it took place (YYYY-MM-DD).")
@click.option("--qr", metavar="FILE.png", help="Also write a QR code of the web link.")
@click.option(
    "--question",
    multiple=True,
    metavar="ID",
    help="Also ask this optional question of the charter (repeat for more;"
    " `copro charters questions` lists them).",
)
def review_create(
    title: str,
    charter: str,
    level: str | None,
    held_on: str | None,
    qr: str | None,
    question: tuple[str, ...],
) -> int:
    """Save a new review and print its code and the links that open it."""
    from bot.staff import reviews

    try:
        checked = reviews.check_new_review(title, charter, level, held_on, list(question))
    except reviews.ReviewProblem as problem:
        print(REVIEW_PROBLEMS.get(problem.field, f"Error: {problem}"), file=sys.stderr)
        return 2
    with open_store() as session:
        code = reviews.create_review(session, checked)
    links = reviews.review_links(get_settings(), code)
    print(f"Review code: {code}")
    print(f"Web link: {links.web_link}")
    if links.telegram_link:
        print(f"Telegram link: {links.telegram_link}")
    else:
        print("Telegram link: set COPRO_TELEGRAM_BOT (the bot's user name) to get one.")
    if qr:
        reviews.qr_code(links.web_link).save(qr, scale=8, border=4)
        print(f"QR code of the web link: {qr}")
    return 0


@review_group.command("close", help="Close a review: its code stops working.")
@click.argument("code")
def review_close(code: str) -> int:
    """Close a review: its code no longer opens it; its answers stay for the exports."""
    from bot.staff.reviews import close_review

    with open_store() as session:
        closed = close_review(session, code)
    if closed is None:
        print(f"No open review with the code {code}.", file=sys.stderr)
        return 1
    print(f"Review {closed} is closed. Its answers are kept for the exports.")
    return 0


@review_group.command(
    "update",
    help="You said, we did: what changed because of a review, sent to those who asked.",
)
@click.argument("code")
@click.option("--text", required=True, help="What you changed, in plain words.")
def review_update(code: str, text: str) -> int:
    """You said, we did: save what changed and send it to the people who asked to hear."""
    from bot.store import concerns, repository, updates

    try:
        with open_store() as session:
            found = repository.review_by_code(session, code.strip().upper())
            if found is None:
                print(f"No review with the code {code}.", file=sys.stderr)
                return 1
            told = updates.post_update(session, found, text).people_told
            code = found.code
    except concerns.TextProblem as problem:
        return text_refused("text", problem, updates.UPDATE_MAX)
    min_group = get_settings().min_group
    people = f"fewer than {min_group} people" if 0 < told < min_group else f"{told} people"
    print(f"Saved for review {code}. It goes to {people} who asked to hear back.")
    if told and push_telegram():
        print("Telegram users have it now; web chat users see it on their next visit.")
    elif told:
        print("They see it with their next message.")
    return 0
