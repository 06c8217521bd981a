"""How many people each review's results are from: the one number the list of reviews shows.

It is the number every page and export of a review shows (bot.store.releases):
the people in its latest release, so only people who answered at least one
question count. Working it out needs counts of people only; a review whose next
release is due gets that release here, as on any page that shows results, so that
the list and the review's own page never differ by fewer than ``min_group`` people.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.store.models import ResultRelease
from bot.store.releases import latest_release, live_people, release_due, released_counts


def people_shown(session: Session, review_ids: list[int], min_group: int) -> dict[int, int | None]:
    """Each review's people as staff may see them.

    The number in its latest release when that is at least ``min_group``; 0 when
    nobody has answered; None when some have but too few are released to say.
    """
    if not review_ids:
        return {}
    live = live_people(session, review_ids)
    released = _released_people(session, review_ids)
    due = [r for r in review_ids if release_due(live.get(r, 0), released.get(r), min_group)]
    for review_id, release in released_counts(session, due, min_group).items():
        if release.counts is not None:
            released[review_id] = release.counts.people
    return {
        review_id: _shown(released.get(review_id), live.get(review_id, 0) > 0, min_group)
        for review_id in review_ids
    }


def _shown(released: int | None, anyone: bool, min_group: int) -> int | None:
    if released is None:
        return None if anyone else 0
    if released >= min_group or released == 0:
        return released
    return None  # released under a smaller COPRO_MIN_GROUP than today's


def _released_people(session: Session, review_ids: list[int]) -> dict[int, int]:
    """The people in each review's latest release (reviews with none are left out)."""
    rows = session.execute(latest_release(ResultRelease.people, review_ids))
    return {review_id: int(people) for review_id, people in rows}
