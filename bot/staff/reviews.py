"""Creating and closing reviews: shared by `copro review` and the staff dashboard.

Light to import (the `copro` command imports it to start): the store and the
charter packs are imported where they are used.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.settings import Settings

# Letters and digits that are hard to mix up when read aloud or written down.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TITLE_MAX = 200
# The rungs of the ladder of participation staff can place a review on, highest first.
LADDER_LEVELS = (
    "co-producing",
    "co-designing",
    "engaging",
    "consulting",
    "informing",
    "instructing",
    "coercing",
)


class ReviewProblem(ValueError):
    """A review that cannot be created; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewReview:
    """What to check before a review is saved: a known charter, a title, a real date."""

    title: str
    charter: str
    level: str | None
    held_on: str | None
    # The charter's optional questions to ask too, in the charter's order.
    optional_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewLinks:
    code: str
    web_link: str
    telegram_link: str | None


def new_review_code() -> str:
    """A short code like 'KD7-M4P': easy to read aloud, hard to guess."""
    chars = [secrets.choice(CODE_ALPHABET) for _ in range(6)]
    return "".join(chars[:3]) + "-" + "".join(chars[3:])


def check_new_review(
    title: str,
    charter: str,
    level: str | None = None,
    held_on: str | None = None,
    optional_questions: tuple[str, ...] | list[str] = (),
) -> NewReview:
    """The review as it will be saved, or ReviewProblem (charter, title, level, date or
    questions: an optional question must be one of this charter's)."""
    from bot.content import ContentError, get_pack
    from bot.store.text import clean_text

    try:
        pack = get_pack(charter)
    except ContentError as error:
        raise ReviewProblem("charter", str(error)) from error
    title = clean_text(title).strip()
    if not title or len(title) > TITLE_MAX:
        raise ReviewProblem("title", f"The title must be 1 to {TITLE_MAX} characters.")
    if level is not None and level not in LADDER_LEVELS:
        raise ReviewProblem("level", f"The level must be one of {', '.join(LADDER_LEVELS)}.")
    if held_on:
        try:
            date.fromisoformat(held_on)
        except ValueError as error:
            raise ReviewProblem("date", "The date must be a date like 2026-11-20.") from error
    offered = [q.id for q in pack.optional_questions]
    unknown = sorted(set(optional_questions) - set(offered))
    if unknown:
        choices = ", ".join(offered) or "none"
        raise ReviewProblem(
            "questions",
            f"The {pack.area} charter has no optional question {', '.join(unknown)}."
            f" It has: {choices}.",
        )
    chosen = tuple(q for q in offered if q in set(optional_questions))
    return NewReview(title, pack.id, level, held_on or None, chosen)


def create_review(session: Session, review: NewReview) -> str:
    """Save a checked review with a new code; return the code."""
    from bot.store import repository

    return repository.create_review(
        session,
        new_review_code(),
        review.title,
        review.charter,
        review.level,
        review.held_on,
        review.optional_questions,
    ).code


def review_links(settings: Settings, code: str) -> ReviewLinks:
    """Where families open the review: the web chat, and Telegram when the bot is named."""
    bot = settings.telegram_bot
    telegram = f"https://t.me/{bot}?start={code}" if bot else None
    return ReviewLinks(code, f"{settings.public_url}/?code={code}", telegram)


def qr_code(web_link: str):  # noqa: ANN201 - a segno.QRCode
    """A QR code of the review's web link, for posters and slides."""
    import segno

    return segno.make(web_link, error="m")


def qr_png(web_link: str) -> bytes:
    out = io.BytesIO()
    qr_code(web_link).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def close_review(session: Session, code: str) -> str | None:
    """Close the open review with this code (any case); its code; None if none is open.

    Its answers stay for the exports.
    """
    from bot.store import repository

    return repository.close_open_review(session, code)
