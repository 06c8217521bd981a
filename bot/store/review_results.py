"""What an export of review results reads besides the released counts: the reviews
asked for, and the names people gave on their pledges (to take out of their comments).

Choosing reviews by date, suppressing counts and redacting words are
bot.staff.export's job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Pledge, Review


def reviews_by_charter_and_code(
    session: Session, code: str | None = None, charter: str | None = None
) -> list[Review]:
    """The reviews with this code and charter (None: any), by charter then code."""
    query = select(Review).order_by(Review.charter, Review.code)
    if code is not None:
        query = query.where(Review.code == code)
    if charter is not None:
        query = query.where(Review.charter == charter)
    return list(session.scalars(query))


def names_on_pledges(session: Session, pseudonyms: Collection[str]) -> dict[str, list[str]]:
    """The first names and representatives' names each person gave on their pledges.

    People who gave none are left out.
    """
    names: dict[str, list[str]] = defaultdict(list)
    if not pseudonyms:
        return {}
    given = session.execute(
        select(Pledge.pseudonym, Pledge.first_name, Pledge.representative).where(
            Pledge.pseudonym.in_(pseudonyms)
        )
    )
    for pseudonym, first_name, representative in given:
        names[pseudonym] += [n for n in (first_name, representative) if n]
    return {pseudonym: given for pseudonym, given in names.items() if given}
